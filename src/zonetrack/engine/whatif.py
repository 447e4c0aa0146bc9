"""What it would take: gaps, the growth still required, projections at the rate achieved so far,
the threshold at which each verdict on all zones flips, and which zones hold a total back.

All of it is computed from the scorecard and the panel by the assess stage; the reports only show
it. Thresholds are found by evaluating the engine over the target's parameter, in process.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd

from zonetrack.engine.rules import (
    ALL,
    Prepared,
    assess_target,
    components,
    scope_mask,
    target_rows,
    target_values,
)
from zonetrack.engine.status import CODE, MET, NO_BASE_YEAR, STATUS_ORDER
from zonetrack.io import stated_precision
from zonetrack.plans.model import CEILING_KEYS, Plan, StatusSettings

GAP_COLUMNS = [
    "year",
    "target_id",
    "zone_id",
    "gap",
    "target_at_end",
    "achieved_rate",
    "required_rate_remaining",
    "achieved_per_year",
    "required_per_year_remaining",
    "projection",
    "reach_year",
]
THRESHOLD_COLUMNS = ["year", "target_id", "parameter", "plan_value", "run_value", "critical_value", "met_when"]
CONTRIBUTION_COLUMNS = ["year", "target_id", "zone_id", "contribution", "share_of_gap"]
_SEARCH_STEPS = 60


def _end_target(target, base: np.ndarray, plan: Plan) -> np.ndarray:
    """The value that meets the target in the target year: the engine's own (a registry target is a
    count of its `min`, or 1 for a zone's level)."""
    if target.on_registry or target.counts_zones:
        return np.full(len(base), target.bound)
    years = np.full(len(base), plan.end_year(target))
    return target_values(target, years, base, plan.base_year, plan.end_year(target))[0]


def gaps(scorecard: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """For every row of a target on statistics that is not met: the gap in the target's unit, the
    average growth achieved so far and the growth (or yearly increase) still required over the
    remaining years, the value projected for the target year at the rate achieved so far, and the
    year the target would be reached at that rate. For an `each` target's ALL row the gap is the
    number of zones not yet meeting it."""
    parts = []
    for target_id, target in plan.targets.items():
        rows = scorecard[(scorecard["target_id"] == target_id) & ~scorecard["status"].isin([MET])]
        # A level without a base year still has a gap to its target (only its rates are unknown).
        gap_without_base = (rows["status"] == NO_BASE_YEAR) & rows["value"].notna() & (not target.needs_base_for_met)
        rows = rows[rows["status"].isin(STATUS_ORDER) | gap_without_base]
        if rows.empty:
            continue
        year = rows["year"].to_numpy(dtype="float64")
        value = rows["value"].to_numpy(dtype="float64")
        base = rows["base_value"].to_numpy(dtype="float64")
        each_all = (rows["zone_id"] == ALL).to_numpy() & (getattr(target, "scope", "total") == "each")
        sign = target.better_sign
        gap = sign * (rows["target_value"].to_numpy(dtype="float64") - value)
        end = _end_target(target, base, plan)
        remaining = plan.end_year(target) - year
        elapsed = year - plan.base_year
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            achieved = np.where((base > 0) & (value >= 0), (value / base) ** (1 / elapsed) - 1, np.nan)
            required = np.where((remaining > 0) & (value > 0) & (end > 0), (end / value) ** (1 / remaining) - 1, np.nan)
            per_year = (value - base) / elapsed
            per_year_needed = np.where(remaining > 0, (end - value) / remaining, np.nan)
            if target.growth_path:
                projection = np.where(remaining > 0, value * (1 + achieved) ** remaining, np.nan)
                reach = year + np.log(end / value) / np.log1p(achieved)
                reach = np.where((achieved > 0) & (end > value) & (value > 0), np.ceil(reach - 1e-9), np.nan)
            else:
                projection = np.where(remaining > 0, value + per_year * remaining, np.nan)
                reach = np.where(sign * per_year > 0, year + np.ceil(gap / np.abs(per_year) - 1e-9), np.nan)
        if not target.growth_path:
            achieved = required = np.full(len(rows), np.nan)
        else:
            per_year = per_year_needed = np.full(len(rows), np.nan)
        # An `each` ALL row: how many zones do not meet it yet (the value is the share that do).
        if each_all.any():
            zone_rows = scorecard[(scorecard["target_id"] == target_id) & (scorecard["zone_id"] != ALL)]
            failing = zone_rows["status"].isin(STATUS_ORDER) & (zone_rows["status"] != MET)
            not_met = zone_rows[failing].groupby("year").size()
            counted = pd.Series(year).map(not_met).fillna(0.0).to_numpy(dtype="float64")
            gap = np.where(each_all, counted, gap)
        for column in (achieved, required, per_year, per_year_needed, projection, reach, end):
            column[each_all] = np.nan
        parts.append(
            pd.DataFrame(
                {
                    "year": rows["year"].to_numpy(dtype="int64"),
                    "target_id": target_id,
                    "zone_id": rows["zone_id"].astype(str).to_numpy(),
                    "gap": gap,
                    "target_at_end": end,
                    "achieved_rate": achieved,
                    "required_rate_remaining": required,
                    "achieved_per_year": per_year,
                    "required_per_year_remaining": per_year_needed,
                    "projection": projection,
                    "reach_year": reach,
                }
            )
        )
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in GAP_COLUMNS})
    return pd.concat(parts, ignore_index=True)[GAP_COLUMNS].sort_values(
        ["year", "target_id", "zone_id"], ignore_index=True
    )


