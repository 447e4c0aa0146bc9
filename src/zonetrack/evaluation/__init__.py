"""The performance evaluation the 2017-2019 plan asks for (§三.6, 绩效评价): a composite index of
every zone by class (national, provincial), its rank, the rank's uncertainty, and an audit.

framework (files, settings) · compute (treat, normalise, weight, aggregate, rank) · uncertainty
(Monte Carlo and Sobol' indices with SALib) · audit (correlations, alpha, principal component).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from zonetrack.evaluation.audit import audit
from zonetrack.evaluation.compute import class_year, dimension_weights, indicator_table, ranks
from zonetrack.evaluation.framework import EvaluationSettings, Framework
from zonetrack.evaluation.uncertainty import analyse, nominal_index
from zonetrack.registry import zone_levels

BASE_COLUMNS = ["year", "class", "zone_id", "index", "rank", "rank_change", "rank_median", "rank_p05", "rank_p95"]
SENSITIVITY_COLUMNS = ["year", "class", "factor", "S1", "S1_conf", "ST", "ST_conf", "replications"]


@dataclass
class Evaluation:
    """Every class-year's results, the sensitivity indices, the audits and the notes on the data."""

    results: pd.DataFrame
    sensitivity: pd.DataFrame
    audits: dict = field(default_factory=dict)
    notes: list[dict] = field(default_factory=list)


# The Monte Carlo's work is replications × zones ranked, summed over classes and years. Measured by
# `make bench` (10,240 replications of 1,500 zones in 0.84 s on 2 cores: about 18 million a second),
# 3 × 10^9 is about 3 minutes: beyond it a run is refused before it starts, never left to run for hours.
MAX_ZONE_REPLICATIONS = 3e9


def planned_work(
    panel: pd.DataFrame, registry: pd.DataFrame, frameworks: list[Framework], settings: EvaluationSettings
) -> float:
    """An upper bound of the Monte Carlo's zone-replications: base_samples × (factors + 2) for every
    zone of a class in a year of the panel (factors: one weight per dimension and three choices)."""
    years = sorted(int(y) for y in panel["year"].unique())
    levels = zone_levels(registry, years)
    total = 0.0
    for framework in frameworks:
        zones = int((levels["level"] == framework.zone_class).sum())
        total += settings.uncertainty.base_samples * (len(framework.dimensions) + 3 + 2) * zones
    return total


def evaluate(
    panel: pd.DataFrame, registry: pd.DataFrame, frameworks: list[Framework], settings: EvaluationSettings
) -> Evaluation:
    """Evaluate every year of the panel for every class that has a framework."""
    years = sorted(int(y) for y in panel["year"].unique())
    levels = zone_levels(registry, years)
    tables = {f.id: indicator_table(panel, f) for f in frameworks}
    parts, sensitivity, audits, notes = [], [], {}, []
    for framework in frameworks:
        dims = list(framework.dimensions)
        ranked_in: dict[int, pd.Series] = {}
        for year in years:
            zones = levels.loc[(levels["year"] == year) & (levels["level"] == framework.zone_class), "zone_id"].tolist()
            if len(zones) < 3:
                notes.append(
                    {"year": year, "class": framework.zone_class, "note": f"{len(zones)} zone(s): too few to rank"}
                )
                continue
            data = class_year(tables[framework.id], zones, year, framework, settings.weighting)
            collected = ~np.isnan(data.raw).all(axis=0)
            for indicator in np.array(data.indicator_ids)[~collected]:
                notes.append(
                    {
                        "year": year,
                        "class": framework.zone_class,
                        "note": f"{indicator}: no zone has a value; left out this year",
                    }
                )
            if not collected.any():
                continue
            data = _keep_indicators(data, collected)
            share = (~np.isnan(data.raw)).mean(axis=1)
            ranked = share >= settings.min_share - 1e-12
            missing = [
                "; ".join(i for i, v in zip(data.indicator_ids, row, strict=True) if np.isnan(v)) for row in data.raw
            ]
            for zone, fraction in zip(data.zones[~ranked], share[~ranked], strict=True):
                notes.append(
                    {
                        "year": year,
                        "class": framework.zone_class,
                        "zone_id": str(zone),
                        "note": f"not ranked: {fraction:.0%} of the indicators have a value "
                        f"(at least {settings.min_share:.0%} needed)",
                    }
                )
            if ranked.sum() < 3:
                continue
            chosen = _rows(data, ranked)
            weights = dimension_weights(framework, settings.weighting)
            index, scored = nominal_index(
                chosen, framework, settings.treatment, settings.normalisation, settings.aggregation, weights
            )
            nominal = ranks(index)
            spread = analyse(
                chosen,
                framework,
                nominal,
                weights,
                settings.uncertainty.weight_spread,
                settings.uncertainty.base_samples,
                settings.uncertainty.seed,
            )
            frame = pd.DataFrame(
                {
                    "year": year,
                    "class": framework.zone_class,
                    "zone_id": chosen.zones.astype(str),
                    "index": index,
                    "rank": nominal,
                    "rank_median": spread.median,
                    "rank_p05": spread.p05,
                    "rank_p95": spread.p95,
                    **{d: scored.dimensions[:, k] for k, d in enumerate(dims)},
                    "indicators_missing": (np.isnan(chosen.raw)).sum(axis=1),
                    "missing": np.array(missing, dtype=object)[ranked],
                }
            )
            # Places moved up since the year before (positive = up); none when that year was not ranked.
            before = ranked_in.get(year - 1, pd.Series(dtype="float64"))
            frame["rank_change"] = before.reindex(frame["zone_id"]).to_numpy() - frame["rank"].to_numpy()
            ranked_in[year] = frame.set_index("zone_id")["rank"]
            parts.append(frame)
            sensitivity.append(
                pd.DataFrame(
                    {
                        "year": year,
                        "class": framework.zone_class,
                        "factor": spread.factors,
                        "S1": spread.first_order,
                        "S1_conf": spread.first_order_conf,
                        "ST": spread.total,
                        "ST_conf": spread.total_conf,
                        "replications": spread.replications,
                    }
                )
            )
            audits[f"{year}/{framework.zone_class}"] = audit(chosen, scored.normalised, scored.dimensions, dims) | {
                "treated": dict(zip(chosen.indicator_ids, scored.treated.tolist(), strict=True))
            }
    results = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=BASE_COLUMNS)
    order = BASE_COLUMNS + [c for c in results.columns if c not in BASE_COLUMNS]
    results = results[order].sort_values(["year", "class", "rank", "zone_id"], ignore_index=True)
    sens = pd.concat(sensitivity, ignore_index=True) if sensitivity else pd.DataFrame(columns=SENSITIVITY_COLUMNS)
    return Evaluation(results, sens, audits, notes)


def _keep_indicators(data, keep: np.ndarray):
    from dataclasses import replace

    ids = [i for i, k in zip(data.indicator_ids, keep, strict=True) if k]
    dims = [d for d, k in zip(data.dimension_of, keep, strict=True) if k]
    return replace(
        data,
        raw=data.raw[:, keep],
        indicator_ids=ids,
        dimension_of=dims,
        weights=data.weights[keep],
        directions=data.directions[keep],
        rates=data.rates[keep],
    )


def _rows(data, keep: np.ndarray):
    from dataclasses import replace

    return replace(data, zones=data.zones[keep], raw=data.raw[keep])
