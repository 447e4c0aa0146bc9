"""The performance evaluation the 2017-2019 plan asks for (§三.6, 绩效评价): a composite index of
every zone by class (national, provincial), its rank, the rank's uncertainty, and an audit.

framework (files, settings) · compute (treat, normalise, weight, aggregate, rank) · uncertainty
(Monte Carlo and Sobol' indices with SALib) · audit (correlations, alpha, principal component).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from zonetrack.evaluation.audit import audit
from zonetrack.evaluation.compute import class_year, dimension_weights, indicator_table, ranks
from zonetrack.evaluation.framework import EvaluationSettings, Framework
from zonetrack.evaluation.results import change_among, strengths_weaknesses, tier_boundaries, tier_labels
from zonetrack.evaluation.uncertainty import analyse_cached, nominal_index
from zonetrack.registry import zone_levels

BASE_COLUMNS = ["year", "class", "zone_id", "index", "rank", "rank_change", "rank_median", "rank_p05", "rank_p95"]
SENSITIVITY_COLUMNS = ["year", "class", "factor", "S1", "S1_conf", "ST", "ST_conf", "replications"]


@dataclass
class Evaluation:
    """Every class-year's results, the sensitivity indices, the audits, the notes on the data, and
    what each class-year's ranking rests on (`coverage`, "<year>/<class>": dimensions with data, zones
    ranked of the class's, whether it is published and why not)."""

    results: pd.DataFrame
    sensitivity: pd.DataFrame
    audits: dict = field(default_factory=dict)
    notes: list[dict] = field(default_factory=list)
    coverage: dict = field(default_factory=dict)


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
    parts, sensitivity, audits, notes, coverage = [], [], {}, [], {}
    for framework in frameworks:
        ranked_in: dict[int, _Ranked] = {}
        for year in years:
            zones = levels.loc[(levels["year"] == year) & (levels["level"] == framework.zone_class), "zone_id"].tolist()
            rests_on = coverage[f"{year}/{framework.zone_class}"] = {
                "dimensions": len(framework.dimensions),
                "dimensions_with_data": [],
                "zones": len(zones),
                "zones_ranked": None,  # not counted where the dimensions already fall short
                "zones_needed": None,
                "published": False,
                "reason": "",  # zones_in_class, dimensions or zones_ranked where none is published
                "why": "",
            }
            found = _class_year(tables[framework.id], zones, year, framework, settings, notes, rests_on)
            if found is None:
                _note(notes, year, framework, f"no ranking published: {rests_on['why']}")
                continue
            rests_on["published"] = True
            frame, spread, scored, chosen = found
            _add_rank_changes(frame, chosen, ranked_in, tables[framework.id], year, framework, settings, notes)
            ranked_in[year] = _Ranked(frame.set_index("zone_id")["rank"], chosen)
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
            dims = list(framework.dimensions)
            audits[f"{year}/{framework.zone_class}"] = audit(chosen, scored, dims) | {
                "treated": dict(zip(chosen.indicator_ids, scored.treated.tolist(), strict=True))
            }
    results = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=BASE_COLUMNS)
    if settings.comparable_from is not None and len(results):
        results = _comparable(results, tables, frameworks, settings, notes)
    order = BASE_COLUMNS + [c for c in results.columns if c not in BASE_COLUMNS]
    results = results[order].sort_values(["year", "class", "rank", "zone_id"], ignore_index=True)
    sens = pd.concat(sensitivity, ignore_index=True) if sensitivity else pd.DataFrame(columns=SENSITIVITY_COLUMNS)
    return Evaluation(results, sens, audits, notes, coverage)


@dataclass
class _Ranked:
    """A class-year as ranked: the ranks, and the data they were computed on."""

    ranks: pd.Series
    data: object  # ClassYear of the zones ranked, on the indicators collected that year


def _note(notes: list, year: int, framework: Framework, text: str, zone: str | None = None) -> None:
    entry = {"year": year, "class": framework.zone_class, "note": text}
    if zone is not None:
        entry["zone_id"] = zone
    notes.append(entry)


