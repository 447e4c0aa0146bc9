"""The target engine: the plan's targets applied to every in-scope zone and to ALL, per year."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from zonetrack.registry import Grid, codes_in, make_grid
from zonetrack.status import ALL_STATUSES, CODE, MET, NO_DATA, STATUS_ORDER, Bands, classify_codes

RULES = ("level", "multiple", "growth", "count", "clusters")
SCOPES = ("each", "total")
LEVELS = ("national", "provincial")
ALL = "ALL"
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


@dataclass(frozen=True)
class Target:
    """One quantitative commitment of the plan."""

    id: str
    rule: str
    scope: str
    min: float | None = None
    k: float | None = None
    min_rate: float | None = None
    indicator: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    min_revenue: float | None = None
    max_revenue: float | None = None
    levels: tuple[str, ...] = LEVELS
    groups: tuple[str, ...] = ()
    exclude_groups: tuple[str, ...] = ()
    text_zh: str = ""
    text_en: str = ""

    @property
    def indicators(self) -> list[str]:
        """The panel indicators this target reads."""
        if self.rule == "clusters":
            return []
        return [self.numerator, self.denominator] if self.numerator else [self.indicator]


def parse_targets(spec: dict, groups: dict[str, list[str]], known_indicators: set[str]) -> list[Target]:
    """Validate the ``targets:`` section of params.yaml; every problem is named in one error."""
    targets, errors = [], []
    for target_id, entry in spec.items():
        entry = dict(entry)
        rule, scope = entry.get("rule"), entry.get("scope")
        where = f"targets.{target_id}"
        if rule not in RULES:
            errors.append(f"{where}.rule: '{rule}' is not one of {RULES}")
            continue
        if scope not in SCOPES:
            errors.append(f"{where}.scope: '{scope}' is not one of {SCOPES}")
        needed = {
            "level": ["min"],
            "count": ["min"],
            "clusters": ["min", "min_revenue"],
            "multiple": ["k"],
            "growth": ["min_rate"],
        }[rule]
        errors += [f"{where}.{key}: required for rule {rule}" for key in needed if entry.get(key) is None]
        if rule != "clusters":
            if entry.get("numerator"):
                names = [entry.get("numerator"), entry.get("denominator")]
            else:
                names = [entry.get("indicator")]
            errors += [f"{where}: unknown indicator '{n}'" for n in names if n not in known_indicators]
        for key in ("groups", "exclude_groups"):
            errors += [f"{where}.{key}: unknown group '{g}'" for g in entry.get(key, []) or [] if g not in groups]
        errors += [f"{where}.levels: unknown level '{lv}'" for lv in entry.get("levels", LEVELS) if lv not in LEVELS]
        # Other keys (reading, display) describe the target for people and the reports.
        fields = {name for name in Target.__dataclass_fields__ if name != "id"}
        values = {k: v for k, v in entry.items() if k in fields}
        for key in ("levels", "groups", "exclude_groups"):
            if key in values:
                values[key] = tuple(values[key] or ())
        targets.append(Target(id=target_id, **values))
    if errors:
        raise ValueError("params.yaml targets are invalid:\n  " + "\n  ".join(errors))
    return targets


def scope_mask(grid: Grid, target: Target, groups: dict[str, list[str]]) -> np.ndarray:
    """Grid rows in scope: the zone exists that year, with a named level, in the named groups."""
    mask = np.isin(grid.level, list(target.levels))
    zone_ids = grid.zones[grid.zone_of_row]
    if target.groups:
        mask &= np.isin(zone_ids, [zone for group in target.groups for zone in groups[group]])
    if target.exclude_groups:
        mask &= ~np.isin(zone_ids, [zone for group in target.exclude_groups for zone in groups[group]])
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


def components(
    matrix: np.ndarray, column: dict[str, int], clusters: pd.DataFrame, grid: Grid, target: Target
) -> tuple[np.ndarray, np.ndarray]:
    """Numerator and denominator of the target's indicator on every grid row (den = 1 if not a ratio)."""
    size = len(grid.zones) * len(grid.years)
    missing = np.full(size, np.nan)
    if target.rule == "clusters":
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


def _target_values(target: Target, base: np.ndarray, base_year: int, target_year: int) -> tuple[np.ndarray, np.ndarray]:
    """The value that meets the target by the target year, and the required average growth."""
    span = target_year - base_year
    if target.rule == "multiple":
        return base * target.k, np.full(len(base), target.k ** (1 / span) - 1)
    if target.rule == "growth":
        return base * (1 + target.min_rate) ** span, np.full(len(base), float(target.min_rate))
    threshold = np.full(len(base), float(target.min))
    if target.rule == "level":
        with np.errstate(divide="ignore", invalid="ignore"):
            required = (threshold / np.where(base > 0, base, np.nan)) ** (1 / span) - 1
        return threshold, required
    return threshold, np.full(len(base), np.nan)


def _apply_rule(
    year: np.ndarray,
    value: np.ndarray,
    base: np.ndarray,
    target: Target,
    base_year: int,
    target_year: int,
    bands: Bands,
) -> dict[str, np.ndarray]:
    target_value, required_rate = _target_values(target, base, base_year, target_year)
    result = classify_codes(target.rule, year, value, base, target_value, required_rate, base_year, target_year, bands)
    if target.rule in ("count", "clusters"):
        required_rate = np.full(len(value), np.nan)
    return {
        "year": year,
        "value": value,
        "base_value": base,
        "target_value": target_value,
        "actual_rate": result["actual_rate"],
        "required_rate": required_rate,
        "ratio": result["ratio"],
        "status": result["status"],
    }