class _Probe:
    """One target's ALL status in one year as a function of its parameter: the engine itself, with
    what does not depend on the parameter (the indicator on the grid, the scope) computed once."""

    def __init__(self, prepared: Prepared, target, status: StatusSettings, parts=None):
        self.prepared, self.target, self.status = prepared, target, status
        self.parts = parts

    def met(self, parameter: str, value: float, year: int) -> bool:
        changed = self.target.model_copy(update={parameter: value})
        single = replace(self.prepared, years=[year])
        if self.parts is None:
            rows = target_rows(single, changed, self.status)
        else:
            num, den, scope = self.parts
            plan = single.plan
            rows = assess_target(
                changed, num, den, scope, single.grid, [year], plan.base_year, plan.end_year(changed), self.status
            )
        at = np.flatnonzero((rows["zone"] == -1) & (rows["year"] == year))
        return bool(len(at)) and rows["status"][at[0]] == CODE[MET]


def thresholds(prepared: Prepared, published: Plan, status: StatusSettings, scorecard: pd.DataFrame) -> pd.DataFrame:
    """For every ALL verdict (met or not met, and the statuses before the target year), the value of
    the target's parameter at which it would become met or stop being met: the largest value at
    which the target is met (every rule is harder the higher its parameter).

    The engine decides at every value tried, so the threshold honours scopes, like-for-like sums
    and coverage. The values tried are those the data make critical (each zone's value, ratio to its
    base or growth rate, and the total's), searched by bisection; a continuous bisection backs it
    up where no such value decides."""
    rows = []
    totals = scorecard[scorecard["zone_id"] == ALL]
    inputs, plan = prepared.inputs, prepared.plan
    for target_id, target in plan.targets.items():
        parameter = target.parameter
        if parameter is None:
            continue
        current = float(getattr(target, parameter))
        plan_value = float(getattr(published.targets[target_id], parameter))
        verdicts = totals[(totals["target_id"] == target_id) & totals["status"].isin(STATUS_ORDER)]
        if verdicts.empty:
            continue
        parts = None
        if not target.on_registry:
            num, den = components(prepared.matrix, prepared.column, inputs.clusters, prepared.grid, target)
            parts = (num, den, scope_mask(prepared.grid, target, dict(plan.groups)))
        probe = _Probe(prepared, target, status, parts)
        own = scorecard[scorecard["target_id"] == target_id]
        for year in verdicts["year"].astype(int):
            candidates = _candidates(target, own[own["year"] == year])
            critical = _critical(probe, parameter, current, int(year), candidates)
            rows.append(
                {
                    "year": int(year),
                    "target_id": target_id,
                    "parameter": parameter,
                    "plan_value": plan_value,
                    "run_value": current,
                    "critical_value": critical[0],
                    "met_when": critical[1],
                }
            )
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in THRESHOLD_COLUMNS})
    return pd.DataFrame(rows)[THRESHOLD_COLUMNS]


