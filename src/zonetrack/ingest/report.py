"""What ingest says of the data (data_quality.json, and the same warnings `check` prints): missing
values at their cells, zones without data in a year they exist, data before a zone's approval."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zonetrack import ingest
from zonetrack.problems import WARNING, Problem, shown

if TYPE_CHECKING:
    from zonetrack.ingest.files import IngestResult


def _warning(kind: str, message: str, zone_id=None, year=None, indicator=None, file=None, row=None) -> dict:
    return {
        "kind": kind,
        "zone_id": None if zone_id is None else str(zone_id),
        "year": None if year is None else int(year),
        "indicator": None if indicator is None else str(indicator),
        "file": file,
        "row": None if row is None else int(row),
        "message": message,
    }


def quality_problems(result: IngestResult, details) -> list[tuple[Problem, str | None]]:
    """The data's warnings (missing values, a zone without data in a year it exists, data before a
    zone's approval) as located problems, each with its indicator:
    at the blank cell where one stands, else in the first file of the year. `check` prints them,
    ingest writes them to data_quality.json: the same warnings, at the same places."""
    panel = result.panel
    first_file = (
        panel.assign(file=panel["source_file"].astype(str)).groupby("year")["file"].min().to_dict()
        if len(panel)
        else {}
    )
    blank = {}
    if result.blank_cells is not None:
        for row in result.blank_cells.itertuples(index=False):
            blank.setdefault((str(row.zone_id), int(row.year), str(row.indicator)), row)
    found: list[tuple[Problem, str | None]] = []
    # A zone-year with no row in any file is one warning, not one per indicator; a row of blank
    # cells is located, cell by cell.
    written = {key[:2] for key in blank}
    without = {(str(r.zone_id), int(r.year)) for r in details.zone_years_without_data.itertuples()} - written
    for r in details.missing.itertuples():
        key = (str(r.zone_id), int(r.year), str(r.indicator))
        if key[:2] in without:
            continue
        cell = blank.get(key)
        where = (
            (str(cell.source_file), int(cell.source_row), str(cell.source_column))
            if cell is not None
            else (first_file.get(int(r.year), "-"), None, None)
        )
        message = f"{r.indicator} of {r.zone_id} in {int(r.year)}: no value" + ("" if cell is not None else " (no row)")
        if cell is not None and str(cell.remark):
            message += f"; the row's remark (备注): '{shown(str(cell.remark), 60)}'"
        found.append((Problem(*where, WARNING, message, "missing_value", key[0], key[1]), key[2]))
    for r in details.zone_years_without_data.itertuples():
        message = f"{r.zone_id}: no data at all in {int(r.year)}, a year the zone exists"
        where = (first_file.get(int(r.year), "-"), None, None)
        found.append((Problem(*where, WARNING, message, "zone_year_without_data", str(r.zone_id), int(r.year)), None))
    for r in details.before_approval.itertuples():
        message = f"{r.zone_id}: data in {int(r.year)}, before the zone was approved"
        where = (first_file.get(int(r.year), "-"), None, None)
        found.append((Problem(*where, WARNING, message, "before_approval", str(r.zone_id), int(r.year)), None))
    return found


def quality_report(result: IngestResult, registry: pd.DataFrame, dictionary: pd.DataFrame) -> dict:
    """data_quality.json: coverage, missing values and every warning (by kind, zone, year and
    indicator, so that each report shows those of its years), for the reports."""
    details = ingest.quality(result.panel, registry, dictionary)
    warnings = [
        _warning(p.kind or "file", str(p), p.zone_id, p.year, file=p.file, row=p.row)
        for p in result.problems
        if p.severity == WARNING
    ]
    warnings += [
        _warning(p.kind, p.message, p.zone_id, p.year, indicator, file=p.file, row=p.row)
        for p, indicator in quality_problems(result, details)
    ]
    warnings += [
        _warning("indicator_without_data", f"{r.indicator}: no zone has a value", year=r.year, indicator=r.indicator)
        for r in details.not_collected.itertuples()
    ]
    warnings += [_warning(**jump) for jump in result.verified_jumps]
    values = len(result.panel)
    illustrative = int(result.panel["illustrative"].sum()) + int(result.clusters["illustrative"].sum())
    return {
        "files": result.files + result.cluster_files,
        "skipped_sheets": result.skipped,
        "values": values,
        "cluster_rows": len(result.clusters),
        "cluster_years": sorted(int(y) for y in result.clusters["year"].unique()),
        "years": sorted(int(y) for y in result.panel["year"].unique()),
        "illustrative": illustrative > 0,
        "illustrative_share": illustrative / max(values + len(result.clusters), 1),
        "coverage": {
            ind: {
                str(int(y)): round(float(c), 6)
                for y, c in zip(g["year"], g["coverage"], strict=True)
                if not np.isnan(c)
            }
            for ind, g in details.coverage.groupby("indicator")
        },
        "warnings": warnings,
    }


def _file_of(source: object) -> str:
    """The file a value's source names, without its sheet (stats/x.xlsx[2027年] → stats/x.xlsx)."""
    return re.sub(r"\[[^\]]*\]$", "", str(source))


def _only_used_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Each categorical column with the categories its rows use, in their order: a category of
    another year's rows (a new file's name, a new remark) is not written into the slice's schema."""
    categorical = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    return frame.assign(**{c: frame[c].cat.remove_unused_categories() for c in categorical})


def for_years(
    panel: pd.DataFrame, clusters: pd.DataFrame, quality: dict, years: range
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The panel, the clusters and data_quality.json as they would be with only `years`' rows: what a
    plan covering those years reads (its pages say what they rest on, and a year it does not cover
    changes none of its inputs). The files are those that gave a row of the years, in their order."""
    wanted = list(years)
    panel = _only_used_categories(panel[panel["year"].isin(wanted)].reset_index(drop=True))
    clusters = _only_used_categories(clusters[clusters["year"].isin(wanted)].reset_index(drop=True))
    sources = {_file_of(s) for s in [*panel["source_file"], *clusters["source_file"]]}
    files = [f for f in quality["files"] if f in sources]
    values = len(panel)
    illustrative = int(panel["illustrative"].sum()) + int(clusters["illustrative"].sum())
    kept = {str(y) for y in wanted}
    sliced = {
        "files": files,
        "skipped_sheets": quality["skipped_sheets"],
        "values": values,
        "cluster_rows": len(clusters),
        "cluster_years": [y for y in quality["cluster_years"] if y in wanted],
        "years": [y for y in quality["years"] if y in wanted],
        "illustrative": illustrative > 0,
        "illustrative_share": illustrative / max(values + len(clusters), 1),
        "coverage": {
            ind: {y: c for y, c in by_year.items() if y in kept} for ind, by_year in quality["coverage"].items()
        },
        "warnings": [
            w
            for w in quality["warnings"]
            if w.get("year") in wanted
            or (w.get("year") is None and (w.get("file") is None or _file_of(w["file"]) in files))
        ],
    }
    return panel, clusters, sliced