def _class_year(table, zones, year, framework, settings, notes, rests_on: dict):
    """One class-year ranked: its results frame, the uncertainty, the nominal scores, the data; or
    None when there is nothing to rank or too little to publish (`rests_on` says what the ranking
    rests on, and why it is not published)."""
    if len(zones) < 3:
        rests_on["reason"] = "zones_in_class"
        rests_on["why"] = f"{len(zones)} zone(s) in the class: too few to rank"
        return None
    data = class_year(table, zones, year, framework, settings.weighting)
    collected = ~np.isnan(data.raw).all(axis=0)
    for indicator in np.array(data.indicator_ids)[~collected]:
        _note(notes, year, framework, f"{indicator}: no zone has a value; left out this year")
    dims = list(framework.dimensions)
    with_data = [d for d in dims if any(c and x == d for c, x in zip(collected, data.dimension_of, strict=True))]
    rests_on["dimensions_with_data"] = with_data
    if len(with_data) < settings.min_dimensions_with_data * len(dims) - 1e-9:
        empty = [d for d in dims if d not in with_data]
        rests_on["reason"] = "dimensions"
        rests_on["why"] = (
            f"{len(with_data)} of {len(dims)} dimensions have data (no zone has a value in {', '.join(empty)}); "
            f"at least {settings.min_dimensions_with_data:.0%} needed"
        )
        return None
    data = _keep_indicators(data, collected)
    present = ~np.isnan(data.raw)
    share = present.mean(axis=1)
    of_dimension = {d: [i for i, x in enumerate(data.dimension_of) if x == d] for d in dims}
    # Each dimension's share of its indicators (collected this year) that the zone has.
    dimension_share = np.column_stack(
        [present[:, cols].mean(axis=1) if cols else np.ones(len(present)) for cols in of_dimension.values()]
    )
    ranked = (share >= settings.min_share - 1e-12) & (dimension_share >= settings.min_dimension_share - 1e-12).all(
        axis=1
    )
    for z in np.flatnonzero(~ranked):
        short = [d for k, d in enumerate(dims) if dimension_share[z, k] < settings.min_dimension_share - 1e-12]
        why = (
            f"{share[z]:.0%} of the indicators have a value (at least {settings.min_share:.0%} needed)"
            if share[z] < settings.min_share - 1e-12
            else f"too few indicators in {', '.join(short)} (at least {settings.min_dimension_share:.0%} of a "
            "dimension's needed)"
        )
        _note(notes, year, framework, f"not ranked: {why}", str(data.zones[z]))
    needed = max(3, math.ceil(settings.min_zones_ranked * len(zones) - 1e-9))
    rests_on["zones_ranked"], rests_on["zones_needed"] = int(ranked.sum()), needed
    if ranked.sum() < needed:
        rests_on["reason"] = "zones_ranked"
        rests_on["why"] = (
            f"{int(ranked.sum())} of the class's {len(zones)} zones have enough data to be ranked; at least "
            f"{needed} needed (3, and {settings.min_zones_ranked:.0%} of the class)"
        )
        return None
    chosen = _rows(data, ranked)
    weights = dimension_weights(framework, settings.weighting)
    index, scored = nominal_index(
        chosen, framework, settings.treatment, settings.normalisation, settings.aggregation, weights
    )
    nominal = ranks(index)
    # The nominal ranks are those of the chosen aggregation; only the other is computed again.
    by_aggregation = {
        a: nominal
        if a == settings.aggregation
        else ranks(nominal_index(chosen, framework, settings.treatment, settings.normalisation, a, weights)[0])
        for a in ("arithmetic", "geometric")
    }
    spread = analyse_cached(
        chosen,
        framework,
        nominal,
        weights,
        settings.uncertainty.weight_spread,
        settings.uncertainty.base_samples,
        settings.uncertainty.seed,
    )
    split_by = spread.split_by()
    tiers = tier_labels(nominal, tier_boundaries(nominal, spread.p05, spread.p95, framework.tiers))
    strengths, weaknesses = strengths_weaknesses(scored.normalised, chosen.indicator_ids)
    strong_dims, weak_dims = strengths_weaknesses(scored.dimensions, dims, shown=1)
    missing = [
        "; ".join(i for i, v in zip(chosen.indicator_ids, row, strict=True) if np.isnan(v)) for row in chosen.raw
    ]
    thin = [
        "|".join(d for k, d in enumerate(dims) if row[k] < settings.min_share - 1e-12)
        for row in dimension_share[ranked]
    ]
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
            "missing": missing,
            "rank_arithmetic": by_aggregation["arithmetic"],
            "rank_geometric": by_aggregation["geometric"],
            "split": [bool(s) for s in split_by],
            "split_by": ["|".join(s) for s in split_by],
            "tier": tiers,
            "strengths": ["|".join(s) for s in strengths],
            "weaknesses": ["|".join(w) for w in weaknesses],
            "strength_dimension": ["|".join(s) for s in strong_dims],
            "weakness_dimension": ["|".join(w) for w in weak_dims],
            "thin_dimensions": thin,
            **_points(scored.dimensions, weights, dims, settings),
        }
    )
    return frame, spread, scored, chosen


def _points(dimensions: np.ndarray, weights: np.ndarray, dims: list[str], settings) -> dict:
    """The score on 100 points, as a department's score sheet has it: each dimension's points are its
    weight's share of 100 times its score on the 0-100 scale, the total their sum (the arithmetic
    index). Only where the scores are on a 0-100 scale and add up (min-max, percentile rank or
    distance to the best, arithmetic aggregation); none otherwise."""
    if settings.normalisation == "zscore" or settings.aggregation != "arithmetic":
        return {}
    present = ~np.isnan(dimensions)
    share = np.where(present, weights[None, :], 0.0)
    share = share / share.sum(axis=1, keepdims=True)
    points = {f"points_{d}": share[:, k] * dimensions[:, k] for k, d in enumerate(dims)}
    return {"points": np.nansum(np.column_stack(list(points.values())), axis=1), **points}


