"""The status method, rule by rule, with numbers worked by hand (base 2016, target year 2019)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zonetrack.engine.status import STATUS_ORDER, Bands, classify
from zonetrack.plans.model import StatusSettings

B, T = 2016, 2019
BANDS = Bands.of(StatusSettings())  # the method's defaults: 0.95, 0.60, 1e-9


def one(rule, year, value, base, target, required=math.nan):
    """Status, actual rate and R of a single row."""
    row = classify(
        rule,
        np.array([year]),
        np.array([value], dtype=float),
        np.array([base], dtype=float),
        np.array([target], dtype=float),
        np.array([required], dtype=float),
        B,
        T,
        BANDS,
    ).iloc[0]
    return row["status"], row["actual_rate"], row["ratio"]


# level: target 30 from base 20 needs (30/20)^(1/3) − 1 = 1.1447142 − 1 = 0.1447142 a year.
LEVEL_REQUIRED = 1.5 ** (1 / 3) - 1


def test_level_required_rate_worked_by_hand():
    assert pytest.approx(0.144714, abs=1e-6) == LEVEL_REQUIRED


@pytest.mark.parametrize(
    ("year", "value", "status", "ratio"),
    [
        (2017, 31.0, "met", None),  # 31 ≥ 30 before T: met, no base needed
        (2018, 25.992, "on_track", 0.967424),  # 20·1.14² = 25.992: actual 0.14, R = 0.14/0.1447142 = 0.967424
        (2018, 24.2, "needs_acceleration", 0.691017),  # 20·1.10² = 24.2: R = 0.10/0.1447142 = 0.691017
        (2018, 22.05, "off_track", 0.345508),  # 20·1.05² = 22.05: R = 0.05/0.1447142 = 0.345508
        (2017, 19.0, "moving_away", -0.345508),  # 19/20 − 1 = −0.05: R = −0.05/0.1447142 = −0.345508
        (2019, 30.0, "met", None),  # exactly at the target in T
        (2019, 29.99, "not_met", None),
    ],
)
def test_level_statuses(year, value, status, ratio):
    got, _, r = one("level", year, value, 20.0, 30.0, LEVEL_REQUIRED)
    assert got == status
    if ratio is not None:
        assert r == pytest.approx(ratio, abs=1e-6)


def test_level_base_already_past_the_target_is_moving_away():
    # Base 35 ≥ target 30, latest 29 < 30: required growth is negative; the plan went backwards.
    required = (30 / 35) ** (1 / 3) - 1
    assert one("level", 2017, 29.0, 35.0, 30.0, required)[0] == "moving_away"


def test_level_base_zero_is_not_assessable_unless_met():
    assert one("level", 2017, 10.0, 0.0, 30.0)[0] == "not_assessable"
    assert one("level", 2017, 31.0, 0.0, 30.0)[0] == "met"


def test_level_missing_base_year():
    # A current value without a base value: no_base_year (distinct from no_data, no current value).
    assert one("level", 2017, 10.0, math.nan, 30.0)[0] == "no_base_year"
    assert one("level", 2017, 31.0, math.nan, 30.0)[0] == "met"  # met needs no base
    assert one("level", 2019, 29.0, math.nan, 30.0)[0] == "not_met"  # nor does not met in T


def test_missing_latest_year_is_no_data():
    for rule in ("level", "growth", "multiple", "count", "clusters"):
        assert one(rule, 2018, math.nan, 10.0, 20.0, 0.25)[0] == "no_data", rule


@pytest.mark.parametrize(
    ("year", "value", "status"),
    [
        (2019, 195.3125, "met"),  # 100·1.25³ = 195.3125 exactly: at the threshold
        (2019, 195.0, "not_met"),
        (2017, 125.0, "met"),  # 125/100 − 1 = 0.25 = min_rate: the average rate reaches it in 2017
        (2017, 124.0, "on_track"),  # 0.24 / 0.25 = R 0.96 ≥ 0.95
        (2018, 140.0, "needs_acceleration"),  # 1.4^(1/2) − 1 = 0.183216: R = 0.7329
        (2018, 110.0, "off_track"),  # 1.1^(1/2) − 1 = 0.048809: R = 0.1952
        (2018, 90.0, "moving_away"),  # 0.9^(1/2) − 1 = −0.051317
        # After the target year: met only if the average rate since 2016 still reaches 25 %. 2020 at
        # 100·1.189⁴ = 199.86: 18.9 %/yr < 25 %, not met (target 100·1.25⁴ = 244.14).
        (2020, 199.86, "not_met"),
        (2020, 244.15, "met"),
    ],
)
def test_growth_statuses(year, value, status):
    # Met in year t when the average rate from 2016 to t reaches 25 %: the value base·1.25^(t − b).
    assert one("growth", year, value, 100.0, 100.0 * 1.25 ** (year - B), 0.25)[0] == status


def test_growth_ratio_exactly_at_the_band_threshold():
    # Actual 0.19 against required 0.20 gives R = 0.95 exactly, the on_track threshold; in floating
    # point 1.19² then sqrt − 1 is not exactly 0.19, so the tolerance decides and it is inclusive.
    value = 100.0 * 1.19 * 1.19
    status, actual, ratio = one("growth", 2018, value, 100.0, 100.0 * 1.2**2, 0.20)
    assert actual == pytest.approx(0.19, abs=1e-12)
    assert ratio == pytest.approx(0.95, abs=1e-12)
    assert status == "on_track"


def test_growth_base_zero_is_not_assessable_even_when_large():
    assert one("growth", 2019, 50.0, 0.0, 0.0, 0.25)[0] == "not_assessable"


def test_growth_missing_base_is_no_base_year():
    assert one("growth", 2019, 50.0, math.nan, math.nan, 0.25)[0] == "no_base_year"


@pytest.mark.parametrize(
    ("year", "value", "status"),
    [
        (2019, 200.0, "met"),  # 2 × 100 exactly
        (2019, 199.0, "not_met"),
        (2018, 150.0, "needs_acceleration"),  # 1.5^(1/2) − 1 = 0.224745; 2^(1/3) − 1 = 0.259921; R = 0.8647
        (2017, 130.0, "on_track"),  # 0.30 / 0.259921 = 1.154
        (2017, 200.0, "met"),  # doubled already
        (2018, 95.0, "moving_away"),
        (2018, 110.0, "off_track"),  # 1.1^(1/2) − 1 = 0.048809; R = 0.048809 / 0.259921 = 0.1878
    ],
)
def test_multiple_statuses(year, value, status):
    assert one("multiple", year, value, 100.0, 200.0, 2 ** (1 / 3) - 1)[0] == status


def test_multiple_missing_base_is_no_base_year():
    assert one("multiple", 2018, 150.0, math.nan, math.nan, 2 ** (1 / 3) - 1)[0] == "no_base_year"


def test_multiple_base_zero_not_assessable():
    assert one("multiple", 2019, 5.0, 0.0, 0.0, 2 ** (1 / 3) - 1)[0] == "not_assessable"


@pytest.mark.parametrize(
    ("year", "value", "base", "target", "status"),
    [
        (2017, 2.0, 0.0, 2.0, "met"),
        (2017, 1.0, 0.0, 2.0, "on_track"),  # line 0 + 2·1/3 = 0.667 ≤ 1
        (2018, 1.0, 0.0, 3.0, "off_track"),  # line 0 + 3·2/3 = 2 > 1 ≥ base 0
        (2017, 1.0, 0.0, 3.0, "on_track"),  # line 0 + 3·1/3 = 1: exactly on the line
        (2018, 0.0, 1.0, 2.0, "moving_away"),  # below the base count
        (2019, 1.0, 0.0, 2.0, "not_met"),
        (2019, 2.0, 5.0, 2.0, "met"),  # base past the target, still at it in T
        (2018, 1.0, 5.0, 2.0, "moving_away"),  # base past the target, fell below it
        (2017, 2.0, math.nan, 2.0, "met"),  # met needs no base
        (2017, 1.0, math.nan, 2.0, "no_base_year"),  # no line without a base count
    ],
)
def test_count_statuses(year, value, base, target, status):
    assert one("count", year, value, base, target)[0] == status
    assert one("clusters", year, value, base, target)[0] == status


RANK = {s: i for i, s in enumerate(STATUS_ORDER)}
positive = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(
    base=positive,
    value=positive,
    year=st.integers(2017, 2019),
    factor=st.floats(1e-3, 1e3),
    rule=st.sampled_from(["growth", "multiple"]),
)
def test_scaling_a_series_changes_no_growth_or_multiple_status(base, value, year, factor, rule):
    # The target value scales with the base (k·base, base·(1+r)^3); the required rate does not.
    def status(scale):
        if rule == "growth":
            target, required = base * scale * 1.25 ** (year - B), 0.25
        else:
            target, required = 2 * base * scale, 2 ** (1 / 3) - 1
        return one(rule, year, value * scale, base * scale, target, required)[0]

    assert status(factor) == status(1.0)


@settings(max_examples=200, deadline=None)
@given(
    base=positive,
    value=positive,
    year=st.integers(2017, 2019),
    low=positive,
    raise_by=positive,
    rule=st.sampled_from(["level", "count", "clusters"]),
)
def test_raising_a_threshold_never_improves_a_status(base, value, year, low, raise_by, rule):
    def status(target):
        required = (target / base) ** (1 / 3) - 1
        return one(rule, year, value, base, target, required)[0]

    assert RANK[status(low + raise_by)] >= RANK[status(low)]


@settings(max_examples=200, deadline=None)
@given(
    base=positive, value=positive, year=st.integers(2017, 2019), rate=st.floats(0.0, 1.0), more=st.floats(0.001, 1.0)
)
def test_raising_the_growth_rate_never_improves_a_status(base, value, year, rate, more):
    def status(r):
        return one("growth", year, value, base, base * (1 + r) ** (year - B), r)[0]

    assert RANK[status(rate + more)] >= RANK[status(rate)]


# ------------------------------------------------------------------ statuses.csv, joined by code


def _status_rows(path) -> tuple[str, list[str]]:
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    return header, rows


def test_the_status_order_is_the_engines_whatever_the_row_order_of_statuses_csv(tmp_path):
    from zonetrack.engine.status import STATUS_FILE, Status, read_status_table

    header, rows = _status_rows(STATUS_FILE)
    shuffled = tmp_path / "statuses.csv"
    # Sorted A→Z, as a spreadsheet sorts it: insufficient_coverage, met, moving_away, ...
    shuffled.write_text("\n".join([header, *sorted(rows)]) + "\n", encoding="utf-8")
    table = read_status_table(shuffled)
    assert [row["code"] for row in table] == [s.value for s in Status]
    assert [row["code"] for row in table][:6] == list(STATUS_ORDER)
    assert table == read_status_table(STATUS_FILE)


def test_a_missing_an_unknown_or_a_twice_given_status_code_is_an_error_at_its_line(tmp_path):
    from zonetrack.engine.status import STATUS_FILE, read_status_table
    from zonetrack.problems import ProblemsError

    header, rows = _status_rows(STATUS_FILE)
    broken = [r for r in rows if not r.startswith("on_track,")]  # on_track left out
    broken[1] = broken[1].replace("needs_acceleration,", "needs_accel,", 1)  # line 3: a typo
    broken.append(broken[0])  # line 11: met again
    path = tmp_path / "statuses.csv"
    path.write_text("\n".join([header, *broken]) + "\n", encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        read_status_table(path)
    messages = [str(p) for p in caught.value.problems]
    assert any(":3:code: error: 'needs_accel' is not a status code" in m for m in messages)
    assert any(":11:code: error: status 'met' is given twice" in m for m in messages)
    assert any("status 'on_track' has no row" in m for m in messages)
    assert any("status 'needs_acceleration' has no row" in m for m in messages)
