"""The engine over a small panel: scopes, ALL rows, like-for-like sums, levels by year."""

from __future__ import annotations

import pandas as pd
import pytest

from zonetrack.registry import zone_levels
from zonetrack.rules import evaluate, parse_targets
from zonetrack.status import Bands

B, T, YEARS = 2016, 2019, [2017, 2018, 2019]
INDICATORS = {
    "invention_patents",
    "population",
    "high_tech_enterprises",
    "tech_contract_value",
    "national_incubators",
    "provincial_incubators",
    "revenue",
}
GROUPS = {"czt": ["a"]}
# a, b: national throughout; c: provincial in 2016-2017, national from 2018 (like 怀化);
# d: provincial from 2018 (enters after the base year).
REGISTRY = pd.DataFrame(
    {
        "zone_id": ["a", "b", "c", "d"],
        "provincial_since": pd.array([None, None, 2010, 2018], dtype="Int64"),
        "national_since": pd.array([1991, 2000, 2018, None], dtype="Int64"),
    }
)


def panel(rows):
    return pd.DataFrame(rows, columns=["zone_id", "year", "indicator", "value"])


def run(targets: dict, rows, clusters=None):
    levels = zone_levels(REGISTRY, [B, *YEARS])
    parsed = parse_targets(targets, GROUPS, INDICATORS)
    clusters = (
        clusters
        if clusters is not None
        else pd.DataFrame(
            {
                "zone_id": pd.Series(dtype=str),
                "year": pd.Series(dtype="int64"),
                "cluster": pd.Series(dtype=str),
                "revenue": pd.Series(dtype=float),
            }
        )
    )
    card = evaluate(panel(rows), clusters, levels, parsed, GROUPS, YEARS, B, T, Bands())
    return card.set_index(["target_id", "zone_id", "year"])


def test_ratio_of_sums_not_mean_of_ratios():
    # a: 900 patents / 10 万人 = 90 per 10k; b: 100 / 90 = 1.11 per 10k.
    # Ratio of sums: (900 + 100) / (10 + 90) = 10 < 30, not met; the mean of ratios, 45.6, would be met.
    rows = [
        (z, 2019, i, v)
        for z, i, v in [
            ("a", "invention_patents", 900),
            ("a", "population", 10),
            ("b", "invention_patents", 100),
            ("b", "population", 90),
        ]
    ]
    card = run(
        {
            "p": {
                "rule": "level",
                "scope": "total",
                "levels": ["national"],
                "numerator": "invention_patents",
                "denominator": "population",
                "min": 30,
            }
        },
        rows,
    )
    assert card.loc[("p", "ALL", 2019), "value"] == pytest.approx(10.0)
    assert card.loc[("p", "ALL", 2019), "status"] == "not_met"
    assert card.loc[("p", "a", 2019), "value"] == pytest.approx(90.0)
    assert card.loc[("p", "a", 2019), "status"] == "met"  # a zone row is a diagnostic of a total target


def test_total_doubling_is_like_for_like_when_a_zone_enters_after_the_base_year():
    # a: 100 → 150; d enters in 2018 with 100 in 2019 and has no 2016 value.
    # Like for like: 150 / 100 = 1.5 < 2, not met (a naive 250 ≥ 200 would call it met).
    rows = [
        ("a", 2016, "high_tech_enterprises", 100),
        ("a", 2019, "high_tech_enterprises", 150),
        ("d", 2019, "high_tech_enterprises", 100),
    ]
    card = run({"h": {"rule": "multiple", "scope": "total", "indicator": "high_tech_enterprises", "k": 2}}, rows)
    all_2019 = card.loc[("h", "ALL", 2019)]
    assert (all_2019["value"], all_2019["base_value"], all_2019["target_value"]) == (150.0, 100.0, 200.0)
    assert all_2019["status"] == "not_met"
    assert card.loc[("h", "d", 2019), "status"] == "no_data"  # no base: reported, not dropped
    # In scope in 2019: a, b, c, d; not no_data: a only → coverage 1/4.
    assert all_2019["coverage"] == pytest.approx(0.25)


def test_level_total_sums_zones_with_a_value():
    # 2018: a 3000 + d 2500 = 5500 ≥ 5000 → met before T; base 2016: a 3000 only.
    rows = [("a", 2016, "revenue", 3000), ("a", 2018, "revenue", 3000), ("d", 2018, "revenue", 2500)]
    card = run({"v": {"rule": "level", "scope": "total", "indicator": "revenue", "min": 5000}}, rows)
    assert card.loc[("v", "ALL", 2018), "value"] == 5500.0
    assert card.loc[("v", "ALL", 2018), "base_value"] == 3000.0
    assert card.loc[("v", "ALL", 2018), "status"] == "met"
    assert card.loc[("v", "ALL", 2017), "status"] == "no_data"  # no zone has a 2017 value


