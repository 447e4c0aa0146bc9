"""The engine over small panels: scopes, ALL rows, like-for-like sums, coverage, levels by year, and
the rules on the registry. Every expected number is worked by hand in the comment beside it."""

from __future__ import annotations

import pandas as pd
import pytest
from tests.conftest import make_plan

from zonetrack.engine import Inputs, assess
from zonetrack.plans.model import StatusSettings

B, T, YEARS = 2016, 2019, [2017, 2018, 2019]
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
NO_CLUSTERS = pd.DataFrame(
    {
        "zone_id": pd.Series(dtype=str),
        "year": pd.Series(dtype="int64"),
        "cluster": pd.Series(dtype=str),
        "revenue": pd.Series(dtype=float),
    }
)
NO_FACILITIES = pd.DataFrame({"id": [], "kind": [], "established": pd.array([], dtype="Int64")})


def run(targets: dict, rows, clusters=None, registry=REGISTRY, facilities=NO_FACILITIES, status=None, years=YEARS):
    panel = pd.DataFrame(rows, columns=["zone_id", "year", "indicator", "value"])
    inputs = Inputs(panel, clusters if clusters is not None else NO_CLUSTERS, registry, facilities)
    card = assess(inputs, make_plan(targets, GROUPS), years, status or StatusSettings())
    return card.assign(zone_id=card["zone_id"].astype(str), target_id=card["target_id"].astype(str)).set_index(
        ["target_id", "zone_id", "year"]
    )


PATENTS = {
    "rule": "level",
    "scope": "total",
    "levels": ["national"],
    "numerator": "invention_patents",
    "denominator": "population",
    "min": 30,
}


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
    card = run({"p": PATENTS}, rows)
    assert card.loc[("p", "ALL", 2019), "value"] == pytest.approx(10.0)
    # National in 2019: a, b, c; with both parts: a, b → coverage 2/3 = 0.667 < 0.8, and a ratio of
    # sums could move either way with c: the verdict is not given.
    assert card.loc[("p", "ALL", 2019), "coverage"] == pytest.approx(2 / 3)
    assert card.loc[("p", "ALL", 2019), "status"] == "insufficient_coverage"
    assert card.loc[("p", "a", 2019), "value"] == pytest.approx(90.0)
    assert card.loc[("p", "a", 2019), "status"] == "met"  # a zone row is a diagnostic of a total target


def test_a_verdict_is_given_at_enough_coverage():
    # The same two zones with min_coverage 0.6: 2/3 ≥ 0.6, so not met stands.
    rows = [("a", 2019, "invention_patents", 900), ("a", 2019, "population", 10)]
    rows += [("b", 2019, "invention_patents", 100), ("b", 2019, "population", 90)]
    card = run({"p": PATENTS}, rows, status=StatusSettings(min_coverage=0.6))
    assert card.loc[("p", "ALL", 2019), "status"] == "not_met"


def test_total_doubling_is_like_for_like_when_a_zone_enters_after_the_base_year():
    # a: 100 → 150; d enters in 2018 with 100 in 2019 and has no 2016 value.
    # Like for like: 150 / 100 = 1.5 < 2 (a naive 250 ≥ 200 would call it met).
    rows = [
        ("a", 2016, "high_tech_enterprises", 100),
        ("a", 2019, "high_tech_enterprises", 150),
        ("d", 2019, "high_tech_enterprises", 100),
    ]
    card = run({"h": {"rule": "multiple", "scope": "total", "indicator": "high_tech_enterprises", "k": 2}}, rows)
    all_2019 = card.loc[("h", "ALL", 2019)]
    assert (all_2019["value"], all_2019["base_value"], all_2019["target_value"]) == (150.0, 100.0, 200.0)
    assert card.loc[("h", "d", 2019), "status"] == "no_base_year"  # reported, not dropped
    # Coverage counts the zones that existed in 2016 (a, b, c; d is out of scope, not missing):
    # a reports both years → 1/3. Below 0.8, and the missing b and c could change a like-for-like
    # ratio: insufficient_coverage, never not_met.
    assert all_2019["coverage"] == pytest.approx(1 / 3)
    assert all_2019["status"] == "insufficient_coverage"


