"""What a reader takes from a ranking besides the rank: tiers that respect the rank intervals, each
zone's strengths and weaknesses against its class, and the like-for-like rank change."""

from __future__ import annotations

import numpy as np
import pandas as pd

STRENGTHS_SHOWN = 3  # as COINr's get_str_weak: a zone's few best and worst indicators
TIER_LETTERS = "ABCDEF"


def tier_boundaries(rank: np.ndarray, p05: np.ndarray, p95: np.ndarray, tiers: int) -> list[int]:
    """The places r after which a tier boundary is drawn (between rank r and r + 1, 1-based): only
    where every zone ranked ≤ r has a 95 % rank above (better than) the 5 % rank of every zone ranked
    > r, never between two zones of the same rank; of those, the tiers − 1 with the widest gap."""
    order = np.argsort(rank, kind="stable")
    r, low, high = rank[order], p05[order], p95[order]
    candidates = []
    for place in range(1, len(r)):
        if r[place - 1] == r[place]:
            continue
        gap = low[place:].min() - high[:place].max()
        if gap > 0:
            candidates.append((gap, place))
    chosen = sorted(candidates, key=lambda c: (-c[0], c[1]))[: max(tiers - 1, 0)]
    return sorted(place for _, place in chosen)


def tier_labels(rank: np.ndarray, boundaries: list[int]) -> np.ndarray:
    """Each zone's tier letter (A for the first), from the boundaries after places r."""
    order = np.argsort(rank, kind="stable")
    labels = np.empty(len(rank), dtype=object)
    tier = 0
    for position, zone in enumerate(order, start=1):
        labels[zone] = TIER_LETTERS[tier]
        if tier < len(boundaries) and position == boundaries[tier]:
            tier += 1
    return labels


def strengths_weaknesses(scores: np.ndarray, names: list[str], shown: int = STRENGTHS_SHOWN) -> tuple[list, list]:
    """Per zone (row), its best and worst columns against its class: the columns in which it ranks
    in the top third (strengths, best first) or the bottom third (weaknesses, worst first), at most
    `shown` of each. Ranks are within each column (1 = best, ties the best rank), missing values
    neither."""
    zones = scores.shape[0]
    ranked = pd.DataFrame(-scores).rank(method="min").to_numpy()  # higher score is better
    counts = (~np.isnan(scores)).sum(axis=0)
    third = np.ceil(counts / 3)
    strengths, weaknesses = [], []
    for z in range(zones):
        row = ranked[z]
        good = [c for c in np.argsort(row, kind="stable") if np.isfinite(row[c]) and row[c] <= third[c]]
        bad = [
            c
            for c in np.argsort(-np.nan_to_num(row, nan=-1), kind="stable")
            if np.isfinite(row[c]) and row[c] > counts[c] - third[c]
        ]
        strengths.append([names[c] for c in good[:shown]])
        weaknesses.append([names[c] for c in bad[:shown] if c not in good[:shown]])
    return strengths, weaknesses


def change_among(before: pd.Series, after: pd.Series) -> pd.Series:
    """Places moved up (positive) among the zones of both rankings, each re-ranked among them."""
    common = before.index.intersection(after.index)
    if len(common) == 0:
        return pd.Series(dtype="float64")
    earlier = before[common].rank(method="min")
    later = after[common].rank(method="min")
    return earlier - later


def evaluation_metrics(results: pd.DataFrame, audits: dict) -> dict:
    """metrics/evaluation.json: per year and class, the zones ranked, the top zone, how wide the rank
    intervals are, and the first component's share, for `dvc exp show`."""
    metrics: dict = {}
    for (year, zone_class), rows in results.groupby(["year", "class"]):
        top = rows.sort_values("rank").iloc[0]
        width = (rows["rank_p95"] - rows["rank_p05"]).mean()
        share = audits.get(f"{int(year)}/{zone_class}", {}).get("first_component_share")
        metrics.setdefault(str(int(year)), {})[zone_class] = {
            "ranked": len(rows),
            "top": str(top["zone_id"]),
            "mean_interval_width": None if pd.isna(width) else round(float(width), 4),
            "first_component_share": None if share is None or pd.isna(share) else round(float(share), 4),
        }
    return metrics