def _candidates(target, rows: pd.DataFrame) -> np.ndarray:
    """The parameter values at which a row's status can change: a value is met from the threshold
    equal to it down (a level or count), a multiple from its ratio to the base, a growth target from
    the rate achieved, a change from the change achieved."""
    if target.counts_zones:
        rows = rows[rows["zone_id"] == ALL]  # its parameter is a number (or share) of zones
    elif getattr(target, "scope", "total") == "each":
        rows = rows[rows["zone_id"] != ALL]  # the ALL value of an each-target is a share of zones
    value, base = rows["value"].to_numpy(dtype="float64"), rows["base_value"].to_numpy(dtype="float64")
    found = np.asarray(target.found(value, base, rows["actual_rate"].to_numpy(dtype="float64")), dtype="float64")
    return np.unique(found[np.isfinite(found)])


def _critical(probe: _Probe, parameter: str, current: float, year: int, candidates: np.ndarray) -> tuple[float, str]:
    """(critical value, 'at_most' | 'at_least' | 'never' | 'always') for one target and year.

    Searched as u = flip × value, under which the target is met from the easiest u up to the
    critical one: flip is −1 for a ceiling (`max`, `max_rate`), which is met at or above it."""
    flip = -1.0 if parameter in CEILING_KEYS else 1.0
    integer = parameter in ("min", "max") and probe.target.integer
    if flip > 0:
        # The easiest setting the model allows: whole counts from 1, rates and multiples just above 0.
        lowest = 1.0 if integer else (1e-6 if parameter in ("k", "min_rate", "min_change", "min_share") else 0.0)
    else:
        scale = max([1.0, abs(current), *np.abs(candidates[np.isfinite(candidates)])])
        lowest = -10.0 * scale

    def check(u: float) -> bool:
        return probe.met(parameter, flip * u, year)

    found, met_when = _search(check, lowest, flip * current, flip * candidates, integer)
    if met_when == "at_most" and flip < 0:
        met_when = "at_least"
    return (flip * found if met_when in ("at_most", "at_least") else found), met_when


def _search(check, lowest: float, current: float, candidates: np.ndarray, integer: bool) -> tuple[float, str]:
    """The largest u at which `check` holds ('at_most'), 'never' if not even at `lowest`, 'always'."""
    if not check(lowest):
        return lowest, "never"
    if integer:
        candidates = np.floor(candidates)
    candidates = np.unique(candidates[candidates >= lowest])
    if len(candidates) and check(candidates[0]):
        low, high = 0, len(candidates) - 1
        if check(candidates[high]):
            low = high
        while high - low > 1:
            middle = (low + high) // 2
            if check(candidates[middle]):
                low = middle
            else:
                high = middle
        found = float(candidates[low])
        # Just past the value, beyond the comparisons' relative tolerance (1e-9 by default).
        step = 1.0 if integer else 1e-6 * max(1.0, abs(found))
        if not check(found + step):
            return found, "at_most"
    return _bisect(check, lowest, current, integer)


