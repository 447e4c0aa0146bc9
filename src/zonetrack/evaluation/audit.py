"""A statistical audit in the spirit of the JRC's: correlations of the indicators within and across
dimensions, Cronbach's alpha of each dimension, the first principal component's share of the
variance, and flags for what a reader should know (a negative correlation within a dimension, an
indicator that stands for its whole dimension, an indicator that outliers still distort)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zonetrack.evaluation.compute import ClassYear, Scores, needs_treatment

NEGATIVE = -0.3  # a correlation below this, within a dimension, pulls the dimension two ways
DOMINANT = 0.95  # an indicator this correlated with its dimension, when another is not, is the dimension
LOW_ALPHA = 0.5
# Below this many zones with every item of a dimension, α says nothing (with 6-9 national zones it is
# below 0.5 almost every year): it is reported, never flagged.
MIN_ZONES_FOR_ALPHA = 10


def cronbach_alpha(items: np.ndarray) -> float:
    """α = k/(k − 1) · (1 − Σ var(item) / var(Σ items)) over the zones with every item."""
    complete = items[~np.isnan(items).any(axis=1)]
    k = items.shape[1]
    if k < 2 or len(complete) < 3:
        return np.nan
    total = complete.sum(axis=1).var(ddof=1)
    if total == 0:
        return np.nan
    return float(k / (k - 1) * (1 - complete.var(axis=0, ddof=1).sum() / total))


def first_component_share(matrix: np.ndarray) -> float:
    """The largest eigenvalue's share of the correlation matrix's trace, over complete zones."""
    complete = matrix[~np.isnan(matrix).any(axis=1)]
    keep = complete.std(axis=0) > 0
    if len(complete) < 4 or keep.sum() < 2:
        return np.nan
    eigenvalues = np.linalg.eigvalsh(np.corrcoef(complete[:, keep], rowvar=False))
    return float(eigenvalues[-1] / eigenvalues.sum())


def audit(data: ClassYear, scored: Scores, dimension_ids: list[str]) -> dict:
    """Correlations, alphas, the first component's share, and flags, for one class-year: on the
    indicators as normalised, and the skewness test on the values after the outlier treatment."""
    normalised, dimension_scores = scored.normalised, scored.dimensions
    ids = data.indicator_ids
    frame = pd.DataFrame(normalised, columns=ids)
    correlations = frame.corr(min_periods=4)
    flags = []
    alphas = {}
    for d, dimension in enumerate(dimension_ids):
        members = [i for i, dim in zip(ids, data.dimension_of, strict=True) if dim == dimension]
        columns = [ids.index(m) for m in members]
        alphas[dimension] = cronbach_alpha(normalised[:, columns])
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                r = correlations.loc[members[a], members[b]]
                if np.isfinite(r) and r < NEGATIVE:
                    flags.append(
                        {
                            "kind": "negative_within",
                            "dimension": dimension,
                            "indicators": [members[a], members[b]],
                            "value": round(float(r), 3),
                        }
                    )
        with_dimension = {
            m: pd.Series(normalised[:, ids.index(m)]).corr(pd.Series(dimension_scores[:, d]), min_periods=4)
            for m in members
        }
        if len(members) >= 2:
            strongest = max(with_dimension, key=lambda m: with_dimension[m] if np.isfinite(with_dimension[m]) else -2)
            weakest = min(with_dimension.values(), default=np.nan)
            if np.isfinite(with_dimension[strongest]) and with_dimension[strongest] >= DOMINANT and weakest < 0.3:
                flags.append(
                    {
                        "kind": "dominates",
                        "dimension": dimension,
                        "indicators": [strongest],
                        "value": round(float(with_dimension[strongest]), 3),
                    }
                )
        complete = int((~np.isnan(normalised[:, columns])).all(axis=1).sum())
        if (
            np.isfinite(alphas[dimension])
            and alphas[dimension] < LOW_ALPHA
            and len(members) >= 2
            and complete >= MIN_ZONES_FOR_ALPHA
        ):
            flags.append(
                {
                    "kind": "low_alpha",
                    "dimension": dimension,
                    "indicators": members,
                    "value": round(alphas[dimension], 3),
                }
            )
    for column, indicator in enumerate(ids):
        values = scored.treated_values[:, column]
        if needs_treatment(values) and np.count_nonzero(~np.isnan(values)) >= 4:
            flags.append(
                {"kind": "skewed", "dimension": data.dimension_of[column], "indicators": [indicator], "value": None}
            )
    return {
        "correlations": correlations.round(4).where(correlations.notna(), None).to_dict(),
        "alpha": {k: (None if not np.isfinite(v) else round(v, 4)) for k, v in alphas.items()},
        "first_component_share": first_component_share(normalised),
        "flags": flags,
    }
