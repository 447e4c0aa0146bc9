"""How numbers and statuses are written for readers: each target's display and unit come from its
plan file; each status's words, colour and symbol from src/zonetrack/statuses.csv."""

from __future__ import annotations

import math

from zonetrack.engine.status import STATUS_TABLE

STATUS = {row["code"]: row for row in STATUS_TABLE}
# Shown instead of a status where a zone's row is a part of a total (a sum of the zones' amounts):
# the zone has no verdict of its own. A display code, not a status of the method.
PART = "part_of_total"
PART_ZH, PART_EN = "计入合计", "part of the total (no verdict per zone)"


def missing(value: object) -> bool:
    """Whether a value is absent (None or NaN)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | None, target=None, share: bool = False) -> str:
    """A value as its target shows it: a percent, a whole number, or two decimals; '—' if missing."""
    if missing(value):
        return "—"
    display = "percent" if share else getattr(target, "display", "number")
    if display == "percent":
        return f"{value * 100:,.2f}%"
    if display == "integer":
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def with_unit(value: float | None, target) -> str:
    """A value with the target's unit (no unit after a percent)."""
    text = number(value, target)
    unit = getattr(target, "unit", "")
    if text == "—" or getattr(target, "display", "") == "percent" or not unit:
        return text
    return f"{text} {unit}"


def difference(value: float | None, target, unit: bool = True) -> str:
    """A difference between two of a target's values (a gap, a zone's part of it): for a share, in
    percentage points (17.39 个百分点 pp), which '17.39%' would misread as a relative change; otherwise
    in the target's unit (or bare, `unit=False`, in a table whose columns share it)."""
    if getattr(target, "display", "") == "percent" and not missing(value):
        return f"{value * 100:,.2f} 个百分点 pp"
    return with_unit(value, target) if unit else number(value, target)


def rate(value: float | None) -> str:
    """An average annual growth rate: 18.9 %/年."""
    return "—" if missing(value) else f"{value * 100:,.1f}%/年"


def status_zh(code: str) -> str:
    return STATUS.get(code, {}).get("zh", code)


def status_en(code: str) -> str:
    return STATUS.get(code, {}).get("en", code)


def status_label(code: str) -> str:
    """A status in both languages: 已达标 met."""
    return f"{status_zh(code)} {status_en(code)}"