def test_level_total_met_by_a_partial_sum_stands():
    # 2018: a 3000 + d 2500 = 5500 ≥ 5000 → met before T; the missing b, c can only add to a sum of
    # amounts, so the verdict stands at coverage 2/4 = 0.5. Base 2016: a 3000 only.
    rows = [("a", 2016, "revenue", 3000), ("a", 2018, "revenue", 3000), ("d", 2018, "revenue", 2500)]
    card = run({"v": {"rule": "level", "scope": "total", "indicator": "revenue", "min": 5000}}, rows)
    assert card.loc[("v", "ALL", 2018), "value"] == 5500.0
    assert card.loc[("v", "ALL", 2018), "base_value"] == 3000.0
    assert card.loc[("v", "ALL", 2018), "coverage"] == pytest.approx(0.5)
    assert card.loc[("v", "ALL", 2018), "status"] == "met"
    assert card.loc[("v", "ALL", 2017), "status"] == "no_data"  # no zone has a 2017 value
    # 2019: a alone with 3000 < 5000 at coverage 1/4: the others could make up the difference.
    rows.append(("a", 2019, "revenue", 3000))
    card = run({"v": {"rule": "level", "scope": "total", "indicator": "revenue", "min": 5000}}, rows)
    assert card.loc[("v", "ALL", 2019), "status"] == "insufficient_coverage"


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
    assert set(card.loc[card["zone_id"] == "d", "status"]) == {"no_base_year"}


GROWTH = {"g": {"rule": "growth", "scope": "each", "indicator": "tech_contract_value", "min_rate": 0.25}}


def test_each_all_row_is_worst_assessed_status_and_share_met():
    # 2017, growth ≥ 25 % a year to 2019: met before 2019 only at the end value 100 × 1.25³ = 195.3125.
    # a 100 → 130 (30 %: R = 0.30/0.25 = 1.2, on track), b 100 → 124 (24 %: R = 0.96, on track),
    # c 100 → 200 (≥ 195.3125: met); d is not a zone yet. Worst: on_track; share met 1/3.
    # 2019: a 100 → 200 (2^(1/3) − 1 = 26.0 % ≥ 25 %: met), b 100 → 150 (14.5 %: not met), c no value.
    rows = [(z, 2016, "tech_contract_value", 100) for z in "abc"] + [
        ("a", 2017, "tech_contract_value", 130),
        ("b", 2017, "tech_contract_value", 124),
        ("c", 2017, "tech_contract_value", 200),
        ("a", 2019, "tech_contract_value", 200),
        ("b", 2019, "tech_contract_value", 150),
    ]
    card = run(GROWTH, rows)
    assert card.loc[("g", "ALL", 2017), "status"] == "on_track"
    assert card.loc[("g", "ALL", 2017), "value"] == pytest.approx(1 / 3)
    assert card.loc[("g", "ALL", 2017), "coverage"] == pytest.approx(1.0)
    # Coverage 2019: zones that existed in 2016 are a, b, c; a and b report → 2/3 < 0.8. b failed, and
    # a zone that failed decides an each-target whatever c would say: not_met stands.
    assert card.loc[("g", "ALL", 2019), "coverage"] == pytest.approx(2 / 3)
    assert card.loc[("g", "ALL", 2019), "status"] == "not_met"
    assert card.loc[("g", "ALL", 2019), "value"] == pytest.approx(0.5)  # a met of assessed a, b


def test_each_all_met_with_a_zone_missing_is_not_a_verdict():
    # 2019: a and b both met (200 and 250 from 100), c missing: coverage 2/3 < 0.8, and c could fail.
    rows = [(z, 2016, "tech_contract_value", 100) for z in "abc"]
    rows += [("a", 2019, "tech_contract_value", 200), ("b", 2019, "tech_contract_value", 250)]
    card = run(GROWTH, rows)
    assert card.loc[("g", "ALL", 2019), "status"] == "insufficient_coverage"
    assert card.loc[("g", "c", 2019), "status"] == "no_data"


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


