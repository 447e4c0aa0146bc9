"""The evaluate stage on the embedded default: every target, zone and year; the plan as data."""

from __future__ import annotations

import json

import pandas as pd
from tests.conftest import RAW, REPO, evaluate_args

from zonetrack.cli import main
from zonetrack.params import load_params, scenario_changes
from zonetrack.registry import zone_levels

ISSUE_TARGETS = {
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
}


def test_params_holds_every_target_of_the_plan_and_no_scenario():
    params = load_params(REPO / "params.yaml")
    assert set(params["targets"]) >= ISSUE_TARGETS
    assert all(t.get("text_zh") and t.get("text_en") for t in params["targets"].values())
    assert scenario_changes(params, load_params(RAW / "plan.yaml")) == []


def test_scenario_changes_name_each_difference():
    plan = load_params(RAW / "plan.yaml")
    params = load_params(REPO / "params.yaml")
    params["targets"]["tech_contract_growth"]["min_rate"] = 0.2
    params["targets"]["tech_contract_growth"]["text_en"] = "reworded"  # wording is not a scenario
    assert scenario_changes(params, plan) == [("targets.tech_contract_growth.min_rate", 0.25, 0.2)]


def test_default_scorecard_has_a_row_for_every_target_zone_and_year(tmp_path, registry):
    processed = tmp_path / "processed"
    assert main(["ingest", "--raw", str(RAW), "--out", str(processed)]) == 0
    metrics = tmp_path / "assessment.json"
    assert main(evaluate_args(processed, RAW, metrics)) == 0
    card = pd.read_csv(processed / "scorecard.csv")
    assert list(card.columns) == [
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
    params = load_params(REPO / "params.yaml")
    levels = zone_levels(registry, [2017, 2018, 2019])
    for target_id, spec in params["targets"].items():
        for year in (2017, 2018, 2019):
            rows = card[(card["target_id"] == target_id) & (card["year"] == year)]
            assert (rows["zone_id"] == "ALL").sum() == 1, (target_id, year)
            in_year = levels[
                (levels["year"] == year) & levels["level"].isin(spec.get("levels", ["national", "provincial"]))
            ]
            zones = set(in_year["zone_id"])
            for group in spec.get("groups", []) or []:
                zones &= set(params["groups"][group])
            assert set(rows["zone_id"]) - {"ALL"} == zones, (target_id, year)
    assert card.equals(card.sort_values(["year", "target_id", "zone_id"], ignore_index=True))
    counts = json.loads(metrics.read_text())["2019"]["status_counts"]
    assert sum(counts.values()) == len(params["targets"])
    # The illustrative default shows every status of the method somewhere.
    assert set(card["status"]) == {
        "met",
        "on_track",
        "needs_acceleration",
        "off_track",
        "moving_away",
        "not_met",
        "no_data",
        "not_assessable",
    }


def test_evaluate_refuses_a_panel_that_breaks_the_contract(tmp_path, capsys):
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
    args = evaluate_args(processed, RAW, tmp_path / "m.json")
    assert main(args) == 2
    assert "in_range(1985, 2050)" in capsys.readouterr().err  # the year 1800, with its row
    panel.loc[2, "year"] = 2017
    panel.to_parquet(processed / "panel.parquet")
    assert main(args) == 2
    assert "2 rows share a zone_id-year-indicator" in capsys.readouterr().err
    assert not (processed / "scorecard.csv").exists()
