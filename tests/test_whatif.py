"""What it would take: gaps, required growth, projections, thresholds and contributions, worked by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from tests.conftest import make_plan
from tests.test_engine import NO_CLUSTERS, NO_FACILITIES, PATENTS, REGISTRY

from zonetrack.engine import Inputs, assess
from zonetrack.engine.rules import prepare
from zonetrack.engine.whatif import contributions, gaps, thresholds
from zonetrack.plans.model import StatusSettings

YEARS = [2017, 2018, 2019]
DOUBLING = {
    "h": {"rule": "multiple", "scope": "total", "levels": ["national"], "indicator": "high_tech_enterprises", "k": 2}
}
# National a and b (c becomes national in 2018 without a 2016 value: outside the like-for-like sum).
ROWS = [
    ("a", 2016, "high_tech_enterprises", 100),
    ("b", 2016, "high_tech_enterprises", 50),
    ("a", 2017, "high_tech_enterprises", 110),
    ("b", 2017, "high_tech_enterprises", 55),
    ("a", 2019, "high_tech_enterprises", 150),
    ("b", 2019, "high_tech_enterprises", 60),
]
STATUS = StatusSettings(min_coverage=0.5)


def setup(targets, rows):
    panel = pd.DataFrame(rows, columns=["zone_id", "year", "indicator", "value"])
    inputs = Inputs(panel, NO_CLUSTERS, REGISTRY, NO_FACILITIES)
    plan = make_plan(targets)
    card = assess(inputs, plan, YEARS, STATUS)
    return inputs, plan, card


def _at(frame, **keys):
    mask = pd.Series(True, index=frame.index)
    for key, value in keys.items():
        mask &= frame[key] == value
    assert mask.sum() == 1, keys
    return frame[mask].iloc[0]


def test_gap_required_growth_and_projection_before_the_target_year():
    _, plan, card = setup(DOUBLING, ROWS)
    row = _at(gaps(card, plan), year=2017, target_id="h", zone_id="ALL")
    # 2017: total 110 + 55 = 165 from 150; the target is 2 × 150 = 300: gap 135.
    assert row["gap"] == pytest.approx(135.0)
    assert row["target_at_end"] == pytest.approx(300.0)
    # Achieved: 165/150 − 1 = 10.0 %/yr; required for 2018-2019: (300/165)^(1/2) − 1 = 34.840 %/yr.
    assert row["achieved_rate"] == pytest.approx(0.10)
    assert row["required_rate_remaining"] == pytest.approx((300 / 165) ** 0.5 - 1)
    assert row["required_rate_remaining"] == pytest.approx(0.348399, abs=1e-6)
    # Projection at 10 %/yr: 165 · 1.1² = 199.65 in 2019; 300 is reached after ln(300/165)/ln(1.1) =
    # 0.597837 / 0.0953102 = 6.27 years, in 2017 + 6.27 → 2024.
    assert row["projection"] == pytest.approx(199.65)
    assert row["reach_year"] == 2024


def test_zone_gaps_and_contributions_add_up_to_the_total_gap():
    inputs, plan, card = setup(DOUBLING, ROWS)
    # 2019: 150 + 60 = 210 against 300: gap 90. a needs 100 · 300/150 = 200 and has 150 (50 short);
    # b needs 50 · 2 = 100 and has 60 (40 short): 50 + 40 = 90.
    assert _at(gaps(card, plan), year=2019, target_id="h", zone_id="ALL")["gap"] == pytest.approx(90.0)
    parts = contributions(prepare(inputs, plan, YEARS), card)
    parts_2019 = parts[parts["year"] == 2019].set_index("zone_id")
    assert parts_2019.loc["a", "contribution"] == pytest.approx(50.0)
    assert parts_2019.loc["b", "contribution"] == pytest.approx(40.0)
    assert parts_2019.loc["a", "share_of_gap"] == pytest.approx(50 / 90)


def test_contributions_to_a_ratio_of_sums():
    target = {"p": PATENTS}
    rows = [("a", 2019, "invention_patents", 900), ("a", 2019, "population", 10)]
    rows += [("b", 2019, "invention_patents", 100), ("b", 2019, "population", 90)]
    inputs, plan, card = setup(target, rows)
    # Value (900 + 100) / (10 + 90) = 10 against 30: gap 20. A zone's part is (30 · pop − patents) / 100:
    # a (300 − 900)/100 = −6 (it makes up), b (2700 − 100)/100 = 26; −6 + 26 = 20.
    parts = contributions(prepare(inputs, plan, YEARS), card).set_index("zone_id")
    assert parts.loc["a", "contribution"] == pytest.approx(-6.0)
    assert parts.loc["b", "contribution"] == pytest.approx(26.0)
    assert parts["contribution"].sum() == pytest.approx(20.0)


def test_threshold_of_a_doubling_found_through_the_engine():
    inputs, plan, card = setup(DOUBLING, ROWS)
    found = thresholds(prepare(inputs, plan, YEARS), plan, STATUS, card)
    row = _at(found, year=2019, target_id="h")
    # Met when k ≤ 210 / 150 = 1.4.
    assert row["parameter"] == "k" and row["met_when"] == "at_most"
    assert row["critical_value"] == pytest.approx(1.4, rel=1e-6)


def test_threshold_of_an_each_growth_target_is_the_slowest_zone():
    growth = {"g": {"rule": "growth", "scope": "each", "levels": ["national"], "indicator": "high_tech_enterprises"}}
    growth["g"]["min_rate"] = 0.25
    inputs, plan, card = setup(growth, ROWS)
    row = _at(thresholds(prepare(inputs, plan, YEARS), plan, STATUS, card), year=2019, target_id="g")
    # a: (150/100)^(1/3) − 1 = 14.47 %; b: (60/50)^(1/3) − 1 = 6.27 %: met for every zone when the
    # required rate is at most b's 6.27 %.
    assert row["critical_value"] == pytest.approx(1.2 ** (1 / 3) - 1, rel=1e-6)


def test_threshold_never_met_when_a_zone_declines():
    growth = {"g": {"rule": "growth", "scope": "each", "levels": ["national"], "indicator": "high_tech_enterprises"}}
    growth["g"]["min_rate"] = 0.1
    rows = [r for r in ROWS if not (r[0] == "b" and r[1] == 2019)] + [("b", 2019, "high_tech_enterprises", 40)]
    inputs, plan, card = setup(growth, rows)
    row = _at(thresholds(prepare(inputs, plan, YEARS), plan, STATUS, card), year=2019, target_id="g")
    assert row["met_when"] == "never"  # b fell from 50 to 40: no positive rate is met


def test_each_gap_counts_the_zones_not_meeting_it():
    count = {
        "n": {"rule": "count", "scope": "each", "levels": ["national"], "indicator": "national_incubators", "min": 2}
    }
    rows = [
        ("a", 2019, "national_incubators", 1),
        ("b", 2019, "national_incubators", 0),
        ("c", 2019, "national_incubators", 3),
    ]
    _, plan, card = setup(count, rows)
    found = gaps(card, plan)
    assert _at(found, year=2019, target_id="n", zone_id="ALL")["gap"] == 2.0  # a and b fall short
    assert _at(found, year=2019, target_id="n", zone_id="b")["gap"] == 2.0  # 2 − 0


def test_a_zone_that_lost_first_place_must_regain_it_not_pass_it():
    # Lower is better, at least 1 place up, and first place holds (best 1). a was first in 2016 and is
    # second in 2017: what meets the target by 2019 is first place, max(1 − 1, 1) = 1, not rank 0.
    # Required: from 2 to 1 over the two remaining years, (1 − 2)/2 = −0.5 places a year.
    rank = {"r": {"rule": "change", "scope": "each", "levels": ["national"], "indicator": "national_rank"}}
    rank["r"] |= {"direction": "lower", "min_change": 1, "best": 1}
    _, plan, card = setup(rank, [("a", 2016, "national_rank", 1), ("a", 2017, "national_rank", 2)])
    row = _at(gaps(card, plan), year=2017, target_id="r", zone_id="a")
    assert row["target_at_end"] == 1.0
    assert row["required_per_year_remaining"] == pytest.approx(-0.5)