def _bisect(check, lowest: float, current: float, integer: bool) -> tuple[float, str]:
    """The largest value at which `check` holds, by bisection over the parameter's range."""
    high = max(current, lowest)
    high = high * 2 if high > 0 else (high / 2 if high < 0 else 1.0)
    for _ in range(40):
        if not check(high):
            break
        high = high * 2 if high > 0 else (high / 2 if high < -1 else 1.0)
    else:
        return high, "always"
    low = lowest
    for _ in range(_SEARCH_STEPS):
        if integer and high - low <= 1:
            break
        middle = math.floor((low + high) / 2) if integer else (low + high) / 2
        if check(middle):
            low = middle
        else:
            high = middle
        if not integer and high - low <= 1e-9 * max(1.0, abs(high)):
            break
    return low, "at_most"


def contributions(prepared: Prepared, scorecard: pd.DataFrame) -> pd.DataFrame:
    """For `total` targets not met: each zone's part of the gap, in the target's unit, summing to it.

    A zone's part is what it lacks against the total's own requirement: for a ratio of sums with
    target G, (G·den_z − num_z)/Σden; for a sum, num_z,base × (target / total in the base year) −
    num_z (like for like for doubling and growth; a zone without a base value has no requirement,
    so its whole value counts against the gap). The parts sum to the gap when the same zones report
    in the base year and in the year."""
    parts = []
    totals = scorecard[(scorecard["zone_id"] == ALL) & scorecard["status"].isin(STATUS_ORDER)]
    if totals.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in CONTRIBUTION_COLUMNS})
    inputs, plan = prepared.inputs, prepared.plan
    grid, matrix, column = prepared.grid, prepared.matrix, prepared.column
    n_years = len(grid.years)
    base_position = int(np.searchsorted(grid.years, plan.base_year))
    for target_id, target in plan.targets.items():
        if target.on_registry or getattr(target, "scope", None) != "total":
            continue
        num, den = components(matrix, column, inputs.clusters, grid, target)
        scope = scope_mask(grid, target, dict(plan.groups))
        for row in totals[totals["target_id"] == target_id].itertuples():
            if row.status in (MET,) or np.isnan(row.target_value) or np.isnan(row.value):
                continue
            rows = np.flatnonzero(scope & (grid.year_of_row == row.year))
            base_rows = grid.zone_of_row[rows] * n_years + base_position
            num_t, den_t, num_b, den_b = num[rows], den[rows], num[base_rows], den[base_rows]
            has_t = ~np.isnan(num_t) & ~np.isnan(den_t)
            has_b = ~np.isnan(num_b) & ~np.isnan(den_b)
            if target.like_for_like:
                has_t &= has_b
            goal = float(row.target_value)
            if target.denominator:
                part = np.where(
                    has_t, (goal * den_t / target.scale - num_t) / np.nansum(np.where(has_t, den_t, 0)), np.nan
                )
                part *= target.scale
            else:
                base_total = float(row.base_value) if not np.isnan(row.base_value) else np.nan
                requirement = np.where(has_b & has_t, num_b * goal / base_total, 0.0) if base_total > 0 else 0.0
                part = np.where(has_t, requirement - num_t, np.nan)
            # Where lower is better (a fall, a ceiling) the gap is value − goal, and so is each part.
            part = part * target.better_sign
            gap = target.better_sign * (goal - float(row.value))
            zone_ids = grid.zones[grid.zone_of_row[rows]]
            keep = ~np.isnan(part)
            parts.append(
                pd.DataFrame(
                    {
                        "year": int(row.year),
                        "target_id": target_id,
                        "zone_id": zone_ids[keep],
                        "contribution": part[keep],
                        "share_of_gap": part[keep] / gap if gap else np.nan,
                    }
                )
            )
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in CONTRIBUTION_COLUMNS})
    frame = pd.concat(parts, ignore_index=True)
    # Largest part first, by the value as written (12 digits): equal parts, which the last digits of
    # a machine's arithmetic would order either way, go by zone id.
    order = frame.assign(written=stated_precision(frame["contribution"]))
    order = order.sort_values(
        ["year", "target_id", "written", "zone_id"], ascending=[True, True, False, True], kind="stable"
    )
    return frame.loc[order.index].reset_index(drop=True)
