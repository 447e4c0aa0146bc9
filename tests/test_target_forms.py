"""The target forms real plans use (ceilings and ranks, declines, N zones reaching a threshold) and
the engine defects found by an independent check, each on a tiny case worked by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from tests.conftest import make_plan
from tests.test_engine import NO_CLUSTERS, NO_FACILITIES, REGISTRY, run

from zonetrack.engine import Inputs, assess
from zonetrack.engine.rules import prepare
from zonetrack.engine.whatif import contributions, thresholds
from zonetrack.plans.model import StatusSettings

YEARS = [2017, 2018, 2019]
# Five zones national throughout (for the totals below), and one that only becomes a zone later.
FIVE = pd.DataFrame(
    {
        "zone_id": ["changsha", "zhuzhou", "xiangtan", "yiyang", "hengyang"],
        "provincial_since": pd.array([None] * 5, dtype="Int64"),
        "national_since": pd.array([1991] * 5, dtype="Int64"),
    }
)


def _inputs(rows, registry=REGISTRY, facilities=NO_FACILITIES, collected_for=None):
    panel = pd.DataFrame(rows, columns=["zone_id", "year", "indicator", "value"])
    return Inputs(panel, NO_CLUSTERS, registry, facilities, collected_for or {})


def _card(targets, inputs, status=None):
    card = assess(inputs, make_plan(targets), YEARS, status or StatusSettings())
    return card.assign(zone_id=card["zone_id"].astype(str), target_id=card["target_id"].astype(str)).set_index(
        ["target_id", "zone_id", "year"]
    )


# ------------------------------------------------------------------------ ceilings and ranks


RANK_30 = {"r": {"rule": "level", "scope": "each", "levels": ["national"], "indicator": "national_rank", "max": 30}}


def test_a_rank_target_top_30_is_met_by_ranks_at_or_above_30_not_below():
    # 进入全国前30位: rank ≤ 30. In 2019 (= T): a 142 and b 101 are not met, c 13 is met; the ALL
    # row of an each-target with a failed zone is not met.
    rows = [("a", 2016, "national_rank", 150), ("b", 2016, "national_rank", 120), ("c", 2016, "national_rank", 20)]
    rows += [("a", 2019, "national_rank", 142), ("b", 2019, "national_rank", 101), ("c", 2019, "national_rank", 13)]
    card = run(RANK_30, rows)
    assert card.loc[("r", "a", 2019), "status"] == "not_met"
    assert card.loc[("r", "b", 2019), "status"] == "not_met"
    assert card.loc[("r", "c", 2019), "status"] == "met"
    assert card.loc[("r", "ALL", 2019), "status"] == "not_met"
    # Before T, b at 29 ≤ 30 is met, and a at 30, on the ceiling itself, is met (inclusive).
    rows += [("b", 2018, "national_rank", 29), ("a", 2018, "national_rank", 30)]
    card = run(RANK_30, rows)
    assert card.loc[("r", "b", 2018), "status"] == "met"
    assert card.loc[("r", "a", 2018), "status"] == "met"


def test_a_rank_falling_towards_its_ceiling_is_judged_by_the_rate_of_its_fall():
    # a: 150 in 2016, 100 in 2017, ceiling 30 by 2019. Required: (30/150)^(1/3) − 1 = 0.584804 − 1
    # = −0.415196 a year; actual 100/150 − 1 = −0.333333. R = −(−0.333333)/0.415196 = 0.802833:
    # needs acceleration (0.6 ≤ R < 0.95). A rise to 160 is R < 0: moving away.
    rows = [("a", 2016, "national_rank", 150), ("a", 2017, "national_rank", 100), ("a", 2018, "national_rank", 160)]
    card = run(RANK_30, rows)
    assert card.loc[("r", "a", 2017), "ratio"] == pytest.approx(0.802833, abs=1e-6)
    assert card.loc[("r", "a", 2017), "status"] == "needs_acceleration"
    assert card.loc[("r", "a", 2018), "status"] == "moving_away"


def test_threshold_of_a_ceiling_is_met_at_or_above_it():
    # Ranks in 2019 (= T): a 13, b 29, c 45. Every national zone in the top N is met for N ≥ 45:
    # the critical ceiling is 45, met at it or above.
    rows = [(z, 2016, "national_rank", 60) for z in "abc"]
    rows += [("a", 2019, "national_rank", 13), ("b", 2019, "national_rank", 29), ("c", 2019, "national_rank", 45)]
    inputs = _inputs(rows)
    plan = make_plan(RANK_30)
    card = assess(inputs, plan, YEARS, StatusSettings())
    found = thresholds(prepare(inputs, plan, YEARS), plan, StatusSettings(), card)
    row = found[found["year"] == 2019].iloc[0]
    assert (row["parameter"], row["met_when"]) == ("max", "at_least")
    assert row["critical_value"] == pytest.approx(45.0)


# ------------------------------------------------------------------------------------ declines


DECLINE = {
    "e": {
        "rule": "growth",
        "scope": "total",
        "levels": ["national"],
        "indicator": "energy_consumption",
        "max_rate": -0.03,
    }
}


def test_a_decline_of_3_percent_a_year():
    # a alone (b, c without data at coverage 1/3 would withhold it: min_coverage 0.3 here).
    # 2016 100 → 2017 97: −3 %, R = −(−0.03)/0.03 = 1.0 ≥ 0.95: on track (the end value
    # 100 × 0.97³ = 91.2673 is not reached yet). 2019 91 ≤ 91.2673: met; 95 > 91.2673: not met.
    rows = [("a", 2016, "energy_consumption", 100), ("a", 2017, "energy_consumption", 97)]
    status = StatusSettings(min_coverage=0.3)
    card = run(DECLINE, [*rows, ("a", 2019, "energy_consumption", 91)], status=status)
    assert card.loc[("e", "ALL", 2017), "ratio"] == pytest.approx(1.0)
    assert card.loc[("e", "ALL", 2017), "status"] == "on_track"
    assert card.loc[("e", "ALL", 2017), "target_value"] == pytest.approx(91.2673)
    assert card.loc[("e", "ALL", 2019), "status"] == "met"
    card = run(DECLINE, [*rows, ("a", 2019, "energy_consumption", 95)], status=status)
    assert card.loc[("e", "ALL", 2019), "status"] == "not_met"


# ------------------------------------------------------------------ growth met before its year


def test_a_growth_target_is_not_met_before_its_year_by_one_fast_year():
    # 技术合同成交额年均增长25% by 2019, base 2016: 100 → 130 in 2017 (+30 %). Met before 2019 only
    # at the end value 100 × 1.25³ = 195.3125; 130 is below it: R = 0.30/0.25 = 1.2, on track.
    growth = {"g": {"rule": "growth", "scope": "each", "indicator": "tech_contract_value", "min_rate": 0.25}}
    rows = [("a", 2016, "tech_contract_value", 100), ("a", 2017, "tech_contract_value", 130)]
    card = run(growth, rows)
    assert card.loc[("g", "a", 2017), "status"] == "on_track"
    assert card.loc[("g", "a", 2017), "ratio"] == pytest.approx(1.2)
    assert card.loc[("g", "a", 2017), "target_value"] == pytest.approx(195.3125)
    # 200 ≥ 195.3125 in 2017: the end value is already reached: met.
    card = run(growth, [("a", 2016, "tech_contract_value", 100), ("a", 2017, "tech_contract_value", 200)])
    assert card.loc[("g", "a", 2017), "status"] == "met"


# ------------------------------------------------------------------------- N zones reaching X


def _reaching(**bound):
    return {"n": {"rule": "zones_reaching", "indicator": "revenue", "at_least": 1000, **bound}}


REVENUE_2019 = [
    ("a", 2016, "revenue", 800),
    ("a", 2019, "revenue", 1200),
    ("b", 2019, "revenue", 900),
    ("c", 2019, "revenue", 1500),
]  # d (a zone from 2018) reports nothing


def test_zones_reaching_a_threshold_counted_with_what_the_missing_zones_could_change():
    # 2019: of a, b, c, d in scope, a 1200 and c 1500 reach 1000 亿元; b 900 does not; d is missing.
    # min 2: 2 known ≥ 2, met whatever d holds (3 at most): met at coverage 3/4 = 0.75.
    card = run(_reaching(min=2), REVENUE_2019)
    assert card.loc[("n", "ALL", 2019), "value"] == 2.0
    assert card.loc[("n", "ALL", 2019), "coverage"] == pytest.approx(0.75)
    assert card.loc[("n", "ALL", 2019), "status"] == "met"
    # min 3: 2 known, 3 if d reaches it: d decides, and 0.75 < 0.8: insufficient coverage.
    assert run(_reaching(min=3), REVENUE_2019).loc[("n", "ALL", 2019), "status"] == "insufficient_coverage"
    # min 4: even with d, 3 < 4: not met whatever d holds.
    assert run(_reaching(min=4), REVENUE_2019).loc[("n", "ALL", 2019), "status"] == "not_met"
    # min_share 0.5: 2 of the 4 zones in scope = 0.5 ≥ 0.5: met.
    card = run(_reaching(min_share=0.5), REVENUE_2019)
    assert card.loc[("n", "ALL", 2019), "value"] == pytest.approx(0.5)
    assert card.loc[("n", "ALL", 2019), "status"] == "met"
    # Each zone's row says whether it reaches the zone-level threshold.
    assert card.loc[("n", "a", 2019), "status"] == "met"
    assert card.loc[("n", "b", 2019), "status"] == "not_met"


# ------------------------------------------------------------ the defects, one tiny case each


def test_zone_level_of_a_zone_not_yet_a_zone_in_the_base_year():
    # 怀化 provincial from 2017, national from 2018; the base year is 2016. Upgraded to national by
    # 2019: 2016 value 0 (not yet a zone, so not national); 2017: 0 against the straight line
    # 0 + (1 − 0) × 1/3 = 1/3: below it but not below the base: off track; 2018, 2019: met.
    registry = pd.DataFrame(
        {
            "zone_id": ["changsha", "huaihua"],
            "provincial_since": pd.array([None, 2017], dtype="Int64"),
            "national_since": pd.array([1991, 2018], dtype="Int64"),
        }
    )
    target = {"u": {"rule": "zone_level", "zone": "huaihua", "level": "national"}}
    card = _card(target, _inputs([], registry=registry))
    assert card.loc[("u", "ALL", 2017), "base_value"] == 0.0
    assert card.loc[("u", "ALL", 2017), "status"] == "off_track"
    assert card.loc[("u", "ALL", 2018), "status"] == "met"
    assert card.loc[("u", "ALL", 2019), "status"] == "met"


def test_a_total_covers_the_zones_in_its_sum_even_where_their_own_rate_is_undefined():
    # hte_doubling, 2016 → 2017: changsha, zhuzhou, xiangtan 100 → 120; yiyang, hengyang 0 → 10.
    # ALL 380 against base 300, target 600: actual 380/300 − 1 = 0.266667, required 2^(1/3) − 1 =
    # 0.259921, R = 0.266667/0.259921 = 1.025953: on track, and all five zones are in the sum:
    # coverage 1.0 (yiyang's own doubling from 0 is not assessable, but it is counted).
    rows = [(z, 2016, "high_tech_enterprises", 100) for z in ("changsha", "zhuzhou", "xiangtan")]
    rows += [(z, 2017, "high_tech_enterprises", 120) for z in ("changsha", "zhuzhou", "xiangtan")]
    rows += [(z, y, "high_tech_enterprises", v) for z in ("yiyang", "hengyang") for y, v in ((2016, 0), (2017, 10))]
    target = {"h": {"rule": "multiple", "scope": "total", "indicator": "high_tech_enterprises", "k": 2}}
    card = _card(target, _inputs(rows, registry=FIVE))
    row = card.loc[("h", "ALL", 2017)]
    assert (row["value"], row["base_value"], row["target_value"]) == (380.0, 300.0, 600.0)
    assert row["ratio"] == pytest.approx(1.025953, abs=1e-6)
    assert (row["status"], row["coverage"]) == ("on_track", 1.0)
    assert card.loc[("h", "yiyang", 2017), "status"] == "not_assessable"


def test_a_ratio_of_sums_covers_zones_reporting_zero_of_zero():
    # rd_institution_coverage ≥ 100 %: changsha 50 of 100 in 2016, 60 of 100 in 2017; zhuzhou 0 of 0
    # both years. Ratio of sums: 50/100 = 0.5 → 60/100 = 0.6; required (1/0.5)^(1/3) − 1 = 0.259921,
    # actual 0.6/0.5 − 1 = 0.2, R = 0.2/0.259921 = 0.769465: needs acceleration, coverage 2/2 = 1.0.
    registry = FIVE.iloc[:2]
    rows = [("changsha", 2016, "above_size_hte_with_rd", 50), ("changsha", 2016, "above_size_hte", 100)]
    rows += [("changsha", 2017, "above_size_hte_with_rd", 60), ("changsha", 2017, "above_size_hte", 100)]
    rows += [("zhuzhou", y, i, 0) for y in (2016, 2017) for i in ("above_size_hte_with_rd", "above_size_hte")]
    target = {
        "c": {
            "rule": "level",
            "scope": "total",
            "numerator": "above_size_hte_with_rd",
            "denominator": "above_size_hte",
            "min": 1.0,
            "display": "percent",
        }
    }
    row = _card(target, _inputs(rows, registry=registry)).loc[("c", "ALL", 2017)]
    assert row["ratio"] == pytest.approx(0.769465, abs=1e-6)
    assert (row["status"], row["coverage"]) == ("needs_acceleration", 1.0)


def test_a_facilities_verdict_the_unknown_years_cannot_change_is_given():
    # service_platforms min 5, four listed: one since 2010, one since 2018, two with unknown years.
    # 2019 (= T): 2 known, 4 at most < 5: not met whatever the unknown years (coverage 2/4 = 0.5).
    # 2017: 1 known (base 2016: 1), 3 at most; the line to 5 stands at 1 + 4/3 = 2.33: 1 is off track,
    # 3 would be on track: the unknown years decide, and 0.5 < 0.8: insufficient coverage.
    facilities = pd.DataFrame(
        {
            "id": ["p1", "p2", "p3", "p4"],
            "kind": ["platform"] * 4,
            "established": pd.array([2010, None, None, 2018], dtype="Int64"),
        }
    )
    target = {"s": {"rule": "facilities", "kind": "platform", "min": 5}}
    card = _card(target, _inputs([], facilities=facilities))
    assert (card.loc[("s", "ALL", 2019), "status"], card.loc[("s", "ALL", 2019), "coverage"]) == ("not_met", 0.5)
    assert card.loc[("s", "ALL", 2017), "status"] == "insufficient_coverage"


def test_contributions_to_a_fall_have_the_sign_of_the_gap():
    # energy_consumption total, lower by at least 10: changsha 100 → 98, zhuzhou 50 → 52 (2016 → 2019).
    # Total 150 → 150, target 140: gap 150 − 140 = 10. Each zone's requirement is its base scaled to
    # the target: changsha 100 × 140/150 = 93.333, zhuzhou 50 × 140/150 = 46.667; its part is how far
    # it stands above it: 98 − 93.333 = 4.667 and 52 − 46.667 = 5.333 (sum 10).
    rows = [("changsha", 2016, "energy_consumption", 100), ("changsha", 2019, "energy_consumption", 98)]
    rows += [("zhuzhou", 2016, "energy_consumption", 50), ("zhuzhou", 2019, "energy_consumption", 52)]
    target = {
        "e": {
            "rule": "change",
            "scope": "total",
            "indicator": "energy_consumption",
            "direction": "lower",
            "min_change": 10,
        }
    }
    inputs = _inputs(rows, registry=FIVE.iloc[:2])
    plan = make_plan(target)
    card = assess(inputs, plan, YEARS, StatusSettings())
    parts = contributions(prepare(inputs, plan, YEARS), card).set_index("zone_id")["contribution"]
    assert parts["changsha"] == pytest.approx(4.666667, abs=1e-6)
    assert parts["zhuzhou"] == pytest.approx(5.333333, abs=1e-6)
    assert parts.sum() == pytest.approx(10.0)


def test_coverage_counts_only_the_zones_an_indicator_is_collected_from():
    # national_rank is collected from national zones only. A scenario widening the rank target to
    # provincial zones: a, b, c national in 2019 with ranks; d provincial without one is not
    # missing. Coverage 3/3 = 1.0 (not 3/4 = 0.75); a 13, b 29, c 30 ≤ 30: met.
    target = {"r": {**RANK_30["r"], "levels": ["national", "provincial"]}}
    rows = [(z, y, "national_rank", r) for z, r in (("a", 13), ("b", 29), ("c", 30)) for y in (2016, 2019)]
    card = _card(target, _inputs(rows, collected_for={"national_rank": "national"}))
    assert card.loc[("r", "ALL", 2019), "coverage"] == 1.0
    assert card.loc[("r", "ALL", 2019), "status"] == "met"
    # Without the dictionary's word, d counts as missing.
    assert _card(target, _inputs(rows)).loc[("r", "ALL", 2019), "coverage"] == pytest.approx(0.75)


# ------------------------------------------------------------- milestones, stated bases, no base


def test_a_milestone_is_assessed_against_its_own_year():
    # 力争到2018年达到10家 in a plan to 2019: a count, straight line from 4 (2016) to 10 by 2018:
    # 2017 line 4 + 6/2 = 7, value 8 ≥ 7: on track; 2018 (its year) 9 < 10: not met; 2019 11: met.
    target = {
        "m": {"rule": "count", "scope": "total", "indicator": "national_incubators", "min": 10, "target_year": 2018}
    }
    rows = [("a", y, "national_incubators", v) for y, v in ((2016, 4), (2017, 8), (2018, 9), (2019, 11))]
    card = run(target, rows, status=StatusSettings(min_coverage=0.2))
    assert [card.loc[("m", "ALL", y), "status"] for y in YEARS] == ["on_track", "not_met", "met"]


def test_a_milestone_outside_the_plan_is_an_error():
    with pytest.raises(ValueError, match="target_year: 2021 is outside the plan's years 2017-2019"):
        make_plan(
            {
                "m": {
                    "rule": "count",
                    "scope": "total",
                    "indicator": "national_incubators",
                    "min": 10,
                    "target_year": 2021,
                }
            }
        )


def test_a_base_the_plan_states_replaces_the_missing_base_data():
    # 营业收入由8.1万亿元翻一番 with no zone statistics for the base year: base 8.1 (stated), k = 2:
    # target 16.2. 2019 (= T): a 9 + b 8 = 17 ≥ 16.2, met; 2017: 10 (a 5 + b 5), actual 10/8.1 − 1 =
    # 0.234568 against 2^(1/3) − 1 = 0.259921: R = 0.902459, needs acceleration.
    target = {
        "d": {
            "rule": "multiple",
            "scope": "total",
            "levels": ["national"],
            "indicator": "revenue",
            "k": 2,
            "base_value": 8.1,
            "base_source": "规划第二部分: 2022年营业收入8.1万亿元",
        }
    }
    rows = [("a", 2017, "revenue", 5), ("b", 2017, "revenue", 5), ("a", 2019, "revenue", 9), ("b", 2019, "revenue", 8)]
    card = run(target, rows, status=StatusSettings(min_coverage=0.6))
    assert card.loc[("d", "ALL", 2019), "target_value"] == pytest.approx(16.2)
    assert card.loc[("d", "ALL", 2019), "status"] == "met"
    assert card.loc[("d", "ALL", 2017), "ratio"] == pytest.approx(0.902459, abs=1e-6)
    assert card.loc[("d", "ALL", 2017), "status"] == "needs_acceleration"
    with pytest.raises(ValueError, match="base_value needs base_source"):
        make_plan({"d": {**target["d"], "base_source": ""}})


def test_a_level_without_base_data_still_shows_its_gap_and_all_says_why():
    # Every zone's level of 30 before T with no 2016 values: no rate, so no_base_year per zone, and
    # the ALL row says no_base_year (the reason), not no_data. The gap stays: 30 − 20 = 10 for a.
    target = {"l": {"rule": "level", "scope": "each", "levels": ["national"], "indicator": "rd_expenditure", "min": 30}}
    rows = [("a", 2017, "rd_expenditure", 20), ("b", 2017, "rd_expenditure", 25)]
    inputs = _inputs(rows)
    plan = make_plan(target)
    card = assess(inputs, plan, YEARS, StatusSettings())
    indexed = card.assign(zone_id=card["zone_id"].astype(str)).set_index(["zone_id", "year"])
    assert indexed.loc[("a", 2017), "status"] == "no_base_year"
    assert indexed.loc[("ALL", 2017), "status"] == "no_base_year"
    from zonetrack.engine.whatif import gaps

    found = gaps(card, plan).set_index(["zone_id", "year"])
    assert found.loc[("a", 2017), "gap"] == pytest.approx(10.0)


# ------------------------------------------------------------------- regions and registry counts


TWO_PROVINCES = pd.DataFrame(
    {
        "zone_id": ["a", "b", "c", "x", "y"],
        "province": ["湖南省", "湖南省", "湖南省", "湖北省", "湖北省"],
        "city": ["长沙市", "株洲市", "株洲市", "武汉市", "宜昌市"],
        "provincial_since": pd.array([None, None, 2018, None, 2017], dtype="Int64"),
        "national_since": pd.array([1991, 1992, None, 1991, None], dtype="Int64"),
    }
)


def test_a_plan_sees_its_regions_zones_only():
    # 湖南省: a, b national; 湖北省's x is national too and must not count: 2 national zones, not 3.
    target = {"n": {"rule": "zones_at_level", "level": "national", "min": 3}}
    card = _card(target, _inputs([], registry=TWO_PROVINCES))
    assert card.loc[("n", "ALL", 2019), "value"] == 2.0
    assert card.loc[("n", "ALL", 2019), "status"] == "not_met"
    # A statistics target: x's revenue is not in Hunan's total (a 10 + b 20 = 30, c has none).
    rows = [("a", 2019, "revenue", 10), ("b", 2019, "revenue", 20), ("x", 2019, "revenue", 1000)]
    total = {"t": {"rule": "level", "scope": "total", "indicator": "revenue", "min": 25}}
    card = _card(total, _inputs(rows, registry=TWO_PROVINCES))
    assert card.loc[("t", "ALL", 2019), "value"] == 30.0
    assert "x" not in set(card.reset_index()["zone_id"])


def test_counts_over_groups_and_cities_and_every_city_covered():
    # 株洲市 has b (national) and c (provincial from 2018); 长沙市 has a (national).
    counts = {
        "g": {"rule": "zones_at_level", "level": "national", "min": 1, "cities": ["株洲市"]},
        "p": {"rule": "zones_approved", "level": "provincial", "min": 1, "cities": ["株洲市"]},
        # Every city of 湖南省 (长沙市, 株洲市) with a provincial zone: only 株洲市 from 2018 (c).
        "cov": {"rule": "cities_covered", "level": "provincial"},
    }
    card = _card(counts, _inputs([], registry=TWO_PROVINCES))
    assert card.loc[("g", "ALL", 2019), "value"] == 1.0  # b
    assert card.loc[("p", "ALL", 2017), "value"] == 0.0 and card.loc[("p", "ALL", 2018), "value"] == 1.0
    # cities_covered: 0 of 2 in 2017, 1 of 2 in 2018 and 2019; the target is 2 (every city): not met in 2019.
    assert card.loc[("cov", "ALL", 2017), "value"] == 0.0
    assert card.loc[("cov", "ALL", 2019), "value"] == 1.0
    assert card.loc[("cov", "ALL", 2019), "target_value"] == 2.0
    assert card.loc[("cov", "ALL", 2019), "status"] == "not_met"


def test_a_count_where_the_registry_is_not_known_complete_is_insufficient_coverage_never_not_met():
    # 湖北省 provincial zones: nothing says the registry lists them all. y alone is listed from
    # 2017: 1 zone against min 3 in 2019 could be 3 with zones not listed: insufficient coverage.
    # min 1: met by what is listed, whatever is missing.
    from zonetrack.registry import load_coverage

    coverage = load_coverage(__import__("tests.conftest").conftest.RAW / "registry_coverage.csv")
    inputs = Inputs(
        pd.DataFrame(columns=["zone_id", "year", "indicator", "value"]),
        NO_CLUSTERS,
        TWO_PROVINCES,
        NO_FACILITIES,
        {},
        coverage,
    )
    plan = make_plan(
        {
            "p": {"rule": "zones_at_level", "level": "provincial", "min": 3},
            "q": {"rule": "zones_at_level", "level": "provincial", "min": 1},
        }
    )
    plan = plan.model_copy(update={"region": "湖北省"})
    card = assess(inputs, plan, YEARS, StatusSettings()).astype({"target_id": str}).set_index(["target_id", "year"])
    assert card.loc[("p", 2019), "status"] == "insufficient_coverage"
    assert card.loc[("q", 2019), "status"] == "met"