def _per_year(positions: np.ndarray, weights: np.ndarray, n_years: int) -> np.ndarray:
    return np.bincount(positions, weights=weights, minlength=n_years)


def evaluate_target(
    target: Target,
    num: np.ndarray,
    den: np.ndarray,
    scope: np.ndarray,
    grid: Grid,
    years: list[int],
    base_year: int,
    target_year: int,
    bands: Bands,
) -> dict[str, np.ndarray]:
    """Scorecard rows (ALL, then zones) of one target for the assessment years, as arrays; `zone` is
    the grid's zone index (−1 for ALL)."""
    n_years = len(grid.years)
    year_of_row = grid.year_of_row
    rows = np.flatnonzero(scope & np.isin(year_of_row, years))
    base_rows = grid.zone_of_row[rows] * n_years + int(np.searchsorted(grid.years, base_year))
    scale = target.scale if target.denominator else 1.0
    year = year_of_row[rows]
    zone = _apply_rule(
        year,
        _ratio(num[rows], den[rows], scale),
        _ratio(num[base_rows], den[base_rows], scale),
        target,
        base_year,
        target_year,
        bands,
    )
    position = np.searchsorted(np.asarray(years), year)
    in_scope = np.bincount(position, minlength=len(years)).astype("float64")
    covered = _per_year(position, (zone["status"] != CODE[NO_DATA]).astype("float64"), len(years))
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(in_scope > 0, covered / in_scope, np.nan)
    year_array = np.asarray(years, dtype="int64")
    if target.scope == "total":
        totals = _total(num[rows], den[rows], num[base_rows], den[base_rows], position, target, len(years))
        all_rows = _apply_rule(year_array, *totals, target, base_year, target_year, bands)
    else:
        all_rows = _each(zone["status"], position, year_array)
    all_rows["coverage"] = coverage
    zone["coverage"] = np.full(len(rows), np.nan)
    all_rows["zone"] = np.full(len(years), -1)
    zone["zone"] = grid.zone_of_row[rows]
    return {key: np.concatenate([all_rows[key], zone[key]]) for key in zone}


def _total(
    num: np.ndarray, den: np.ndarray, num_b: np.ndarray, den_b: np.ndarray, position: np.ndarray, target: Target, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Σ over zones per year. Ratios are ratios of sums; multiple and growth compare like with like."""
    has_t = ~np.isnan(num) & ~np.isnan(den)
    has_b = ~np.isnan(num_b) & ~np.isnan(den_b)
    if target.rule in ("multiple", "growth"):
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
    # Codes follow STATUS_ORDER (best to worst); no_data and not_assessable come after it.
    assessed = statuses < len(STATUS_ORDER)
    worst = np.full(len(years), -1)
    np.maximum.at(worst, position[assessed], statuses[assessed])
    count = _per_year(position[assessed], np.ones(int(assessed.sum())), len(years))
    met = _per_year(position[assessed], (statuses[assessed] == CODE[MET]).astype("float64"), len(years))
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(count > 0, met / count, np.nan)
    status = np.where(worst < 0, CODE[NO_DATA], worst)
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


def evaluate(
    panel: pd.DataFrame,
    clusters: pd.DataFrame,
    levels: pd.DataFrame,
    targets: list[Target],
    groups: dict[str, list[str]],
    years: list[int],
    base_year: int,
    target_year: int,
    bands: Bands,
) -> pd.DataFrame:
    """The scorecard: one row per target, in-scope zone and year, and one ALL row per target and year,
    sorted by year, target_id, zone_id."""
    assessed_years = sorted(y for y in years if y > base_year)
    grid = make_grid(levels)
    if base_year not in set(grid.years.tolist()):
        raise ValueError(f"the zone levels do not cover the base year {base_year}")
    matrix, column = panel_matrix(panel, grid)
    parts = []
    for target in targets:
        num, den = components(matrix, column, clusters, grid, target)
        part = evaluate_target(
            target, num, den, scope_mask(grid, target, groups), grid, assessed_years, base_year, target_year, bands
        )
        parts.append(part | {"target": np.full(len(part["year"]), len(parts))})
    columns = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]} if parts else {}
    if not columns:
        return pd.DataFrame(columns=SCORECARD_COLUMNS)
    # Sort as strings would (year, target_id, zone_id), using integer ranks of the ids.
    zone_names = np.array(sorted([ALL, *grid.zones]), dtype=object)
    zone_index = np.where(columns["zone"] >= 0, columns["zone"], len(grid.zones))
    zone_rank = codes_in(np.append(grid.zones, ALL), zone_names)[zone_index]
    target_names = np.array([t.id for t in targets], dtype=object)
    target_rank = np.argsort(np.argsort(target_names))[columns["target"]]
    order = np.lexsort((zone_rank, target_rank, columns["year"]))
    scorecard = pd.DataFrame(
        {
            "year": columns["year"][order].astype("int64"),
            "target_id": pd.Categorical.from_codes(columns["target"][order], categories=target_names),
            "zone_id": pd.Categorical.from_codes(zone_rank[order], categories=zone_names),
            **{key: columns[key][order] for key in SCORECARD_COLUMNS[3:-2]},
            "status": pd.Categorical.from_codes(columns["status"][order], categories=ALL_STATUSES),
            "coverage": columns["coverage"][order],
        }
    )
    return scorecard[SCORECARD_COLUMNS]
