"""The words the reports put beside codes (a class, a level, an audit flag, a method choice, a kind of
warning), as data: src/zonetrack/report/labels.csv, `group, key, zh, en`, each group and key once."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

LABELS_FILE = Path(__file__).with_name("labels.csv")


@cache
def _table() -> dict[str, dict[str, tuple[str, str]]]:
    groups: dict[str, dict[str, tuple[str, str]]] = {}
    with LABELS_FILE.open(encoding="utf-8", newline="") as source:
        for line, row in enumerate(csv.DictReader(source), start=2):
            entries = groups.setdefault(row["group"], {})
            if row["key"] in entries:
                raise ValueError(f"{LABELS_FILE.name}:{line}: {row['group']} {row['key']} is given twice")
            entries[row["key"]] = (row["zh"], row["en"])
    return groups


def pair(group: str, key: str) -> tuple[str, str]:
    """(Chinese, English) of a code; the code itself in both where the table has none."""
    return _table().get(group, {}).get(key, (key, key))


def both(group: str, key: str) -> str:
    """'中文 English' of a code."""
    zh, en = pair(group, key)
    return f"{zh} {en}"


def group(name: str) -> dict[str, str]:
    """Every code of a group with its '中文 English' words."""
    return {key: f"{zh} {en}" for key, (zh, en) in _table().get(name, {}).items()}
