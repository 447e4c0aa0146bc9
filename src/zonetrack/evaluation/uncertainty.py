"""Uncertainty and sensitivity of the ranks: a Monte Carlo over the method's uncertain choices
(outlier treatment on or off, the normalisation, the aggregation, each dimension's weight), laid out
as a Sobol' design by SALib, and SALib's variance-based indices of which choice drives the ranks.

The ranks of every replication are summarised per zone (median, 5 % and 95 %); the indices explain
the variance of the mean absolute shift of the zones' ranks from the nominal ranking.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from zonetrack.evaluation.compute import ClassYear, aggregate, score, treat
from zonetrack.evaluation.framework import AGGREGATIONS, NORMALISATIONS, Framework

TREATMENTS = ("winsorise", "none")


@dataclass
class RankUncertainty:
    """Per zone: median rank and the 5-95 % interval; per choice: Sobol' indices."""

    median: np.ndarray
    p05: np.ndarray
    p95: np.ndarray
    factors: list[str]
    first_order: np.ndarray
    first_order_conf: np.ndarray
    total: np.ndarray
    total_conf: np.ndarray
    replications: int
    # Per discrete choice and option (aggregation: geometric), each zone's 5 % and 95 % rank over the
    # replications made with that option.
    conditional: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = field(default_factory=dict)

    def split_by(self) -> list[list[str]]:
        """Per zone, the choices whose options give it separate rank intervals (one option's 95 %
        rank above another's 5 %): its ranks split into ranges by that choice."""
        zones = len(self.median)
        found: list[list[str]] = [[] for _ in range(zones)]
        for choice, options in self.conditional.items():
            intervals = list(options.values())
            for z in range(zones):
                lows = [low[z] for low, _ in intervals if np.isfinite(low[z])]
                highs = [high[z] for _, high in intervals if np.isfinite(high[z])]
                if lows and highs and min(highs) < max(lows):
                    found[z].append(choice)
        return found


def problem(dimension_ids: list[str], spread: float) -> dict:
    """SALib's problem: three discrete choices (as uniform [0, 1) mapped to their options) and a
    multiplier of each dimension's weight, uniform in [1 − spread, 1 + spread]."""
    names = ["treatment", "normalisation", "aggregation", *(f"weight:{d}" for d in dimension_ids)]
    bounds = [[0.0, 1.0]] * 3 + [[1.0 - spread, 1.0 + spread]] * len(dimension_ids)
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def design(dimension_ids: list[str], spread: float, base_samples: int, seed: int) -> tuple[dict, np.ndarray]:
    """The Sobol' sample: N·(D + 2) rows (first-order and total indices, no second order)."""
    from SALib.sample import sobol

    spec = problem(dimension_ids, spread)
    return spec, sobol.sample(spec, base_samples, calc_second_order=False, seed=seed)


def _choice(column: np.ndarray, options: tuple) -> np.ndarray:
    return np.minimum((column * len(options)).astype(int), len(options) - 1)


def aggregation_terms(scores: np.ndarray, aggregation: str) -> tuple[np.ndarray, np.ndarray]:
    """What a weighted mean over the dimensions each zone has needs of its dimension scores: which
    are present (as 0/1) and the values to weight (log scores for a geometric mean: the dimension
    scores are geometric means of indicator scores in [1, 100], positive already), 0 where missing."""
    present = ~np.isnan(scores)
    if aggregation == "geometric":
        values = np.where(present, np.log(np.where(present, scores, 1.0)), 0.0)
    else:
        values = np.where(present, scores, 0.0)
    return present.astype("float64"), values


