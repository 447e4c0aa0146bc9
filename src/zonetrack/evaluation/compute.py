"""The composite index, step by step as the JRC/OECD Handbook lays it out: indicators from the panel,
outlier treatment, normalisation, weighting, aggregation, ranking. Pure functions on arrays.

Conventions (those of COINr, the JRC-backed R package): an indicator is treated when its absolute
skewness is at least 2 and its kurtosis at least 3.5, by winsorising up to five points from the
skewed side; normalised scores are "higher is better" whatever the indicator's direction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from zonetrack.evaluation.framework import Framework

SKEW_LIMIT, KURTOSIS_LIMIT, WINSORISE_AT_MOST = 2.0, 3.5, 5


def skewness(x: np.ndarray) -> float:
    """Sample skewness, adjusted (e1071 type 2, as COINr): NaN below three values."""
    x = x[~np.isnan(x)]
    n = len(x)
    if n < 3:
        return np.nan
    d = x - x.mean()
    m2 = (d**2).sum()
    if m2 == 0:
        return 0.0
    g = np.sqrt(n) * (d**3).sum() / m2**1.5
    return float(g * np.sqrt(n * (n - 1)) / (n - 2))


def kurtosis(x: np.ndarray) -> float:
    """Sample excess kurtosis, adjusted (e1071 type 2, as COINr): NaN below four values."""
    x = x[~np.isnan(x)]
    n = len(x)
    if n < 4:
        return np.nan
    d = x - x.mean()
    m2 = (d**2).sum()
    if m2 == 0:
        return 0.0
    r = n * (d**4).sum() / m2**2
    return float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))


def needs_treatment(x: np.ndarray) -> bool:
    """|skewness| ≥ 2 and kurtosis ≥ 3.5: outliers distort the indicator."""
    skew, kurt = skewness(x), kurtosis(x)
    return bool(np.isfinite(skew) and np.isfinite(kurt) and abs(skew) >= SKEW_LIMIT and kurt >= KURTOSIS_LIMIT)


def winsorise(x: np.ndarray, at_most: int = WINSORISE_AT_MOST) -> tuple[np.ndarray, int]:
    """Replace the most extreme value (from the skewed side) by the next one until the indicator
    passes, up to `at_most` points; return the treated values and how many were changed."""
    x = x.astype("float64").copy()
    changed = np.zeros(len(x), dtype=bool)
    while needs_treatment(x) and changed.sum() < at_most:
        present = ~np.isnan(x)
        extreme = np.nanmax(x) if skewness(x) >= 0 else np.nanmin(x)
        at = present & (x == extreme)
        rest = x[present & ~at]
        if not len(rest):
            break
        x[at] = rest.max() if skewness(x) >= 0 else rest.min()
        changed |= at
    return x, int(changed.sum())


def normalise(
    x: np.ndarray,
    method: str,
    lower_is_better: bool,
    is_rate: bool = False,
    goalposts: tuple[float, float] | None = None,
) -> np.ndarray:
    """Scores where higher is better: min-max (0-100), z-score, percentile rank (0-100), or distance
    to the best (100 × value / best; rates as growth factors 1 + r). A constant indicator scores
    the middle of its scale for everyone (it tells zones apart in nothing). Min-max takes its minimum
    and maximum from `goalposts` where given (another year's: scores may then leave 0-100)."""
    present = ~np.isnan(x)
    v = x[present]
    out = np.full(len(x), np.nan)
    if not len(v):
        return out
    if method == "minmax":
        low, high = goalposts if goalposts is not None else (v.min(), v.max())
        score = np.full(len(v), 50.0) if high == low else 100 * (v - low) / (high - low)
        out[present] = 100 - score if lower_is_better else score
    elif method == "zscore":
        sd = v.std(ddof=1) if len(v) > 1 else 0.0
        score = np.zeros(len(v)) if sd == 0 else (v - v.mean()) / sd
        out[present] = -score if lower_is_better else score
    elif method == "rank":
        ranks = pd.Series(-v if lower_is_better else v).rank(method="average").to_numpy()
        out[present] = np.full(len(v), 50.0) if len(v) == 1 else 100 * (ranks - 1) / (len(v) - 1)
    elif method == "distance_to_best":
        factor = 1 + v / 100 if is_rate else v
        factor = np.where(factor > 0, factor, 0.0)
        if lower_is_better:
            # 100 × best / value; a value of 0 (none at all, where less is better) is the best: 100.
            best = factor.min(initial=np.inf, where=factor > 0)
            out[present] = np.where(factor > 0, 100 * best / np.where(factor > 0, factor, 1.0), 100.0)
        else:
            best = factor.max()
            out[present] = 100 * factor / best if best > 0 else 0.0
    else:
        raise ValueError(f"unknown normalisation {method}")
    return out


def to_positive(scores: np.ndarray) -> np.ndarray:
    """Scores rescaled to [1, 100] within the class (a geometric mean needs positive values: a zero
    would zero the product)."""
    out = np.array(scores, dtype="float64")
    for column in range(out.shape[1]):
        v = out[:, column]
        present = ~np.isnan(v)
        if present.any():
            low, high = v[present].min(), v[present].max()
            out[present, column] = 50.5 if high == low else 1 + 99 * (v[present] - low) / (high - low)
    return out


def aggregate(scores: np.ndarray, weights: np.ndarray, method: str, rescale: bool = True) -> np.ndarray:
    """Weighted mean of each row over the columns it has (weights re-normalised over them):
    arithmetic, or geometric. A geometric mean needs positive scores: the indicators' scores are
    rescaled to [1, 100] once (`rescale`), and the dimension scores made of them are aggregated as they
    are (as COINr does: a second rescale would make the published dimension scores unable to
    reproduce the index)."""
    present = ~np.isnan(scores)
    w = np.where(present, weights[None, :], 0.0)
    total = w.sum(axis=1)
    if method == "arithmetic":
        value = np.where(present, scores, 0.0) * w
        result = value.sum(axis=1) / np.where(total > 0, total, np.nan)
    elif method == "geometric":
        positive = to_positive(scores) if rescale else scores
        logs = np.where(present, np.log(np.where(present, positive, 1.0)), 0.0) * w
        result = np.exp(logs.sum(axis=1) / np.where(total > 0, total, np.nan))
    else:
        raise ValueError(f"unknown aggregation {method}")
    return np.where(total > 0, result, np.nan)


def ranks(index: np.ndarray) -> np.ndarray:
    """1 for the highest index; ties share the best rank; NaN stays unranked."""
    return pd.Series(-index).rank(method="min").to_numpy()


@dataclass
class ClassYear:
    """One class's indicators in one year: raw values (zones × indicators), weights, directions."""

    zones: np.ndarray
    raw: np.ndarray
    indicator_ids: list[str]
    dimension_of: list[str]
    weights: np.ndarray
    directions: np.ndarray
    rates: np.ndarray


def indicator_table(panel: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Every framework indicator for every zone and year of the panel (NaN where it cannot be
    computed): ratios of the dictionary's indicators, growth over the previous year in %, increments
    (the absolute change over the previous year)."""
    wide = panel.pivot_table(index=["zone_id", "year"], columns="indicator", values="value", observed=True)
    wide.columns = wide.columns.astype(str)
    previous = wide.copy()
    previous.index = pd.MultiIndex.from_arrays(
        [previous.index.get_level_values(0), previous.index.get_level_values(1) + 1], names=["zone_id", "year"]
    )
    previous = previous.reindex(wide.index)
    out = pd.DataFrame(index=wide.index)
    for _, indicator_id, indicator in framework.indicators:

        def column(name: str, table: pd.DataFrame = wide) -> pd.Series:
            return table[name] if name in table.columns else pd.Series(np.nan, index=table.index)

        if indicator.indicator:
            value = column(indicator.indicator) * indicator.scale
        elif indicator.ratio:
            numerator, denominator = (column(n) for n in indicator.ratio)
            value = numerator / denominator.where(denominator > 0) * indicator.scale
        elif indicator.growth:
            now, before = column(indicator.growth), column(indicator.growth, previous)
            value = (now / before.where(before > 0) - 1) * 100
        else:  # an increment: this year's value less last year's, in the indicator's unit
            value = (column(indicator.increment) - column(indicator.increment, previous)) * indicator.scale
        out[indicator_id] = value.where(np.isfinite(value))
    return out.reset_index()


def class_year(table: pd.DataFrame, zones: list[str], year: int, framework: Framework, weighting: str) -> ClassYear:
    """The indicators of a class's zones in a year, with weights (indicator × its dimension's)."""
    rows = table[(table["year"] == year) & table["zone_id"].isin(zones)].set_index("zone_id").reindex(sorted(zones))
    ids = [i for _, i, _ in framework.indicators]
    dims = [d for d, _, _ in framework.indicators]
    if weighting == "equal":
        weights = np.array(
            [1 / len(framework.dimensions) / len(framework.dimensions[d].indicators) for d in dims], dtype="float64"
        )
    else:
        weights = np.array([x.weight for _, _, x in framework.indicators], dtype="float64")
    return ClassYear(
        np.array(sorted(zones), dtype=object),
        rows[ids].to_numpy(dtype="float64"),
        ids,
        dims,
        weights,
        np.array([x.direction == "lower" for _, _, x in framework.indicators]),
        np.array([bool(x.growth) for _, _, x in framework.indicators]),
    )


def dimension_weights(framework: Framework, weighting: str) -> np.ndarray:
    """Each dimension's weight: as given, or equal."""
    if weighting == "equal":
        return np.ones(len(framework.dimensions))
    return np.array([d.weight for d in framework.dimensions.values()], dtype="float64")


@dataclass
class Scores:
    """A class-year scored with one combination of choices."""

    normalised: np.ndarray  # zones × indicators
    dimensions: np.ndarray  # zones × dimensions
    treated: np.ndarray  # points winsorised per indicator
    treated_values: np.ndarray  # zones × indicators after the outlier treatment (what was normalised)


def treat(raw: np.ndarray, treatment: str) -> tuple[np.ndarray, np.ndarray]:
    """The indicators after outlier treatment (winsorised or as they are), and the points changed
    per indicator."""
    values = raw.copy()
    treated = np.zeros(values.shape[1], dtype=int)
    if treatment == "winsorise":
        for column in range(values.shape[1]):
            values[:, column], treated[column] = winsorise(values[:, column])
    return values, treated


def score(
    data: ClassYear,
    framework: Framework,
    treatment: str,
    normalisation: str,
    aggregation: str,
    treated_values: tuple[np.ndarray, np.ndarray] | None = None,
) -> Scores:
    """Treat, normalise and aggregate a class-year's indicators into dimension scores (the
    treatment's result may be passed in when it was computed already)."""
    values, treated = treated_values if treated_values is not None else treat(data.raw, treatment)
    normalised = (
        np.column_stack(
            [
                normalise(values[:, c], normalisation, bool(data.directions[c]), bool(data.rates[c]))
                for c in range(values.shape[1])
            ]
        )
        if values.shape[1]
        else values
    )
    dims = list(framework.dimensions)
    dimension_scores = np.column_stack(
        [
            aggregate(
                normalised[:, [i for i, d in enumerate(data.dimension_of) if d == dim]],
                data.weights[[i for i, d in enumerate(data.dimension_of) if d == dim]],
                aggregation,
            )
            for dim in dims
        ]
    )
    return Scores(normalised, dimension_scores, treated, values)
