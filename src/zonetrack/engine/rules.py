"""The target engine: a plan's targets applied to every in-scope zone and to ALL, per year.

Targets on statistics are computed on the zone × year grid (array indexing, no joins); targets on
the zone registry (a zone's level, zones approved in the plan's period) and on facilities read the
registry tables. Every target gives one ALL row per year, and one row per in-scope zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import singledispatch

import numpy as np
import pandas as pd

from zonetrack.engine.status import (
    ALL,
    ALL_STATUSES,
    CODE,
    INSUFFICIENT_COVERAGE,
    MET,
    NO_BASE_YEAR,
    NO_DATA,
    NOT_ASSESSABLE,
    NOT_MET,
    ON_TRACK,
    STATUS_ORDER,
    Bands,
    at_least,
    classify_codes,
)
from zonetrack.plans.model import (
    CitiesCoveredTarget,
    FacilitiesTarget,
    Plan,
    StatusSettings,
    ZoneLevelTarget,
    ZonesApprovedTarget,
    ZonesAtLevelTarget,
)
from zonetrack.registry import Grid, codes_in, count_bounds, in_region, make_grid, zone_levels

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
_FLOAT_COLUMNS = ["value", "base_value", "target_value", "actual_rate", "required_rate", "ratio", "coverage"]


@dataclass(frozen=True)
class Inputs:
    """What the engine reads besides the plan: the panel, clusters, registry and facilities, and
    the indicators collected only from zones of one level (indicators.csv's `collected_for`)."""

    panel: pd.DataFrame
    clusters: pd.DataFrame
    registry: pd.DataFrame
    facilities: pd.DataFrame
    collected_for: dict[str, str] = field(default_factory=dict)
    # registry_coverage.csv: where the registry lists every zone; None: complete (small tests).
    coverage: pd.DataFrame | None = None


def bands(status: StatusSettings) -> Bands:
    """The status bands of a run's settings."""
    return Bands.of(status)


def scope_mask(grid: Grid, target, groups: dict[str, list[str]]) -> np.ndarray:
    """Grid rows in scope: the zone exists that year, with a named level, in the named groups."""
    codes = [{"national": 1, "provincial": 2}[level] for level in target.levels]
    mask = np.isin(grid.level_code, codes)
    if target.groups or target.exclude_groups:
        zone_of_row = grid.zone_of_row
        if target.groups:
            mask &= np.isin(
                zone_of_row, np.flatnonzero(np.isin(grid.zones, [z for g in target.groups for z in groups[g]]))
            )
        if target.exclude_groups:
            excluded = [z for g in target.exclude_groups for z in groups[g]]
            mask &= ~np.isin(zone_of_row, np.flatnonzero(np.isin(grid.zones, excluded)))
    return mask


def panel_matrix(panel: pd.DataFrame, grid: Grid) -> tuple[np.ndarray, dict[str, int]]:
    """The panel as a grid-rows × indicators matrix (NaN where missing), and each indicator's column."""
    indicators = np.array(sorted(str(i) for i in panel["indicator"].unique()), dtype=object)
    values, _ = grid.matrix(panel, indicators)
    return values, {name: i for i, name in enumerate(indicators)}


def cluster_counts(clusters: pd.DataFrame, grid: Grid, min_revenue: float, max_revenue: float | None) -> np.ndarray:
    """Clusters per grid row with revenue in [min_revenue, max_revenue).

    A zone without rows in a year the clusters file covers has no cluster (0); a year the file
    does not cover is missing (NaN).
    """
    revenue = clusters["revenue"].to_numpy(dtype="float64")
    in_band = revenue >= min_revenue
    if max_revenue is not None:
        in_band &= revenue < max_revenue
    rows = grid.rows(clusters["zone_id"], clusters["year"])
    counted = np.bincount(rows[in_band & (rows >= 0)], minlength=len(grid.zones) * len(grid.years)).astype("float64")
    covered = np.isin(grid.year_of_row, clusters["year"].unique())
    return np.where(covered, counted, np.nan)


def components(matrix: np.ndarray, column: dict[str, int], clusters: pd.DataFrame, grid: Grid, target):
    """Numerator and denominator of the target's indicator on every grid row (den = 1 if not a ratio)."""
    size = len(grid.zones) * len(grid.years)
    missing = np.full(size, np.nan)
    if target.reads_clusters:
        return cluster_counts(clusters, grid, float(target.min_revenue), target.max_revenue), np.ones(size)
    name = target.numerator or target.indicator
    num = matrix[:, column[name]] if name in column else missing
    if not target.denominator:
        return num, np.ones(size)
    den = matrix[:, column[target.denominator]] if target.denominator in column else missing
    return num, den


def _ratio(num: np.ndarray, den: np.ndarray, scale: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        value = num / den * scale
    return np.where(np.isfinite(value), value, np.nan)


def target_values(target, year: np.ndarray, base: np.ndarray, base_year: int, target_year: int):
    """The value that meets the target in each row's year, and the average growth required from
    the base year to reach it by the target year (NaN where no rate applies): the rule's own."""
    return target.end_values(np.asarray(year, dtype="float64"), base, base_year, target_year)


def apply_rule(year, value, base, target, base_year: int, target_year: int, bands: Bands) -> dict[str, np.ndarray]:
    """Rows of one target: the value that meets it, rates, R and the status of each row."""
    target_value, required_rate = target_values(target, year, base, base_year, target_year)
    result = classify_codes(
        target, year, value, base, target_value, required_rate, base_year, target_year, bands, target.better
    )
    return {
        "year": np.asarray(year, dtype="int64"),
        "value": value,
        "base_value": base,
        "target_value": target_value,
        "actual_rate": result["actual_rate"],
        "required_rate": required_rate if target.growth_path else np.full(len(value), np.nan),
        "ratio": result["ratio"],
        "status": result["status"],
    }


def _per_year(positions: np.ndarray, weights: np.ndarray, n_years: int) -> np.ndarray:
    return np.bincount(positions, weights=weights, minlength=n_years)


def gate(status: np.ndarray, coverage: np.ndarray, decided: np.ndarray, min_coverage: float) -> np.ndarray:
    """An ALL verdict stands only when the missing zones could not change it (`decided`); otherwise,
    below min_coverage, it is insufficient_coverage (no_data when no zone has data)."""
    verdict = status < len(STATUS_ORDER)
    with np.errstate(invalid="ignore"):
        # Unknown coverage (NaN: nothing says how complete the registry is) is short too.
        short = verdict & ~decided & ~(coverage >= min_coverage - 1e-12)
    status = np.where(short, CODE[INSUFFICIENT_COVERAGE], status)
    return np.where(verdict & (coverage == 0), CODE[NO_DATA], status)


def assess_target(
    target, num, den, scope, grid: Grid, years, base_year, target_year, status: StatusSettings, expected=None
):
    """Scorecard rows (ALL, then zones) of one target on statistics for the assessment years, as
    arrays; `zone` is the grid's zone index (−1 for ALL). `expected` marks the grid rows whose zone
    is expected to report the target's indicators (indicators.csv's `collected_for`)."""
    n_years = len(grid.years)
    year_of_row = grid.year_of_row
    rows = np.flatnonzero(scope & np.isin(year_of_row, years))
    base_rows = grid.zone_of_row[rows] * n_years + int(np.searchsorted(grid.years, base_year))
    scale = target.scale if target.denominator else 1.0
    year = year_of_row[rows]
    the_bands = bands(status)
    per_zone = target.zone_view()
    value, base = _ratio(num[rows], den[rows], scale), _ratio(num[base_rows], den[base_rows], scale)
    zone = apply_rule(year, value, base, per_zone, base_year, target_year, the_bands)
    position = np.searchsorted(np.asarray(years), year)
    has_t = ~np.isnan(num[rows]) & ~np.isnan(den[rows])
    has_b = ~np.isnan(num[base_rows]) & ~np.isnan(den[base_rows])
    # Coverage counts the zones that could have data: those expected to report the indicator and,
    # for a like-for-like target, that existed in the base year (a zone approved later is out of
    # scope there, not missing).
    could = np.ones(len(rows), dtype=bool) if expected is None else expected[rows]
    like_for_like = target.compares_like_for_like
    if like_for_like:
        could &= grid.level_code[base_rows] > 0
    if target.scope == "total":
        # A zone is covered when it enters the sum, whether or not its own rate is defined.
        has_data = has_t & has_b if like_for_like else has_t
    elif target.like_for_like:
        has_data = ~np.isin(zone["status"], [CODE[NO_DATA], CODE[NO_BASE_YEAR], CODE[NOT_ASSESSABLE]])
    else:
        has_data = ~np.isnan(zone["value"])
    possible = _per_year(position, could.astype("float64"), len(years))
    covered = _per_year(position, (could & has_data).astype("float64"), len(years))
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(possible > 0, covered / possible, np.nan)
    year_array = np.asarray(years, dtype="int64")
    if target.counts_zones:
        sign, bound = per_zone.better_sign, per_zone.bound
        reached = has_data & at_least(sign * value, sign * bound, the_bands.tolerance)
        base_scope = np.flatnonzero(scope & (year_of_row == base_year))
        base_value = _ratio(num[base_scope], den[base_scope], scale)
        base_reached = at_least(sign * base_value, sign * bound, the_bands.tolerance)
        counts = (
            _per_year(position, (could & reached).astype("float64"), len(years)),
            _per_year(position, (could & ~has_data).astype("float64"), len(years)),
            possible,
            float(base_reached.sum()) if (~np.isnan(base_value)).any() else np.nan,
            float(len(base_scope)),
        )
        all_rows, decided = _reaching(target, *counts, year_array, base_year, target_year, the_bands)
    elif target.scope == "total":
        totals = _total(num[rows], den[rows], num[base_rows], den[base_rows], position, target, len(years))
        if target.base_value is not None:
            totals = (totals[0], np.full(len(years), float(target.base_value)))
        all_rows = apply_rule(year_array, *totals, target, base_year, target_year, the_bands)
        # A sum of amounts that cannot be negative that already reaches its target is met whatever
        # the missing zones hold: more zones only add.
        # A ceiling on such a sum that is already passed in or after the target year is not met
        # whatever they hold, likewise.
        outcome = CODE[MET] if target.better == "higher" else CODE[NOT_MET]
        decided = (all_rows["status"] == outcome) & target.sum_of_zones
    else:
        all_rows = _each(zone["status"], position, year_array)
        decided = ~np.isin(all_rows["status"], [CODE[MET], CODE[ON_TRACK]])
    all_rows["status"] = gate(all_rows["status"], coverage, decided, status.min_coverage)
    all_rows["coverage"] = coverage
    zone["coverage"] = np.full(len(rows), np.nan)
    all_rows["zone"] = np.full(len(years), -1)
    zone["zone"] = grid.zone_of_row[rows]
    return {key: np.concatenate([all_rows[key], zone[key]]) for key in zone}


@dataclass(frozen=True)
class CountPath:
    """A count seen as a straight-line path to its threshold: registry counts, facilities, zones
    reaching a threshold."""

    bound: float
    better: str = "higher"
    growth_path: bool = False
    needs_base_for_met: bool = False

    def end_values(self, year, base, base_year: int, target_year: int):
        return np.full(len(base), self.bound), np.full(len(base), np.nan)


def bounded_count(lower, upper, base, count: CountPath, years, base_year, target_year, the_bands):
    """ALL rows of a count known to lie in [lower, upper] (what is unknown adds at most upper −
    lower): the status of the lower count, decided where the upper count gives the same."""
    rows = apply_rule(years, lower, base, count, base_year, target_year, the_bands)
    high = apply_rule(years, upper, base, count, base_year, target_year, the_bands)
    return rows, rows["status"] == high["status"]


def _reaching(target, reached, missing, possible, base_reached, base_zones, years, base_year, target_year, the_bands):
    """ALL rows of a zones_reaching target: the zones (or share of the zones in scope) known to
    reach the zone-level threshold; decided where the zones without data could not change it."""
    n = len(years)
    base = np.full(n, base_reached)
    lower, upper = reached, reached + missing
    if target.min_share is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            lower, upper = (
                np.where(possible > 0, lower / possible, np.nan),
                np.where(possible > 0, upper / possible, np.nan),
            )
            base = base / base_zones if base_zones else np.full(n, np.nan)
    lower = np.where(possible > 0, lower, np.nan)
    return bounded_count(lower, upper, base, CountPath(target.bound), years, base_year, target_year, the_bands)


def _total(num, den, num_b, den_b, position, target, n):
    """Σ over zones per year. Ratios are ratios of sums; multiple and growth compare like with like."""
    has_t = ~np.isnan(num) & ~np.isnan(den)
    has_b = ~np.isnan(num_b) & ~np.isnan(den_b)
    if target.compares_like_for_like:
        has_t = has_b = has_t & has_b

    def summed(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        total = _per_year(position, np.where(mask, values, 0.0), n)
        return np.where(_per_year(position, mask.astype("float64"), n) > 0, total, np.nan)

    if target.denominator:
        return (
            _ratio(summed(num, has_t), summed(den, has_t), target.scale),
            _ratio(summed(num_b, has_b), summed(den_b, has_b), target.scale),
        )
    return summed(num, has_t), summed(num_b, has_b)


def _each(statuses: np.ndarray, position: np.ndarray, years: np.ndarray) -> dict[str, np.ndarray]:
    """ALL for an `each` target: met when every assessed zone is met, else the worst status among them;
    value = share of assessed zones that are met."""
    # Codes follow the enum (best to worst); the statuses that are not verdicts come after it.
    assessed = statuses < len(STATUS_ORDER)
    worst = np.full(len(years), -1)
    np.maximum.at(worst, position[assessed], statuses[assessed])
    count = _per_year(position[assessed], np.ones(int(assessed.sum())), len(years))
    met = _per_year(position[assessed], (statuses[assessed] == CODE[MET]).astype("float64"), len(years))
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(count > 0, met / count, np.nan)
    # No zone with a verdict: say why (no base year, a base at zero) where that is the reason.
    reason = np.full(len(years), CODE[NO_DATA])
    for code in (CODE[NOT_ASSESSABLE], CODE[NO_BASE_YEAR]):
        has = _per_year(position[statuses == code], np.ones(int((statuses == code).sum())), len(years)) > 0
        reason = np.where(has, code, reason)
    status = np.where(worst < 0, reason, worst)
    empty = np.full(len(years), np.nan)
    return {
        "year": years,
        "value": value,
        "base_value": empty,
        "target_value": np.where(count > 0, 1.0, np.nan),
        "actual_rate": empty,
        "required_rate": empty,
        "ratio": empty,
        "status": status,
    }


# ----------------------------------------------------------------------- targets on the registry


@dataclass(frozen=True)
class RegistryContext:
    """What a registry target reads: the region's zones, facilities, where the registry is complete,
    the plan's groups, and the years (base year included)."""

    registry: pd.DataFrame
    facilities: pd.DataFrame
    coverage: pd.DataFrame | None
    region: str
    groups: dict[str, list[str]]
    span: list[int]
    base_year: int


def registry_context(inputs: Inputs, plan: Plan, years) -> RegistryContext:
    """What the registry rules of a plan read, for its assessed years and its base year."""
    span = sorted({plan.base_year, *years})
    return RegistryContext(
        inputs.registry, inputs.facilities, inputs.coverage, plan.region, dict(plan.groups), span, plan.base_year
    )


@singledispatch
def registry_facts(target, context: RegistryContext):
    """(listed, at most, share known, threshold) per year of a target on the registry: one engine
    function per rule, registered below for its model."""
    raise TypeError(f"no engine function for the registry rule {type(target).__name__}")


@registry_facts.register
def _facilities(target: FacilitiesTarget, context: RegistryContext):
    # A facility without a known year may exist in any year: it counts only in the upper bound.
    years = np.asarray(context.span, dtype="int64")
    listed = context.facilities[context.facilities["kind"] == target.kind]
    known = listed["established"].notna().to_numpy()
    established = listed["established"].to_numpy(dtype="float64", na_value=np.nan)
    counts = (established[None, :] <= years[:, None]).sum(axis=1).astype("float64")
    # None listed: nothing is known (coverage 0, no_data), not "none exist".
    coverage = np.full(len(years), known.mean() if len(listed) else 0.0)
    if not len(listed):
        counts = np.full(len(years), np.nan)
    return counts, counts + float((~known).sum()), coverage, target.bound


@registry_facts.register
def _zone_level(target: ZoneLevelTarget, context: RegistryContext):
    years = context.span
    levels = zone_levels(context.registry, list(years))
    mine = levels[levels["zone_id"] == target.zone]
    # A zone that is not yet a zone in a year does not have the level then (0), not unknown.
    by_year = dict(zip(mine["year"], mine["level"].fillna("").astype(str), strict=True))
    value = (
        np.array([1.0 if by_year.get(int(y)) == target.level else 0.0 for y in years])
        if len(mine)
        else np.full(len(years), np.nan)
    )
    return value, value, np.where(np.isnan(value), 0.0, 1.0), 1.0


def approved_after(target, registry: pd.DataFrame, base_year: int, years: list[int]) -> np.ndarray:
    """Zones that reached the target's level after the base year, by each year."""
    column = "national_since" if target.level == "national" else "provincial_since"
    since = registry[column].to_numpy(dtype="float64", na_value=np.nan)
    years = np.asarray(years, dtype="float64")
    return ((since[None, :] > base_year) & (since[None, :] <= years[:, None])).sum(axis=1).astype("float64")


def _at_level(target, context: RegistryContext, by_city: bool = True):
    """The zones a count is over (the region's, or the named groups' or cities'), whether each is
    at the level in each year, the count listed and its upper bound and share known: a group of
    named zones is complete; elsewhere registry_coverage.csv says where the registry is."""
    part = context.registry
    if target.groups:
        members = {z for g in target.groups for z in context.groups[g]}
        part = part[part["zone_id"].isin(members)]
    if by_city and target.cities:
        part = part[part["city"].isin(target.cities)]
    levels = zone_levels(part, list(context.span))
    at_level = levels.assign(hit=levels["level"].eq(target.level).fillna(False))
    listed = at_level.groupby("year")["hit"].sum().reindex(context.span, fill_value=0).to_numpy(dtype="float64")
    if target.groups:
        upper, known = listed, np.ones(len(context.span))
    else:
        upper, known = count_bounds(context.coverage, context.region, target.level, context.span, listed)
    return part, at_level, listed, upper, known


@registry_facts.register
def _zones_at_level(target: ZonesAtLevelTarget, context: RegistryContext):
    _, _, listed, upper, known = _at_level(target, context)
    return listed, upper, known, target.bound


@registry_facts.register
def _zones_approved(target: ZonesApprovedTarget, context: RegistryContext):
    part, _, listed_at, upper_at, known = _at_level(target, context)
    listed = approved_after(target, part, context.base_year, context.span)
    # Zones the registry may not list may have been approved too.
    return listed, listed + (upper_at - listed_at), known, target.bound


@registry_facts.register
def _cities_covered(target: CitiesCoveredTarget, context: RegistryContext):
    # The cities (listed, or every city of the region) with a zone of the level.
    part, at_level, listed_at, upper_at, known = _at_level(target, context, by_city=False)
    cities = list(target.cities) or sorted({c for c in context.registry["city"] if c})
    hit = at_level[at_level["hit"]].merge(part[["zone_id", "city"]], on="zone_id")
    covered = hit[hit["city"].isin(cities)].groupby("year")["city"].nunique()
    listed = covered.reindex(context.span, fill_value=0).to_numpy(dtype="float64")
    # A city without a listed zone may have one the registry does not list.
    upper = np.where(upper_at > listed_at, float(len(cities)), listed)
    return listed, upper, known, float(len(cities))


def assess_registry_target(target, inputs: Inputs, plan: Plan, years, status: StatusSettings):
    """ALL rows (and, for a named zone, its row) of a target on the registry or on facilities.

    A count is known to lie between what the registry lists and that plus what it cannot list;
    its verdict stands where both bounds give the same."""
    base_year, target_year = plan.base_year, plan.end_year(target)
    context = registry_context(inputs, plan, years)
    span = context.span
    values, upper, known, bound = registry_facts(target, context)
    base = values[span.index(base_year)]
    assessed = np.array([span.index(y) for y in years], dtype="int64")
    year_array = np.asarray(years, dtype="int64")
    rows, decided = bounded_count(
        values[assessed],
        upper[assessed],
        np.full(len(years), base),
        CountPath(bound),
        year_array,
        base_year,
        target_year,
        bands(status),
    )
    coverage = known[assessed]
    rows["status"] = gate(rows["status"], coverage, decided, status.min_coverage)
    rows["coverage"] = coverage
    rows["zone"] = np.full(len(years), -1)
    return rows


def registry_bounds(prepared: Prepared) -> list[dict]:
    """For every target on the registry and year: the count listed, the most it could be (None:
    no bound is known) and the share known, which the reports give as the reason of a verdict the
    registry cannot decide."""
    plan = prepared.plan
    context = registry_context(prepared.inputs, plan, prepared.years)
    span = context.span
    found = []
    for target_id, target in plan.targets.items():
        if not target.on_registry:
            continue
        listed, upper, known, _ = registry_facts(target, context)
        for year in prepared.years:
            at = span.index(year)
            found.append(
                {
                    "year": int(year),
                    "target_id": target_id,
                    "listed": None if np.isnan(listed[at]) else float(listed[at]),
                    "at_most": None if not np.isfinite(upper[at]) else float(upper[at]),
                    "known": None if np.isnan(known[at]) else round(float(known[at]), 12),
                }
            )
    return found


# ------------------------------------------------------------------------------------- assess


@dataclass(frozen=True)
class Prepared:
    """The grid, the panel on it and the years of one evaluation, built once for every target."""

    inputs: Inputs
    plan: Plan
    years: list[int]
    grid: Grid
    matrix: np.ndarray
    column: dict[str, int]


def prepare(inputs: Inputs, plan: Plan, years: list[int]) -> Prepared:
    """Lay the panel on the zone × year grid of the plan's base year and the assessed years."""
    assessed_years = sorted(y for y in years if y > plan.base_year)
    # A plan sees its region's zones only.
    inputs = replace(inputs, registry=in_region(inputs.registry, plan.region))
    levels = zone_levels(inputs.registry, sorted({plan.base_year, *assessed_years}))
    grid = make_grid(levels)
    matrix, column = panel_matrix(inputs.panel, grid)
    return Prepared(inputs, plan, assessed_years, grid, matrix, column)


def target_rows(prepared: Prepared, target, status: StatusSettings) -> dict[str, np.ndarray]:
    """One target's scorecard rows (ALL, then zones) as arrays; `zone` is the grid's zone index."""
    plan, grid, years = prepared.plan, prepared.grid, prepared.years
    if target.on_registry:
        part = assess_registry_target(target, prepared.inputs, plan, years, status)
        if getattr(target, "zone", None):  # a target on one named zone: its row too
            zone_rows = {k: v.copy() for k, v in part.items()}
            zone_rows["zone"] = np.full(len(years), int(np.searchsorted(grid.zones, target.zone)))
            zone_rows["coverage"] = np.full(len(years), np.nan)
            part = {k: np.concatenate([part[k], zone_rows[k]]) for k in part}
        return part
    num, den = components(prepared.matrix, prepared.column, prepared.inputs.clusters, grid, target)
    scope = scope_mask(grid, target, dict(plan.groups))
    expected = expected_rows(grid, target, prepared.inputs.collected_for)
    return assess_target(target, num, den, scope, grid, years, plan.base_year, plan.end_year(target), status, expected)


def expected_rows(grid: Grid, target, collected_for: dict[str, str]) -> np.ndarray:
    """Grid rows whose zone is expected to report every indicator the target reads: an indicator
    collected only from national (or provincial) zones is not missing at a zone of the other level."""
    expected = np.ones(len(grid.level_code), dtype=bool)
    for indicator in target.indicators:
        level = collected_for.get(indicator)
        if level:
            expected &= grid.level_code == {"national": 1, "provincial": 2}[level]
    return expected


def assess(inputs: Inputs, plan: Plan, years: list[int], status: StatusSettings) -> pd.DataFrame:
    """The scorecard: one row per target, in-scope zone and year, and one ALL row per target and year,
    sorted by year, target_id, zone_id."""
    return assess_prepared(prepare(inputs, plan, years), status)


def assess_prepared(prepared: Prepared, status: StatusSettings) -> pd.DataFrame:
    """The scorecard of a prepared evaluation (the grid laid once, shared with what it would take)."""
    plan, grid, assessed_years = prepared.plan, prepared.grid, prepared.years
    parts, ids = [], []
    for target_id, target in plan.targets.items():
        part = target_rows(prepared, target, status)
        parts.append(part | {"target": np.full(len(part["year"]), len(ids))})
        ids.append(target_id)
    if not parts or not assessed_years:
        dtypes = {c: "float64" for c in _FLOAT_COLUMNS} | {"year": "int64"}
        return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, object)) for c in SCORECARD_COLUMNS})
    columns = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    # Sort as strings would (year, target_id, zone_id), using integer ranks of the ids.
    zone_names = np.array(sorted([ALL, *grid.zones]), dtype=object)
    zone_index = np.where(columns["zone"] >= 0, columns["zone"], len(grid.zones))
    zone_rank = codes_in(np.append(grid.zones, ALL), zone_names)[zone_index]
    target_names = np.array(ids, dtype=object)
    target_rank = np.argsort(np.argsort(target_names))[columns["target"]]
    order = np.lexsort((zone_rank, target_rank, columns["year"]))
    scorecard = pd.DataFrame(
        {
            "year": columns["year"][order].astype("int64"),
            "target_id": pd.Categorical.from_codes(columns["target"][order], categories=target_names),
            "zone_id": pd.Categorical.from_codes(zone_rank[order], categories=zone_names),
            **{key: columns[key][order].astype("float64") for key in SCORECARD_COLUMNS[3:-2]},
            "status": pd.Categorical.from_codes(columns["status"][order], categories=ALL_STATUSES),
            "coverage": columns["coverage"][order].astype("float64"),
        }
    )
    return scorecard[SCORECARD_COLUMNS]
