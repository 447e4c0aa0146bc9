"""Problems found in input data, reported as ``file:row:column: severity: message``."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One problem, located in a file (row and column where they apply)."""

    file: str
    row: int | None
    column: str | None
    severity: str
    message: str

    def __str__(self) -> str:
        row = "-" if self.row is None else str(self.row)
        column = self.column if self.column else "-"
        return f"{self.file}:{row}:{column}: {self.severity}: {self.message}"


def problems_from_rows(rows: pd.DataFrame, severity: str, message: pd.Series | str) -> list[Problem]:
    """Problems for each row of a table that has file, row and column columns."""
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
