"""Raw zone statistics (wide or long, CSV or XLSX, as statistics offices send them) → one long panel
in stored units: tables (files, sheets, headers) · cells (zones, years, units) · panel (checks
across files) · quality (coverage, jumps, plausibility)."""

from __future__ import annotations

from pathlib import Path

from zonetrack.indicators import normalise
from zonetrack.ingest.cells import statistics_cells
from zonetrack.ingest.layout import LAYOUT_FILE, Layout, load_layout
from zonetrack.ingest.panel import build_panel, cluster_rows, empty_clusters
from zonetrack.ingest.quality import VERIFIED_FILE, parts_above_wholes, plausibility, quality, read_verified
from zonetrack.ingest.tables import RawTable, Untabled, read_file
from zonetrack.ingest.vocabulary import Vocabulary, resolve_zones, vocabulary
from zonetrack.problems import ERROR, WARNING, Problem, has_errors

__all__ = [
    "LAYOUT_FILE",
    "VERIFIED_FILE",
    "Layout",
    "RawTable",
    "Vocabulary",
    "build_panel",
    "cluster_rows",
    "empty_clusters",
    "load_layout",
    "parts_above_wholes",
    "plausibility",
    "quality",
    "read_tables",
    "read_verified",
    "resolve_zones",
    "statistics_cells",
    "vocabulary",
]


def missing_header_problem(untabled: Untabled, layout: Layout) -> Problem:
    """Say which required column is missing, at the row that looks most like a header."""
    spellings = layout.shown_headers("zone")
    for fields, number in zip(untabled.head, untabled.numbers, strict=False):
        names = {normalise(f) for f in fields}
        if names & layout.words("year") and not names & layout.words("zone"):
            return Problem(
                untabled.label,
                number,
                "zone",
                ERROR,
                f"missing required column 'zone' (a header naming one of: {spellings}; a spelling of your own is "
                f"a `zone` row in data/raw/{LAYOUT_FILE})",
            )
    first = untabled.numbers[0] if untabled.numbers else 1
    return Problem(
        untabled.label,
        first,
        "zone",
        ERROR,
        f"missing required column: no header row naming a zone ({spellings}; a spelling of your own is a `zone` "
        f"row in data/raw/{LAYOUT_FILE}) in the first rows" + ("" if untabled.head else " (the file is empty)"),
    )


def read_tables(path: Path, label: str, layout: Layout) -> tuple[list[RawTable], list[Problem], list[str]]:
    """The tables of one raw file, problems reading it, and the names of sheets skipped as non-data."""
    tables, problems, untabled = read_file(path, label, layout.zone_column)
    if not tables and not has_errors(problems) and untabled:
        problems += [missing_header_problem(u, layout) for u in untabled]
        return [], problems, []
    problems += [
        Problem(t.label, t.header_row, None, WARNING, "no data rows below the header") for t in tables if t.frame.empty
    ]
    return tables, problems, [u.label for u in untabled]