def index_matrix(
    terms: dict[tuple, tuple[np.ndarray, np.ndarray]], rows: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Each replication's index of every zone (replications × zones), one matrix product per
    combination of choices; `terms` holds each combination's aggregation terms."""
    treatment = _choice(rows[:, 0], TREATMENTS)
    normalisation = _choice(rows[:, 1], NORMALISATIONS)
    aggregation = _choice(rows[:, 2], AGGREGATIONS)
    run_weights = weights[None, :] * rows[:, 3:]
    n_zones = next(iter(terms.values()))[0].shape[0]
    index = np.full((len(rows), n_zones), np.nan)
    for t, treatment_name in enumerate(TREATMENTS):
        for n, norm in enumerate(NORMALISATIONS):
            for a, agg in enumerate(AGGREGATIONS):
                runs = np.flatnonzero((treatment == t) & (normalisation == n) & (aggregation == a))
                if not len(runs):
                    continue
                present, values = terms[(treatment_name, norm, agg)]
                w = run_weights[runs]  # runs × dimensions
                total = present @ w.T  # zones × runs
                combined = values @ w.T
                with np.errstate(invalid="ignore", divide="ignore"):
                    result = combined / total
                index[runs] = (np.exp(result) if agg == "geometric" else result).T
    return index


def rank_rows(index: np.ndarray) -> np.ndarray:
    """Ranks within each replication (1 = best; equal indices share the best rank, as the nominal
    ranking does), by one sort per row; unranked zones stay NaN. Three matrices of the index's size
    are used, each for more than one step (the index may be 10,000 replications × 1,500 zones)."""
    rows, zones = index.shape
    key = np.negative(index)
    missing = np.isnan(key)
    key[missing] = np.inf
    flat = np.argsort(key, axis=1)
    flat += (np.arange(rows, dtype=flat.dtype) * zones)[:, None]  # positions in the flattened matrix
    ordered = np.take(key, flat)  # each row's keys in ascending order
    new_value = ordered[:, 1:] != ordered[:, :-1]
    ranked = key  # the keys are no longer needed: their buffer takes the ranks
    if new_value.all():
        np.put(ranked, flat, np.arange(1, zones + 1, dtype="float64"))  # repeated row after row
    else:
        # Each position's rank is 1 + the position where its run of equal values starts.
        ordered[:, 0] = 0.0
        ordered[:, 1:] = np.where(new_value, np.arange(1, zones, dtype="float64"), 0.0)
        np.maximum.accumulate(ordered, axis=1, out=ordered)
        ordered += 1.0
        np.put(ranked, flat, ordered)
    ranked[missing] = np.nan
    return ranked


def rank_codes(ranked: np.ndarray) -> np.ndarray:
    """Each cell's bin for `code_histogram`: a zone's ranks are counted in its own run of zones + 1
    bins, an unranked cell in the run's bin 0."""
    zones = ranked.shape[1]
    codes = np.nan_to_num(ranked, nan=0.0).astype(np.int64)
    codes += (np.arange(zones, dtype=np.int64) * (zones + 1))[None, :]
    return codes


def code_histogram(codes: np.ndarray, zones: int) -> np.ndarray:
    """The histogram of `rank_codes` (of all rows, or of a selection of them)."""
    counts = np.bincount(codes.ravel(), minlength=zones * (zones + 1)).reshape(zones, zones + 1)
    counts[:, 0] = 0
    return counts


def rank_histogram(ranked: np.ndarray) -> np.ndarray:
    """Per zone, how many replications gave it each whole rank (zones × (zones + 1); column 0 unused)."""
    return code_histogram(rank_codes(ranked), ranked.shape[1])


def histogram_quantiles(counts: np.ndarray, quantiles=(0.05, 0.5, 0.95)) -> list[np.ndarray]:
    """Per zone, quantiles of its ranks from their histogram."""
    results = [np.full(counts.shape[0], np.nan) for _ in quantiles]
    cumulative = np.cumsum(counts, axis=1)
    totals = cumulative[:, -1]
    for q, out in zip(quantiles, results, strict=True):
        # The smallest rank whose cumulative share reaches q (the inverse of the empirical distribution).
        target = np.ceil(q * totals).clip(min=1)
        position = (cumulative < target[:, None]).sum(axis=1)
        out[totals > 0] = position[totals > 0]
    return results


def rank_quantiles(ranked: np.ndarray, quantiles=(0.05, 0.5, 0.95)) -> list[np.ndarray]:
    """Per zone, quantiles of its ranks over the replications, from the histogram of whole ranks
    (no sort of the whole matrix)."""
    return histogram_quantiles(rank_histogram(ranked), quantiles)


# Replications are ranked in blocks of about this many cells: memory stays small whatever the
# design's size, and the blocks' buffers are reused rather than mapped afresh.
BLOCK_CELLS = 1 << 20


def analyse(
    data: ClassYear,
    framework: Framework,
    nominal_ranks: np.ndarray,
    weights: np.ndarray,
    spread: float,
    base_samples: int,
    seed: int,
) -> RankUncertainty:
    """The Monte Carlo and the Sobol' indices for one class-year."""
    from SALib.analyze import sobol

    dimension_ids = list(framework.dimensions)
    spec, rows = design(dimension_ids, spread, base_samples, seed)
    treated = {t: treat(data.raw, t) for t in TREATMENTS}
    # Each combination's dimension scores, scored and prepared for aggregation once for every block.
    terms = {
        (t, n, a): aggregation_terms(score(data, framework, t, n, a, treated[t]).dimensions, a)
        for t in TREATMENTS
        for n in NORMALISATIONS
        for a in AGGREGATIONS
    }
    zones = len(nominal_ranks)
    counts = np.zeros((zones, zones + 1), dtype=np.int64)
    choices = {"treatment": TREATMENTS, "normalisation": NORMALISATIONS, "aggregation": AGGREGATIONS}
    chosen = {name: _choice(rows[:, k], options) for k, (name, options) in enumerate(choices.items())}
    by_option = {(name, o): np.zeros_like(counts) for name, options in choices.items() for o in range(len(options))}
    shift = np.full(len(rows), np.nan)  # each replication's mean absolute shift from the nominal ranks
    step = max(1, BLOCK_CELLS // max(zones, 1))
    for start in range(0, len(rows), step):
        ranked = rank_rows(index_matrix(terms, rows[start : start + step], weights))
        codes = rank_codes(ranked)
        counts += code_histogram(codes, zones)
        for (name, option), option_counts in by_option.items():
            if option < len(choices[name]) - 1:  # the last option's counts are the rest (below)
                option_counts += code_histogram(codes[chosen[name][start : start + step] == option], zones)
        moved = np.subtract(ranked, nominal_ranks[None, :])
        np.abs(moved, out=moved)
        unranked = np.isnan(moved)
        ranked_zones = zones - unranked.sum(axis=1)
        moved[unranked] = 0.0  # what nansum would do, on a copy: this buffer is not needed after
        with np.errstate(invalid="ignore", divide="ignore"):
            shift[start : start + step] = moved.sum(axis=1) / np.where(ranked_zones > 0, ranked_zones, np.nan)
    for name, options in choices.items():
        # Every replication takes one option of each choice: the last option has the counts the others leave.
        last = by_option[(name, len(options) - 1)]
        last += counts - sum(by_option[(name, o)] for o in range(len(options) - 1))
    p05, median, p95 = histogram_quantiles(counts)
    if np.nanstd(shift) == 0:
        zeros = np.zeros(spec["num_vars"])
        first, first_conf, total, total_conf = zeros, zeros, zeros, zeros
    else:
        with warnings.catch_warnings():
            # A choice that moves no rank within a block of the design gives constant evaluations
            # there; SALib says so and the index is zero, which is the answer.
            warnings.filterwarnings("ignore", message="Constant values encountered", category=UserWarning)
            result = sobol.analyze(spec, np.nan_to_num(shift), calc_second_order=False, seed=seed)
        first, first_conf, total, total_conf = (result[k] for k in ("S1", "S1_conf", "ST", "ST_conf"))
    conditional: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    for (name, option), option_counts in by_option.items():
        low, high = histogram_quantiles(option_counts, (0.05, 0.95))
        conditional.setdefault(name, {})[choices[name][option]] = (low, high)
    return RankUncertainty(
        median, p05, p95, spec["names"], first, first_conf, total, total_conf, len(rows), conditional
    )


def nominal_index(
    data: ClassYear, framework: Framework, treatment: str, normalisation: str, aggregation: str, weights: np.ndarray
):
    """The index with the nominal choices, and the dimension scores it aggregates."""
    scored = score(data, framework, treatment, normalisation, aggregation)
    return aggregate(scored.dimensions, weights, aggregation, rescale=False), scored


MONTE_CARLO = "montecarlo"  # the cache's kind (zonetrack/cache.py)
_ARRAYS = ("median", "p05", "p95", "first_order", "first_order_conf", "total", "total_conf")


def _code_fingerprint() -> str:
    """What computes a class-year's Monte Carlo besides its inputs: this module, the index's code, the
    framework's model, and the versions of SALib and NumPy."""
    from importlib.metadata import version
    from pathlib import Path

    import zonetrack.evaluation.compute as compute_module
    import zonetrack.evaluation.framework as framework_module
    from zonetrack import cache

    files = [Path(__file__), Path(compute_module.__file__), Path(framework_module.__file__)]
    return cache.fingerprint(*files, versions=(version("SALib"), np.__version__))


def _to_bytes(result: RankUncertainty) -> bytes:
    import io

    arrays = {name: np.asarray(getattr(result, name), dtype="float64") for name in _ARRAYS}
    arrays["factors"] = np.array(result.factors, dtype=str)
    arrays["replications"] = np.array([result.replications], dtype=np.int64)
    order = [f"{choice}|{option}" for choice, options in result.conditional.items() for option in options]
    arrays["conditional"] = np.array(order, dtype=str)
    for choice, options in result.conditional.items():
        for option, (low, high) in options.items():
            arrays[f"conditional|{choice}|{option}|low"] = low
            arrays[f"conditional|{choice}|{option}|high"] = high
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _from_bytes(data: bytes) -> RankUncertainty | None:
    """A cached Monte Carlo (an .npz read without pickle), or None where it does not read as one."""
    import io
    import zipfile

    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
    except (OSError, ValueError, zipfile.BadZipFile, KeyError):
        return None
    if not all(name in arrays for name in (*_ARRAYS, "factors", "replications", "conditional")):
        return None
    conditional: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    for entry in arrays["conditional"]:  # in the order analyse() gave them
        choice, option = str(entry).split("|")
        low, high = (arrays.get(f"conditional|{choice}|{option}|{end}") for end in ("low", "high"))
        if low is None or high is None:
            return None
        conditional.setdefault(choice, {})[option] = (low, high)
    return RankUncertainty(
        *(arrays[name] for name in ("median", "p05", "p95")),
        [str(f) for f in arrays["factors"]],
        *(arrays[name] for name in ("first_order", "first_order_conf", "total", "total_conf")),
        int(arrays["replications"][0]),
        conditional,
    )


def analyse_cached(
    data: ClassYear,
    framework: Framework,
    nominal_ranks: np.ndarray,
    weights: np.ndarray,
    spread: float,
    base_samples: int,
    seed: int,
) -> RankUncertainty:
    """analyse(), read from the cache (zonetrack/cache.py) where a class-year with the same data,
    framework, nominal ranks, weights and settings was analysed before, by the same code."""
    from dataclasses import asdict

    from zonetrack import cache

    if cache.root() is None:
        return analyse(data, framework, nominal_ranks, weights, spread, base_samples, seed)
    inputs = (asdict(data), framework.model_dump(mode="json"), nominal_ranks, weights, spread, base_samples, seed)
    name = cache.key(_code_fingerprint(), *inputs)
    stored = cache.read(MONTE_CARLO, name, ".npz", lambda b: b.startswith(b"PK"))
    found = _from_bytes(stored) if stored is not None else None
    if found is not None:
        return found
    result = analyse(data, framework, nominal_ranks, weights, spread, base_samples, seed)
    cache.write(MONTE_CARLO, name, ".npz", _to_bytes(result))
    return result
