"""The target engine: the plan's targets applied to every in-scope zone and to ALL, per year."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from zonetrack.status import MET, NO_DATA, NOT_ASSESSABLE, STATUS_ORDER, Bands, classify

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
    extra: dict = field(default_factory=dict, compare=False, hash=False)

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
        fields = {name for name in Target.__dataclass_fields__ if name not in ("id", "extra")}
        values = {k: v for k, v in entry.items() if k in fields}
        for key in ("levels", "groups", "exclude_groups"):
            if key in values:
                values[key] = tuple(values[key] or ())
        targets.append(Target(id=target_id, **values, extra={k: v for k, v in entry.items() if k not in fields}))
    if errors:
        raise ValueError("params.yaml targets are invalid:\n  " + "\n  ".join(errors))
    return targets


def zones_in_scope(levels: pd.DataFrame, target: Target, groups: dict[str, list[str]]) -> pd.DataFrame:
    """(zone_id, year) rows in scope: the zone exists that year, with a named level, in the named groups."""
    mask = levels["level"].isin(list(target.levels)).fillna(False).astype(bool)
    if target.groups:
        members = {zone for group in target.groups for zone in groups[group]}
        mask &= levels["zone_id"].isin(members)
    if target.exclude_groups:
        excluded = {zone for group in target.exclude_groups for zone in groups[group]}
        mask &= ~levels["zone_id"].isin(excluded)
    return levels.loc[mask, ["zone_id", "year"]].reset_index(drop=True)


def cluster_counts(
    clusters: pd.DataFrame, zone_years: pd.DataFrame, min_revenue: float, max_revenue: float | None
) -> pd.DataFrame:
    """Clusters per zone and year with revenue in [min_revenue, max_revenue).

    A zone without rows in a year the clusters file covers has no cluster (0); a year the file
    does not cover is missing (NaN).
    """
    in_band = clusters["revenue"] >= min_revenue
    if max_revenue is not None:
        in_band &= clusters["revenue"] < max_revenue
    counted = clusters[in_band].groupby(["zone_id", "year"]).size().rename("num").reset_index()
    covered = set(clusters["year"].unique().tolist())
    grid = zone_years.merge(counted, on=["zone_id", "year"], how="left")
    grid["num"] = grid["num"].astype("float64").fillna(0.0).where(grid["year"].isin(covered))
    grid["den"] = 1.0
    return grid


def components(wide: pd.DataFrame, clusters: pd.DataFrame, zone_years: pd.DataFrame, target: Target) -> pd.DataFrame:
    """zone_id, year, num, den of the target's indicator for every zone-year (den = 1 if not a ratio)."""
    if target.rule == "clusters":
        return cluster_counts(clusters, zone_years, float(target.min_revenue), target.max_revenue)
    frame = zone_years.copy()
    column = target.numerator or target.indicator
    frame["num"] = wide[column].to_numpy() if column in wide else np.nan
    if target.denominator:
        frame["den"] = wide[target.denominator].to_numpy() if target.denominator in wide else np.nan
    else:
        frame["den"] = 1.0
    return frame


def _ratio(num: pd.Series, den: pd.Series, scale: float) -> pd.Series:
    with np.errstate(divide="ignore", invalid="ignore"):
        value = num / den * scale
    return value.where(np.isfinite(value))


def _target_values(target: Target, base: pd.Series, base_year: int, target_year: int) -> tuple[pd.Series, pd.Series]:
    """The value that meets the target by the target year, and the required average growth."""
    span = target_year - base_year
    if target.rule == "multiple":
        return base * target.k, pd.Series(target.k ** (1 / span) - 1, index=base.index)
    if target.rule == "growth":
        return base * (1 + target.min_rate) ** span, pd.Series(float(target.min_rate), index=base.index)
    threshold = pd.Series(float(target.min), index=base.index)
    if target.rule == "level":
        with np.errstate(divide="ignore", invalid="ignore"):
            required = (threshold / base.where(base > 0)) ** (1 / span) - 1
        return threshold, required
    return threshold, pd.Series(np.nan, index=base.index)


def _apply_rule(rows: pd.DataFrame, target: Target, base_year: int, target_year: int, bands: Bands) -> pd.DataFrame:
    rows = rows.copy()
    rows["target_value"], rows["required_rate"] = _target_values(target, rows["base_value"], base_year, target_year)
    result = classify(
        target.rule,
        rows["year"].to_numpy(),
        rows["value"].to_numpy(),
        rows["base_value"].to_numpy(),
        rows["target_value"].to_numpy(),
        rows["required_rate"].to_numpy(),
        base_year,
        target_year,
        bands,
    )
    rows["status"] = result["status"].to_numpy()
    rows["actual_rate"] = result["actual_rate"].to_numpy()
    rows["ratio"] = result["ratio"].to_numpy()
    if target.rule in ("count", "clusters"):
        rows["required_rate"] = np.nan
    return rows


def _coverage(zone_rows: pd.DataFrame, years: list[int]) -> pd.Series:
    covered = zone_rows.assign(covered=zone_rows["status"] != NO_DATA).groupby("year")["covered"].mean()
    return covered.reindex(years)