def test_a_rank_that_must_improve():
    # Lower is better. a: 50 → 48 (up two places: met, target 49); b: 30 → 30 (not up: not met in T);
    # b in 2017 at 31: below its base (worse) → moving away; c: not national in 2016, no base rank.
    rank = {
        "r": {
            "rule": "change",
            "scope": "each",
            "levels": ["national"],
            "indicator": "national_rank",
            "direction": "lower",
            "min_change": 1,
            "best": 1,
        }
    }
    rows = [("a", 2016, "national_rank", 50), ("a", 2019, "national_rank", 48), ("b", 2016, "national_rank", 30)]
    rows += [("b", 2017, "national_rank", 31), ("b", 2019, "national_rank", 30), ("c", 2019, "national_rank", 20)]
    card = run(rank, rows)
    assert card.loc[("r", "a", 2019), "target_value"] == 49.0
    assert card.loc[("r", "a", 2019), "status"] == "met"
    assert card.loc[("r", "b", 2019), "status"] == "not_met"
    assert card.loc[("r", "b", 2017), "status"] == "moving_away"
    assert card.loc[("r", "c", 2019), "status"] == "no_base_year"


def test_the_best_rank_holds_by_staying_first():
    rank = {"r": {"rule": "change", "scope": "each", "levels": ["national"], "indicator": "national_rank"}}
    rank["r"] |= {"direction": "lower", "min_change": 1, "best": 1}
    rows = [("a", 2016, "national_rank", 1), ("a", 2019, "national_rank", 1)]
    card = run(rank, rows)
    assert card.loc[("r", "a", 2019), "target_value"] == 1.0  # max(1 − 1, best 1)
    assert card.loc[("r", "a", 2019), "status"] == "met"


def test_a_zones_level_on_the_registry():
    # c is provincial until 2017 and national from 2018: value 0, 0 then 1, 1; base 0 → target 1.
    # 2017: the straight line from 0 to 1 stands at 1/3 > 0: off track.
    card = run({"up": {"rule": "zone_level", "zone": "c", "level": "national"}}, [])
    assert [card.loc[("up", "ALL", y), "value"] for y in YEARS] == [0.0, 1.0, 1.0]
    assert [card.loc[("up", "ALL", y), "status"] for y in YEARS] == ["off_track", "met", "met"]
    assert card.loc[("up", "c", 2019), "status"] == "met"  # the zone's own row


def test_zones_approved_after_the_base_year():
    # National after 2016: c (2018) → 0, 1, 1 by 2017-2019; provincial after 2016: d (2018).
    targets = {
        "nat": {"rule": "zones_approved", "level": "national", "min": 2},
        "prov": {"rule": "zones_approved", "level": "provincial", "min": 1},
        "count": {"rule": "zones_at_level", "level": "national", "min": 3},
    }
    card = run(targets, [])
    assert [card.loc[("nat", "ALL", y), "value"] for y in YEARS] == [0.0, 1.0, 1.0]
    assert card.loc[("nat", "ALL", 2019), "status"] == "not_met"
    assert card.loc[("prov", "ALL", 2019), "status"] == "met"
    # National zones: a, b in 2017 (2); a, b, c from 2018 (3 ≥ 3).
    assert [card.loc[("count", "ALL", y), "value"] for y in YEARS] == [2.0, 3.0, 3.0]
    assert card.loc[("count", "ALL", 2018), "status"] == "met"


def test_facilities_with_unknown_years():
    facilities = pd.DataFrame(
        {
            "id": ["p1", "p2", "p3", "p4"],
            "kind": ["platform"] * 4,
            "established": pd.array([2017, 2018, None, None], dtype="Int64"),
        }
    )
    target = {"f": {"rule": "facilities", "kind": "platform", "min": 2}}
    # Two of four years known: by 2018 two exist, which meets 2 whatever the unknown ones say.
    card = run(target, [], facilities=facilities)
    assert card.loc[("f", "ALL", 2018), "status"] == "met"
    # Needing 4: only 2 known by 2019 and half the years unknown (coverage 0.5 < 0.8): no verdict.
    card = run({"f": {"rule": "facilities", "kind": "platform", "min": 4}}, [], facilities=facilities)
    assert card.loc[("f", "ALL", 2019), "coverage"] == pytest.approx(0.5)
    assert card.loc[("f", "ALL", 2019), "status"] == "insufficient_coverage"
