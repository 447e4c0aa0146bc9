"""Problems found in input data, reported as ``file:row:column: severity: message``."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the annotations only
    import pandas as pd

ERROR = "error"
WARNING = "warning"
NOTE = "note"
# Text from data is shown, never obeyed: control characters (a newline in a file name, an escape
# sequence) are written as escapes so no value can forge a line of output or move the cursor.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MAX_SHOWN = 80


def printable(text: object) -> str:
    """Text safe to print on one line: control characters escaped."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def shown(text: object, limit: int = MAX_SHOWN) -> str:
    """A value quoted in a message: printable and cut to `limit` characters (a 100,000-character
    cell is reported, not printed)."""
    value = printable(text)
    return value if len(value) <= limit else f"{value[:limit]}… ({len(value):,} characters)"


@dataclass(frozen=True)
class Problem:
    """One problem, located in a file (row and column where they apply)."""

    file: str
    row: int | None
    column: str | None
    severity: str
    message: str
    kind: str = ""  # what kind of problem, for grouping in reports (jump, total_mismatch, ...)
    zone_id: str | None = None  # the zone and year it concerns, where one does: a report shows the
    year: int | None = None  # warnings of its own years

    def __str__(self) -> str:
        row = "-" if self.row is None else str(self.row)
        column = shown(self.column, 120) if self.column else "-"
        return f"{printable(self.file)}:{row}:{column}: {self.severity}: {printable(self.message)}"


def log(message: str) -> None:
    """Progress for the analyst, on stderr so that stdout stays clean."""
    import sys

    print(f"[zonetrack] {printable(message)}", file=sys.stderr, flush=True)


class ProblemsError(Exception):
    """Raised when a file people edit (registry, dictionary, plan, params) cannot be used."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def problems_from_rows(rows: pd.DataFrame, severity: str, message: pd.Series | str) -> list[Problem]:
    """Problems for each row of a table that has file, row and column columns."""
    import pandas as pd  # here, not above: a command that reads no table (the index) never imports it

    messages = message if isinstance(message, pd.Series) else pd.Series(message, index=rows.index)
    return [
        Problem(str(f), None if pd.isna(r) else int(r), None if pd.isna(c) else str(c), severity, m)
        for f, r, c, m in zip(rows["file"], rows["row"], rows["column"], messages, strict=True)
    ]


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems in reading order: file, then row, then column."""
    return sorted(problems, key=lambda p: (p.file, p.row if p.row is not None else -1, p.column or ""))


def has_errors(problems: list[Problem]) -> bool:
    """Whether any problem is an error."""
    return any(p.severity == ERROR for p in problems)


def plain_number(value: float) -> str:
    """A number for a message: grouped digits, never in scientific notation (0.00012, 1,234.5)."""
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    decimals = max(0, 6 - math.floor(math.log10(abs(value))) - 1)
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