def _total_row(zone_rows: pd.DataFrame, target: Target, years: list[int]) -> pd.DataFrame:
    """Σ over zones. Ratios are ratios of sums; multiple and growth compare like with like."""
    has_t = zone_rows["num"].notna() & zone_rows["den"].notna()
    has_b = zone_rows["num_b"].notna() & zone_rows["den_b"].notna()
    if target.rule in ("multiple", "growth"):
        has_t = has_b = has_t & has_b
    sums = (
        pd.DataFrame(
            {
                "year": zone_rows["year"],
                "num": zone_rows["num"].where(has_t),
                "den": zone_rows["den"].where(has_t),
                "num_b": zone_rows["num_b"].where(has_b),
                "den_b": zone_rows["den_b"].where(has_b),
            }
        )
        .groupby("year")
        .sum(min_count=1)
        .reindex(years)
    )
    scale = target.scale if target.denominator else 1.0
    ones = pd.Series(1.0, index=sums.index)
    value = _ratio(sums["num"], sums["den"] if target.denominator else ones, scale)
    base = _ratio(sums["num_b"], sums["den_b"] if target.denominator else ones, scale)
    return pd.DataFrame({"year": years, "value": value.to_numpy(), "base_value": base.to_numpy()})


def _each_row(zone_rows: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """ALL for an `each` target: met when every assessed zone is met, else the worst status among them;
    value = share of assessed zones that are met."""
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    assessed = zone_rows[~zone_rows["status"].isin([NO_DATA, NOT_ASSESSABLE])]
    summary = (
        assessed.assign(rank=assessed["status"].map(rank), met=assessed["status"] == MET)
        .groupby("year")
        .agg(worst=("rank", "max"), value=("met", "mean"))
    )
    summary = summary.reindex(years)
    status = summary["worst"].map(lambda r: NO_DATA if pd.isna(r) else STATUS_ORDER[int(r)])
    return pd.DataFrame(
        {
            "year": years,
            "value": summary["value"].to_numpy(),
            "base_value": np.nan,
            "target_value": np.where(summary["value"].notna(), 1.0, np.nan),
            "required_rate": np.nan,
            "actual_rate": np.nan,
            "ratio": np.nan,
            "status": status.to_numpy(),
        }
    )


def evaluate_target(
    target: Target,
    comps: pd.DataFrame,
    scope: pd.DataFrame,
    years: list[int],
    base_year: int,
    target_year: int,
    bands: Bands,
) -> pd.DataFrame:
    """Scorecard rows (zones and ALL) of one target for the assessment years."""
    base = comps.loc[comps["year"] == base_year, ["zone_id", "num", "den"]].rename(
        columns={"num": "num_b", "den": "den_b"}
    )
    rows = (
        scope[scope["year"].isin(years)]
        .merge(comps, on=["zone_id", "year"], how="left")
        .merge(base, on="zone_id", how="left")
    )
    scale = target.scale if target.denominator else 1.0
    rows["value"] = _ratio(rows["num"], rows["den"], scale)
    rows["base_value"] = _ratio(rows["num_b"], rows["den_b"], scale)
    zone_rows = _apply_rule(rows, target, base_year, target_year, bands)
    coverage = _coverage(zone_rows, years)
    if target.scope == "total":
        all_rows = _apply_rule(_total_row(zone_rows, target, years), target, base_year, target_year, bands)
    else:
        all_rows = _each_row(zone_rows, years)
    all_rows = all_rows.assign(zone_id=ALL, coverage=coverage.to_numpy(), target_id=target.id)
    zone_rows = zone_rows.assign(coverage=np.nan, target_id=target.id)
    return pd.concat([zone_rows[SCORECARD_COLUMNS], all_rows[SCORECARD_COLUMNS]], ignore_index=True)


def panel_wide(panel: pd.DataFrame, zone_years: pd.DataFrame) -> pd.DataFrame:
    """The panel as one column per indicator, aligned row for row with zone_years."""
    wide = panel.pivot_table(
        index=["zone_id", "year"], columns="indicator", values="value", aggfunc="first", observed=True
    )
    wide.columns = [str(c) for c in wide.columns]
    return wide.reindex(pd.MultiIndex.from_frame(zone_years[["zone_id", "year"]]))


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
    """The scorecard: one row per target, in-scope zone and year, and one ALL row per target and year."""
    assessed_years = [y for y in years if y > base_year]
    zone_years = levels[["zone_id", "year"]]
    wide = panel_wide(panel, zone_years)
    parts = []
    for target in targets:
        comps = components(wide, clusters, zone_years, target)
        scope = zones_in_scope(levels, target, groups)
        parts.append(evaluate_target(target, comps, scope, assessed_years, base_year, target_year, bands))
    scorecard = pd.concat(parts, ignore_index=True)[SCORECARD_COLUMNS]
    scorecard = scorecard.astype({"year": "int64", "zone_id": "string", "target_id": "string", "status": "string"})
    return scorecard.sort_values(["year", "target_id", "zone_id"], ignore_index=True)
