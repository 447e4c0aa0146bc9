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
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from zonetrack.problems import ERROR, Problem, ProblemsError, shown

if TYPE_CHECKING:  # for the annotations only
    import pandas as pd

# The zones as a whole: the zone_id of a target's row on all the zones in scope.
ALL = "ALL"
STATUS_FILE = Path(__file__).resolve().parents[1] / "statuses.csv"


class Status(StrEnum):
    """The statuses and their order: the engine's. Verdicts first, best to worst (not_met only in
    and after the target year), then the statuses that are not verdicts. statuses.csv gives each
    code its words, colour and symbol; its row order means nothing."""

    MET = "met"
    ON_TRACK = "on_track"
    NEEDS_ACCELERATION = "needs_acceleration"
    OFF_TRACK = "off_track"
    MOVING_AWAY = "moving_away"
    NOT_MET = "not_met"
    NO_DATA = "no_data"
    NO_BASE_YEAR = "no_base_year"
    NOT_ASSESSABLE = "not_assessable"
    INSUFFICIENT_COVERAGE = "insufficient_coverage"


VERDICTS = 6


def read_status_table(path: Path = STATUS_FILE) -> list[dict[str, str]]:
    """The words, colour and symbol of each status, joined by code and in the engine's order.

    A code missing from the file, a code the engine does not know, a code given twice or a colour
    that is not #rrggbb is an error at its line: the colours go into the reports' stylesheet as
    they are, so nothing else may stand there."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    label = path.as_posix()
    known = {status.value for status in Status}
    problems, by_code = [], {}
    for line, row in enumerate(rows, start=2):
        code = row.get("code") or ""
        if code not in known:
            problems.append(
                Problem(label, line, "code", ERROR, f"'{shown(code)}' is not a status code ({', '.join(Status)})")
            )
        elif code in by_code:
            problems.append(Problem(label, line, "code", ERROR, f"status '{code}' is given twice"))
        else:
            by_code[code] = row
        for column in ("colour", "text_colour"):
            if not re.fullmatch(r"#[0-9a-fA-F]{6}", row.get(column) or ""):
                problems.append(
                    Problem(label, line, column, ERROR, f"'{shown(row.get(column))}' is not a colour like #1a9850")
                )
    problems += [
        Problem(label, None, "code", ERROR, f"status '{status.value}' has no row: give its words, colour and symbol")
        for status in Status
        if status.value not in by_code
    ]
    if problems:
        raise ProblemsError(problems)
    return [by_code[status.value] for status in Status]


STATUS_TABLE = read_status_table()
ALL_STATUSES = [status.value for status in Status]
MET, ON_TRACK, NEEDS_ACCELERATION, OFF_TRACK, MOVING_AWAY, NOT_MET = ALL_STATUSES[:VERDICTS]
NO_DATA, NO_BASE_YEAR, NOT_ASSESSABLE, INSUFFICIENT_COVERAGE = ALL_STATUSES[VERDICTS:]
# Best to worst; a verdict. not_met only occurs in and after the target year.
STATUS_ORDER = ALL_STATUSES[:VERDICTS]
# Each status as a small integer: its position in the enum (the engine works on these).
CODE = {status: code for code, status in enumerate(ALL_STATUSES)}


@dataclass(frozen=True)
class Bands:
    """Thresholds of R for the status bands, and the relative tolerance of every comparison: the
    values of StatusSettings (params.yaml's `status:`), whose defaults are the only ones."""

    on_track: float
    needs_acceleration: float
    tolerance: float

    @classmethod
    def of(cls, status) -> Bands:
        """The bands of a run's status settings (StatusSettings)."""
        return cls(status.on_track, status.needs_acceleration, status.tolerance)


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


def _traits(rule):
    """The rule's model (its traits), from its name or the model itself."""
    from zonetrack.plans.model import RULE_MODELS

    return RULE_MODELS[rule] if isinstance(rule, str) else rule


def classify_codes(
    rule,
    year: np.ndarray,
    value: np.ndarray,
    base: np.ndarray,
    target: np.ndarray,
    required_rate: np.ndarray,
    base_year: int,
    target_year: int,
    bands: Bands,
    better: str = "higher",
) -> dict[str, np.ndarray]:
    """Status (as its index in ALL_STATUSES), actual_rate and ratio R for rows of one rule.

    `rule` is a rule's name or its model, whose traits decide the path: a growth rate against the
    rate required (`growth_path`), or the straight line from the base to the target. `target` is
    the value that meets the target in the row's year (`min` or `max` for a level or count, k × base
    for a multiple, the end value base·(1 + r)^(T − b) for a growth before T and base·(1 + r)^(t − b)
    from T on). `better` is "lower" for a ceiling, a decline or a rank: the comparisons turn round
    and R = −actual / |required|, so that a fall at the rate required is on track.
    """
    traits = _traits(rule)
    sign = -1.0 if better == "lower" else 1.0
    year = np.asarray(year, dtype="float64")
    value = np.asarray(value, dtype="float64")
    base = np.asarray(base, dtype="float64")
    target = np.asarray(target, dtype="float64")
    required_rate = np.asarray(required_rate, dtype="float64")
    tol = bands.tolerance
    final = year >= target_year
    no_value = np.isnan(value)
    no_base = np.isnan(base)
    met = at_least(sign * value, sign * target, tol) & ~np.isnan(target)
    elapsed = year - base_year
    needs_base_for_met = traits.needs_base_for_met
    if traits.growth_path:
        actual = average_growth(value, base, elapsed)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ratio = sign * actual / np.abs(required_rate)
        ratio = np.where(np.isfinite(ratio), ratio, np.nan)
        conditions = [
            no_value,
            needs_base_for_met & no_base,
            needs_base_for_met & (base <= 0),
            met,
            final,
            no_base,
            base <= 0,
            # A base already at or past the target, with the latest value short of it.
            at_least(sign * base, sign * target, tol),
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
    # The straight line from the base to the target.
    with np.errstate(invalid="ignore"):
        line = base + (target - base) * elapsed / (target_year - base_year)
    conditions = [
        no_value,
        needs_base_for_met & no_base,
        met,
        final,
        no_base,
        at_least(sign * value, sign * line, tol),
        sign * value < sign * base,
    ]
    choices = [NO_DATA, NO_BASE_YEAR, MET, NOT_MET, NO_BASE_YEAR, ON_TRACK, MOVING_AWAY]
    status = np.select(conditions, [CODE[c] for c in choices], default=CODE[OFF_TRACK])
    empty = np.full(len(value), np.nan)
    return {"status": status, "actual_rate": empty, "ratio": empty}


def classify(
    rule, year, value, base, target, required_rate, base_year: int, target_year: int, bands: Bands, better="higher"
) -> pd.DataFrame:
    """Status (as its word), actual_rate and ratio R for rows of one rule (arrays aligned by row)."""
    import pandas as pd  # here: the index reads the status table and applies no rule

    result = classify_codes(rule, year, value, base, target, required_rate, base_year, target_year, bands, better)
    return pd.DataFrame(result | {"status": np.array(ALL_STATUSES, dtype=object)[result["status"]]})