def test_zone_upgraded_mid_plan_changes_scope():
    rows = [("c", y, i, 1) for y in (2016, 2017, 2018, 2019) for i in ("national_incubators", "provincial_incubators")]
    targets = {
        "ni": {"rule": "count", "scope": "each", "levels": ["national"], "indicator": "national_incubators", "min": 2},
        "pi": {
            "rule": "count",
            "scope": "each",
            "levels": ["provincial"],
            "indicator": "provincial_incubators",
            "min": 2,
        },
    }
    card = run(targets, rows).reset_index()
    c_rows = card[card["zone_id"] == "c"]
    assert sorted(c_rows.loc[c_rows["target_id"] == "pi", "year"]) == [2017]
    assert sorted(c_rows.loc[c_rows["target_id"] == "ni", "year"]) == [2018, 2019]


def test_zone_approved_later_is_outside_every_target_before():
    rows = [("d", y, "tech_contract_value", 5) for y in (2018, 2019)]
    card = run(
        {"g": {"rule": "growth", "scope": "each", "indicator": "tech_contract_value", "min_rate": 0.25}}, rows
    ).reset_index()
    assert sorted(card.loc[card["zone_id"] == "d", "year"]) == [2018, 2019]


def test_each_all_row_is_worst_assessed_status_and_share_met():
    # 2017, growth ≥ 25 %: a 100 → 130 (0.30/0.25 = 1.2 on_track); b 100 → 125 (on_track, R = 1);
    # c 100 → 200 (met: 200 ≥ 100·1.25³ = 195.3125); d not in scope in 2017.
    # 2019: a 100 → 200 (met), b 100 → 150 (not_met), c no 2019 value (no_data).
    rows = [(z, 2016, "tech_contract_value", 100) for z in "abc"] + [
        ("a", 2017, "tech_contract_value", 130),
        ("b", 2017, "tech_contract_value", 125),
        ("c", 2017, "tech_contract_value", 200),
        ("a", 2019, "tech_contract_value", 200),
        ("b", 2019, "tech_contract_value", 150),
    ]
    card = run({"g": {"rule": "growth", "scope": "each", "indicator": "tech_contract_value", "min_rate": 0.25}}, rows)
    assert card.loc[("g", "ALL", 2017), "status"] == "on_track"
    assert card.loc[("g", "ALL", 2017), "value"] == pytest.approx(1 / 3)  # c met out of a, b, c
    assert card.loc[("g", "ALL", 2017), "coverage"] == pytest.approx(1.0)
    assert card.loc[("g", "ALL", 2019), "status"] == "not_met"
    assert card.loc[("g", "ALL", 2019), "value"] == pytest.approx(0.5)  # a met of assessed a, b
    # In scope 2019: a, b, c, d; no_data: c (no 2019 value), d (no value) → coverage 2/4.
    assert card.loc[("g", "ALL", 2019), "coverage"] == pytest.approx(0.5)


def test_target_without_any_data_is_reported_as_no_data():
    card = run({"r": {"rule": "level", "scope": "total", "indicator": "revenue", "min": 1}}, [])
    assert [card.loc[("r", "ALL", y), "status"] for y in YEARS] == ["no_data"] * 3
    assert card.loc[("r", "ALL", 2019), "coverage"] == 0.0


def test_clusters_band_and_uncovered_years():
    clusters = pd.DataFrame(
        {
            "zone_id": ["a", "a", "a", "a"],
            "year": [2016, 2019, 2019, 2019],
            "cluster": ["x", "x", "y", "z"],
            "revenue": [600.0, 1200.0, 700.0, 499.99],
        }
    )
    targets = {
        "k500": {
            "rule": "clusters",
            "scope": "each",
            "groups": ["czt"],
            "min_revenue": 500,
            "max_revenue": 1000,
            "min": 2,
        }
    }
    card = run(targets, [], clusters)
    # 2019: only y (700) is in [500, 1000): x is ≥ 1000 and z is below 500 → 1 < 2, not met.
    assert card.loc[("k500", "a", 2019), "value"] == 1.0
    assert card.loc[("k500", "a", 2019), "base_value"] == 1.0  # 2016: x at 600
    assert card.loc[("k500", "a", 2019), "status"] == "not_met"
    # 2017 and 2018 are not in the clusters file at all: missing, not zero.
    assert card.loc[("k500", "a", 2017), "status"] == "no_data"


def test_invalid_targets_are_named():
    with pytest.raises(ValueError, match=r"targets.x.min_rate: required(?s:.*)targets.y: unknown indicator 'gdp'"):
        parse_targets(
            {
                "x": {"rule": "growth", "scope": "each", "indicator": "revenue"},
                "y": {"rule": "level", "scope": "total", "indicator": "gdp", "min": 1},
            },
            GROUPS,
            INDICATORS,
        )
