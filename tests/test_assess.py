"""The assess stage on the embedded default: every target, zone and year of the plans."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from tests.conftest import PARAMS, PLANS, RAW, assess_args

from zonetrack.cli import main
from zonetrack.plans import load_run
from zonetrack.registry import zone_levels

SCORECARD_COLUMNS = [
    "year",
    "target_id",
    "zone_id",
    "value",
    "base_value",
    "target_value",
    "actual_rate",
    "required_rate",
    "ratio",
    "status",
    "coverage",
]
# Every quantitative commitment of the 2017-2019 plan, the ones added by issue 10 included.
COMMITMENTS_2017 = {
    "patents_per_10k",
    "rd_intensity",
    "high_tech_value_added",
    "national_cluster_each",
    "hte_doubling",
    "sme_doubling",
    "tech_contract_growth",
    "national_incubators",
    "national_maker_spaces",
    "provincial_incubators",
    "provincial_maker_spaces",
    "service_agglomerations",
    "national_service_agglomerations",
    "innovation_platforms",
    "venture_funds",
    "service_institutions",
    "finance_institutions",
    "czt_clusters_1000",
    "czt_clusters_500",
    "national_clusters_500",
    "provincial_clusters_100",
    "leading_enterprises",
    "high_growth_enterprises",
    "small_micro_enterprises",
    "service_platforms",
    "huaihua_upgrade",
    "new_national_zones",
    "new_provincial_zones",
}
COMMITMENTS_2026 = {
    "national_zones",
    "national_rank",
    "new_provincial_zones",
    "rd_institution_coverage",
    "hte_7800",
    "high_tech_revenue_share",
    "tax_per_mu_growth",
}


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """The default ingested once and both plans evaluated."""
    root = tmp_path_factory.mktemp("default")
    processed = root / "processed"
    assert main(["ingest", "--raw", str(RAW), "--out", str(processed)]) == 0
    for plan in ("hunan-2017-2019", "hunan-2026-2028"):
        assert main(assess_args(processed, RAW, root / f"{plan}.json", plan)) == 0
    return root


def test_each_plan_encodes_every_commitment():
    assert set(load_run(PLANS / "hunan-2017-2019.yaml", PARAMS).plan.targets) == COMMITMENTS_2017
    assert set(load_run(PLANS / "hunan-2026-2028.yaml", PARAMS).plan.targets) == COMMITMENTS_2026


def test_scorecard_has_a_row_for_every_target_zone_and_year(default_run, registry):
    card = pd.read_csv(default_run / "processed" / "hunan-2017-2019" / "scorecard.csv")
    assert list(card.columns) == SCORECARD_COLUMNS
    plan = load_run(PLANS / "hunan-2017-2019.yaml", PARAMS).plan
    levels = zone_levels(registry, [2017, 2018, 2019])
    assert sorted(card["year"].unique()) == [2017, 2018, 2019]  # years: auto, the plan's years with data
    for target_id, target in plan.targets.items():
        for year in (2017, 2018, 2019):
            rows = card[(card["target_id"] == target_id) & (card["year"] == year)]
            assert (rows["zone_id"] == "ALL").sum() == 1, (target_id, year)
            if target.on_registry:
                expected = {target.zone} if target.rule == "zone_level" else set()
            else:
                in_year = levels[(levels["year"] == year) & levels["level"].isin(target.levels)]
                expected = set(in_year["zone_id"])
                for group in target.groups:
                    expected &= set(plan.groups[group])
            assert set(rows["zone_id"]) - {"ALL"} == expected, (target_id, year)
    assert card.equals(card.sort_values(["year", "target_id", "zone_id"], ignore_index=True))
    metrics = json.loads((default_run / "hunan-2017-2019.json").read_text())
    assert sum(metrics["2019"]["status_counts"].values()) == len(plan.targets)
    assert set(metrics["2019"]["status"]) == set(plan.targets)  # each target's ALL status, for dvc exp show


def test_the_2019_verdicts_of_the_registry_commitments(default_run):
    # From the real registry: 怀化 national since 2018 → met in 2019; national after 2016: 常德 (2017)
    # and 怀化 (2018) = 2 ≥ 2 → met; the four platforms have no sourced year → no data.
    card = pd.read_csv(default_run / "processed" / "hunan-2017-2019" / "scorecard.csv")
    totals = card[(card["zone_id"] == "ALL") & (card["year"] == 2019)].set_index("target_id")
    assert totals.loc["huaihua_upgrade", "status"] == "met"
    assert totals.loc["new_national_zones", ["value", "status"]].tolist() == [2.0, "met"]
    assert totals.loc["new_provincial_zones", "status"] == "met"
    assert totals.loc["service_platforms", "status"] == "no_data"


def test_the_2026_2028_plan_assesses_its_first_year(default_run):
    card = pd.read_csv(default_run / "processed" / "hunan-2026-2028" / "scorecard.csv")
    assert sorted(card["year"].unique()) == [2026]
    totals = card[card["zone_id"] == "ALL"].set_index("target_id")
    # 9 national zones in the registry in 2026 (8 by 2018, and 宁乡 from 2022) against 11 or more.
    assert totals.loc["national_zones", "value"] == 9.0
    run = json.loads((default_run / "processed" / "hunan-2026-2028" / "run.json").read_text())
    # 2016-2019 lie outside this plan; they are said so, not ignored.
    assert run["outside_years"] == [2016, 2017, 2018, 2019]


def test_assess_refuses_a_panel_that_breaks_the_contract(tmp_path, capsys):
    processed = tmp_path / "processed"
    processed.mkdir()
    panel = pd.DataFrame(
        {
            "zone_id": ["changsha", "changsha", "zhuzhou"],
            "year": [2016, 2016, 1800],
            "indicator": ["revenue", "revenue", "revenue"],
            "value": [1.0, 2.0, 3.0],
        }
    )
    clusters = pd.DataFrame({"zone_id": ["changsha"], "year": [2016], "cluster": ["x"], "revenue": [1.0]})
    clusters.to_parquet(processed / "clusters.parquet")
    panel.to_parquet(processed / "panel.parquet")
    args = assess_args(processed, RAW, tmp_path / "m.json")
    assert main(args) == 2
    assert "in_range(1985, 2050)" in capsys.readouterr().err  # the year 1800, with its row
    panel.loc[2, "year"] = 2017
    panel.to_parquet(processed / "panel.parquet")
    assert main(args) == 2
    assert "2 rows share a zone_id-year-indicator" in capsys.readouterr().err
    assert not (processed / "hunan-2017-2019" / "scorecard.csv").exists()


CONTRACT_IN_A_STAGES_PROCESS = """
import sys
import pandas as pd
from zonetrack import schemas
bad = pd.DataFrame({"zone_id": ["a"], "year": [1800], "indicator": ["x"], "value": [1.0]})
try:
    schemas.check(schemas.PANEL, bad)
except ValueError as error:
    imported = "hypothesis" in sys.modules  # pandera registers its checks at the first validation
    import hypothesis  # noqa: F401  importable afterwards
    print(imported, "|", str(error))
"""


def test_the_data_contract_checks_alike_without_pandera_importing_hypothesis():
    # A stage's process (nothing imported hypothesis before): pandera is imported without it, and
    # a panel whose year 1800 lies outside 1985-2050 is refused with the same message as here, in
    # the test suite's process, where hypothesis was imported first.
    import subprocess
    import sys

    from zonetrack import schemas

    out = subprocess.run(
        [sys.executable, "-c", CONTRACT_IN_A_STAGES_PROCESS], capture_output=True, text=True, check=True
    ).stdout.strip()
    imported, message = out.split(" | ", 1)
    assert imported == "False"
    bad = pd.DataFrame({"zone_id": ["a"], "year": [1800], "indicator": ["x"], "value": [1.0]})
    with pytest.raises(ValueError) as here:
        schemas.check(schemas.PANEL, bad)
    assert "in_range" in message and "1800" in message
    assert message == str(here.value)
