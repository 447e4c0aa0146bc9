"""The status method: how far a value is from its target, vectorised over rows.

Follows the Eurostat SDG progress method as implemented by Statistics Canada / Open SDG: the
ratio R of the actual average annual growth (年均增长, 水平法) to the growth required to reach
the target by the target year, with |·| in the denominator so that a base already past the
target does not flip the sign. Counts use a straight line from the base count to the target.
The statuses themselves (words, colours, symbols) are data: src/zonetrack/statuses.csv.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

STATUS_FILE = Path(__file__).resolve().parents[1] / "statuses.csv"


def _status_table() -> list[dict[str, str]]:
    """The statuses, with their colours checked: they go into the reports' stylesheet as they are."""
    with STATUS_FILE.open(encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    for row in table:
        for column in ("colour", "text_colour"):
            if not re.fullmatch(r"#[0-9a-fA-F]{6}", row[column]):
                raise ValueError(
                    f"{STATUS_FILE.name}: {row['code']}: {column} '{row[column]}' is not a colour like #1a9850"
                )
    return table


STATUS_TABLE = _status_table()
ALL_STATUSES = [row["code"] for row in STATUS_TABLE]
MET, ON_TRACK, NEEDS_ACCELERATION, OFF_TRACK, MOVING_AWAY, NOT_MET = ALL_STATUSES[:6]
NO_DATA, NO_BASE_YEAR, NOT_ASSESSABLE, INSUFFICIENT_COVERAGE = ALL_STATUSES[6:10]
# Best to worst; a verdict. not_met only occurs in and after the target year.
STATUS_ORDER = ALL_STATUSES[:6]
# Each status as a small integer: its position in ALL_STATUSES (the engine works on these).
CODE = {status: code for code, status in enumerate(ALL_STATUSES)}
GROWTH_RULES = ("level", "multiple", "growth")


@dataclass(frozen=True)
class Bands:
    """Thresholds of R for the status bands, and the relative tolerance of every comparison."""

    on_track: float = 0.95
    needs_acceleration: float = 0.60
    tolerance: float = 1e-9


def at_least(value: np.ndarray, threshold: np.ndarray | float, tolerance: float) -> np.ndarray:
    """value ≥ threshold, inclusive with a relative tolerance; False where either is NaN."""
    threshold = np.asarray(threshold, dtype="float64")
    with np.errstate(invalid="ignore"):
        return np.asarray(value >= threshold - tolerance * np.abs(threshold), dtype=bool)


def average_growth(value: np.ndarray, base: np.ndarray, years: np.ndarray) -> np.ndarray:
    """(v_t / v_b)^(1/(t−b)) − 1; NaN where the base is missing or ≤ 0. A value at or below zero
    counts as a fall to zero (−100 %)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.clip(value / base, 0.0, None)
        rate = np.power(ratio, 1.0 / years) - 1.0
    return np.where((base > 0) & (years > 0) & ~np.isnan(value), rate, np.nan)


def classify_codes(
    rule: str,
    year: np.ndarray,
    value: np.ndarray,
    base: np.ndarray,
    target: np.ndarray,
    required_rate: np.ndarray,
    base_year: int,
    target_year: int,
    bands: Bands,
) -> dict[str, np.ndarray]:
    """Status (as its index in ALL_STATUSES), actual_rate and ratio R for rows of one rule.

    `target` is the value that meets the target in the row's year: `min` for level and count,
    k × base for multiple, base·(1 + min_rate)^(t − b) for growth (met when the average rate from
    the base year to t reaches min_rate, in every year, the target year and after included).
    """
    year = np.asarray(year, dtype="float64")
    value = np.asarray(value, dtype="float64")
    base = np.asarray(base, dtype="float64")
    target = np.asarray(target, dtype="float64")
    required_rate = np.asarray(required_rate, dtype="float64")
    tol = bands.tolerance
    final = year >= target_year
    no_value = np.isnan(value)
    no_base = np.isnan(base)
    met = at_least(value, target, tol) & ~np.isnan(target)
    elapsed = year - base_year
    if rule in GROWTH_RULES:
        actual = average_growth(value, base, elapsed)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ratio = actual / np.abs(required_rate)
        ratio = np.where(np.isfinite(ratio), ratio, np.nan)
        needs_base_for_met = rule in ("multiple", "growth")
        conditions = [
            no_value,
            needs_base_for_met & no_base,
            needs_base_for_met & (base <= 0),
            met,
            final,
            no_base,
            base <= 0,
            # A base already at or past the target, with the latest value below it.
            at_least(base, target, tol),
            at_least(ratio, bands.on_track, tol),
            at_least(ratio, bands.needs_acceleration, tol),
            at_least(ratio, 0.0, tol),
        ]
        choices = [
            NO_DATA,
            NO_BASE_YEAR,
            NOT_ASSESSABLE,
            MET,
            NOT_MET,
            NO_BASE_YEAR,
            NOT_ASSESSABLE,
            MOVING_AWAY,
            ON_TRACK,
            NEEDS_ACCELERATION,
            OFF_TRACK,
        ]
        status = np.select(conditions, [CODE[c] for c in choices], default=CODE[MOVING_AWAY])
        return {"status": status, "actual_rate": actual, "ratio": ratio}
    # count, clusters, change: the straight line from the base count to the target.
    with np.errstate(invalid="ignore"):
        line = base + (target - base) * elapsed / (target_year - base_year)
    needs_base_for_met = rule == "change"
    conditions = [no_value, needs_base_for_met & no_base, met, final, no_base, at_least(value, line, tol), value < base]
    choices = [NO_DATA, NO_BASE_YEAR, MET, NOT_MET, NO_BASE_YEAR, ON_TRACK, MOVING_AWAY]
    status = np.select(conditions, [CODE[c] for c in choices], default=CODE[OFF_TRACK])
    empty = np.full(len(value), np.nan)
    return {"status": status, "actual_rate": empty, "ratio": empty}


def classify(
    rule: str, year, value, base, target, required_rate, base_year: int, target_year: int, bands: Bands
) -> pd.DataFrame:
    """Status (as its word), actual_rate and ratio R for rows of one rule (arrays aligned by row)."""
    result = classify_codes(rule, year, value, base, target, required_rate, base_year, target_year, bands)
    return pd.DataFrame(result | {"status": np.array(ALL_STATUSES, dtype=object)[result["status"]]})
