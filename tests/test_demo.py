"""The illustrative default is reproducible and has the shape the issue asks for."""

from __future__ import annotations

import pandas as pd
from tests.conftest import RAW, REPO

from zonetrack.demo import demo_files
from zonetrack.registry import zone_levels


def test_generator_rewrites_the_committed_files_byte_for_byte(registry):
    for relative, content in demo_files(registry, seed=2017).items():
        assert (RAW / relative).read_bytes() == content, relative


def test_default_covers_every_existing_zone_year_and_indicator(vocab_bundle):
    from zonetrack.demo import default_zones
    from zonetrack.ingest import files as stages
    from zonetrack.plans import load_plan

    vocab, registry, _ = vocab_bundle
    stats, clusters, _ = stages.raw_files(RAW)
    result = stages.ingest_files(stats, clusters, vocab, RAW)
    assert not [p for p in result.problems if p.severity == "error"]
    for plan_id, years in (("hunan-2017-2019", [2016, 2017, 2018, 2019]), ("hunan-2026-2028", [2025, 2026])):
        plan, _ = load_plan(REPO / "plans" / f"{plan_id}.yaml")
        needed = {i for t in plan.targets.values() for i in t.indicators}
        # Every zone the default has figures for (not the five zones added to the registry after it).
        levels = zone_levels(default_zones(registry), years)
        existing = levels[levels["level"].notna()]
        part = result.panel[result.panel["year"].isin(years)]
        cells = part[["zone_id", "year"]].drop_duplicates()
        assert len(cells) == len(existing), plan_id
        # Every indicator a plan reads has data in its years; a few values are missing on purpose.
        assert needed <= set(part["indicator"].astype(str)), plan_id
    first_year = result.panel.groupby("zone_id", observed=True)["year"].min()
    assert first_year["wangcheng"] == 2018 and first_year["youxian"] == 2019  # approved then
    assert result.panel["illustrative"].all() and result.clusters["illustrative"].all()


def test_demo_refuses_to_overwrite_edited_files(tmp_path, capsys):
    from zonetrack.cli import main

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "zones.csv").write_bytes((RAW / "zones.csv").read_bytes())
    assert main(["demo", "--raw", str(raw)]) == 0
    edited = raw / "stats" / "services_long.csv"
    edited.write_text("zone,year,indicator,value\nchangsha,2019,revenue,1\n", encoding="utf-8")
    assert main(["demo", "--raw", str(raw)]) == 2
    assert "services_long.csv" in capsys.readouterr().err
    assert edited.read_text(encoding="utf-8").startswith("zone,year,indicator,value")  # untouched
    assert main(["demo", "--raw", str(raw), "--force"]) == 0
    assert edited.read_bytes() == (RAW / "stats" / "services_long.csv").read_bytes()


def test_zone_totals_stay_below_the_province(vocab_bundle):
    from zonetrack.ingest import files as stages

    vocab, _, _ = vocab_bundle
    stats, clusters, _ = stages.raw_files(RAW)
    panel = stages.ingest_files(stats, clusters, vocab, RAW).panel
    totals = panel.pivot_table(index="year", columns="indicator", values="value", aggfunc="sum")
    official = pd.read_csv(RAW / "reference" / "province_official.csv")
    pairs = [
        ("tech_contract_turnover", "tech_contract_value"),
        ("high_tech_industry_value_added", "high_tech_value_added"),
        ("high_tech_enterprises_valid", "high_tech_enterprises"),
        ("national_incubators", "national_incubators"),
        ("national_maker_spaces", "national_maker_spaces"),
        ("rd_expenditure", "rd_expenditure"),
    ]
    compared = 0
    for official_id, indicator in pairs:
        for row in official[official["indicator"] == official_id].itertuples():
            if row.year in totals.index:
                assert totals.loc[row.year, indicator] < float(row.value), (indicator, row.year)
                compared += 1
    assert compared >= 8


def test_the_readme_examples_are_the_generator_s_and_only_the_first_return_is_refused(registry, capsys):
    from zonetrack import cli
    from zonetrack.demo import EXAMPLE_CORRECTED, EXAMPLE_FIRST, example_files

    examples = REPO / "examples"
    for name, content in example_files(registry, seed=2017).items():
        assert (examples / name).read_bytes() == content, name
    # The first return: zhuzhou's revenue (row 6: title, unit line, two header rows, 长沙, 株洲) is its
    # 亿元 figure under the table's 万元, so about 1/10,000 of its 2026 value in data/raw.
    assert cli.main(["check", "--raw", str(RAW), str(examples / EXAMPLE_FIRST)]) == 1
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert len(errors) == 2
    assert f"{EXAMPLE_FIRST}[2027年]:6:营业收入: error: revenue of zhuzhou in 2027 is 1/" in errors[0]
    assert "likely 万元 vs 亿元" in errors[0]
    # The same mistake makes its high-tech revenue (3,023.67 亿元) a part above its whole (0.50755).
    assert f"{EXAMPLE_FIRST}[2027年]:6:高新技术产业营业收入: error: high_tech_industry_revenue of zhuzhou" in errors[1]
    assert cli.main(["check", "--raw", str(RAW), str(examples / EXAMPLE_CORRECTED)]) == 0
    # The five zones of the registry that the illustrative workbooks have no row for, as ingest says.
    err = capsys.readouterr().err
    assert "0 error(s), 5 warning(s)" in err
    assert f"{EXAMPLE_CORRECTED}[2027年]:-:-: warning: shaoshan: no data at all in 2027, a year the zone exists" in err