def _add_rank_changes(frame, chosen, ranked_in, table, year, framework, settings, notes) -> None:
    """The published change (places since the year before, positive = up) and the like-for-like one:
    both years' indices recomputed on the indicators collected in both years, among the zones ranked
    in both, each re-ranked among them; a note where the two rankings do not rest on the same basis."""
    before = ranked_in.get(year - 1)
    frame["rank_change"] = (
        before.ranks.reindex(frame["zone_id"]).to_numpy() - frame["rank"].to_numpy() if before else np.nan
    )
    frame["rank_change_lfl"] = np.nan
    if before is None:
        return
    this = frame.set_index("zone_id")["rank"]
    common = sorted(set(this.index) & set(before.ranks.index))
    this_ids = list(chosen.indicator_ids)
    before_ids = list(before.data.indicator_ids)
    shared = [i for i in this_ids if i in before_ids]
    entered = sorted(set(this.index) - set(before.ranks.index))
    left = sorted(set(before.ranks.index) - set(this.index))
    if set(this_ids) != set(before_ids):
        differ = sorted(set(this_ids) ^ set(before_ids))
        _note(
            notes,
            year,
            framework,
            f"rank change: the indicators differ from {year - 1}'s ({', '.join(differ)}); the like-for-like "
            "change compares both years on the indicators they share",
        )
    if entered or left:
        _note(
            notes,
            year,
            framework,
            f"rank change: the class differs from {year - 1}'s (entered: {', '.join(entered) or 'none'}; left: "
            f"{', '.join(left) or 'none'}); the like-for-like change compares the zones ranked in both years",
        )
    if len(common) < 3 or not shared:
        return
    weights = dimension_weights(framework, settings.weighting)
    recomputed = {}
    for y in (year - 1, year):
        data = class_year(table, common, y, framework, settings.weighting)
        data = _keep_indicators(data, np.isin(data.indicator_ids, shared))
        index, _ = nominal_index(
            data, framework, settings.treatment, settings.normalisation, settings.aggregation, weights
        )
        recomputed[y] = pd.Series(ranks(index), index=data.zones.astype(str))
    change = change_among(recomputed[year - 1].dropna(), recomputed[year].dropna())
    frame["rank_change_lfl"] = change.reindex(frame["zone_id"]).to_numpy()


def _comparable(results, tables, frameworks, settings, notes) -> pd.DataFrame:
    """index_comparable: each ranked zone's index with its indicators min-max normalised by the
    goalposts of the base year (the class's minimum and maximum of each indicator then; scores may
    leave 0-100), arithmetic with the framework's weights, no outlier treatment, on the indicators
    collected in the base year; index_growth: its change since the base year (a share). A year whose
    indicators differ from the base year's is compared on those they share, and a note says so."""
    from zonetrack.evaluation.compute import aggregate, normalise

    base = settings.comparable_from
    parts = []
    for framework in frameworks:
        rows = results[results["class"] == framework.zone_class]
        if rows.empty:
            continue
        table = tables[framework.id]
        ids = [i for _, i, _ in framework.indicators]
        lower = {i: x.direction == "lower" for _, i, x in framework.indicators}
        dimension_of = {i: d for d, i, _ in framework.indicators}
        reference = table[(table["year"] == base) & table["zone_id"].isin(rows.loc[rows["year"] == base, "zone_id"])]
        posts = {i: (reference[i].min(), reference[i].max()) for i in ids if reference[i].notna().any()}
        if not posts:
            _note(notes, base, framework, f"comparable index: {base} has no ranked zones with data; none computed")
            continue
        weights = dimension_weights(framework, settings.weighting)
        for year, ranked in rows.groupby("year"):
            data = table[(table["year"] == year)].set_index("zone_id").reindex(ranked["zone_id"])
            used = [i for i in ids if i in posts and data[i].notna().any()]
            if set(used) != set(posts):
                gone = sorted(set(posts) - set(used))
                _note(notes, int(year), framework, f"comparable index: without {', '.join(gone)} (no data this year)")
            dims = list(framework.dimensions)
            scores = np.full((len(ranked), len(dims)), np.nan)
            for k, dim in enumerate(dims):
                members = [i for i in used if dimension_of[i] == dim]
                if not members:
                    continue
                normalised = [
                    normalise(data[i].to_numpy(dtype="float64"), "minmax", lower[i], goalposts=posts[i])
                    for i in members
                ]
                member_weights = np.array([framework.dimensions[dim].indicators[i].weight for i in members])
                scores[:, k] = aggregate(np.column_stack(normalised), member_weights, "arithmetic")
            frame = ranked[["year", "class", "zone_id"]].copy()
            frame["index_comparable"] = aggregate(scores, weights, "arithmetic")
            parts.append(frame)
    if not parts:
        return results
    comparable = pd.concat(parts, ignore_index=True)
    at_base = comparable[comparable["year"] == base].set_index(["class", "zone_id"])["index_comparable"]
    start = at_base.reindex(pd.MultiIndex.from_frame(comparable[["class", "zone_id"]])).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = comparable["index_comparable"].to_numpy() / start - 1
    comparable["index_growth"] = np.where(start > 0, growth, np.nan)
    return results.merge(comparable, on=["year", "class", "zone_id"], how="left")


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
