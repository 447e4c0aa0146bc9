"""Stage entry points: each loads its inputs, calls the pure steps, and saves its outputs."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from zonetrack import ingest, rules
from zonetrack.indicators import load_dictionary, name_lookup
from zonetrack.io import atomic_outputs, write_csv, write_json
from zonetrack.params import bands, load_params
from zonetrack.problems import ERROR, NOTE, WARNING, Problem, has_errors, printable, sort_problems
from zonetrack.registry import load_registry, short_name_zh, zone_levels, zone_lookup
from zonetrack.status import ALL_STATUSES

CLUSTERS_FILE = "clusters.csv"
STATS_DIR = "stats"
DATA_SUFFIXES = (".csv", ".xlsx")


def log(message: str) -> None:
    """Progress for the analyst, on stderr so that stdout stays clean."""
    print(f"[zonetrack] {printable(message)}", file=sys.stderr, flush=True)


@dataclass
class IngestResult:
    """What ingest makes of a set of raw files."""

    panel: pd.DataFrame
    clusters: pd.DataFrame
    problems: list[Problem]
    skipped: list[str]
    files: list[str]
    cluster_files: list[str]


def _label(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _is_clusters_file(path: Path) -> bool:
    return path.name.lower() == CLUSTERS_FILE


def ingest_files(
    stats_files: list[Path], cluster_files: list[Path], vocab: ingest.Vocabulary, root: Path | None
) -> IngestResult:
    """Read, resolve and check statistics and cluster files (nothing is written)."""
    tables, problems, skipped = [], [], []
    for path in stats_files:
        label = _label(path, root)
        found, read_problems, skipped_sheets = ingest.read_tables(path, label)
        log(f"read {label}: {sum(len(t.frame) for t in found)} rows in {len(found)} table(s)")
        tables += found
        problems += read_problems
        skipped += skipped_sheets
    cells = ingest.statistics_cells(tables, vocab)
    panel, panel_problems = ingest.build_panel(cells.frame, vocab)
    problems += cells.problems + panel_problems
    cluster_frames = []
    for path in cluster_files:
        label = _label(path, root)
        found, read_problems, _ = ingest.read_tables(path, label)
        problems += read_problems
        for table in found:
            rows, cluster_problems = ingest.cluster_rows(table, vocab)
            cluster_frames.append(rows)
            problems += cluster_problems
        log(f"read {label}: {sum(len(f) for f in cluster_frames)} cluster rows")
    clusters = pd.concat(cluster_frames, ignore_index=True) if cluster_frames else ingest.empty_clusters()
    clusters = clusters.sort_values(["zone_id", "year", "cluster"], ignore_index=True)
    return IngestResult(
        panel,
        clusters,
        sort_problems(problems),
        skipped,
        [_label(p, root) for p in stats_files],
        [_label(p, root) for p in cluster_files],
    )


def load_vocabulary(raw: Path, indicators: Path | None = None) -> tuple[ingest.Vocabulary, pd.DataFrame, pd.DataFrame]:
    """The registry, the indicator dictionary and the lookups built from them."""
    registry = load_registry(raw / "zones.csv")
    dictionary = load_dictionary(indicators or raw / "indicators.csv")
    labels = {z: short_name_zh(n) for z, n in zip(registry["zone_id"], registry["name_zh"], strict=True)}
    vocab = ingest.vocabulary(dictionary, zone_lookup(registry), name_lookup(dictionary), labels)
    return vocab, registry, dictionary


def raw_files(raw: Path) -> tuple[list[Path], list[Path]]:
    """The statistics files under raw/stats and the clusters file, in a stable order."""
    stats_dir = raw / STATS_DIR
    stats = (
        sorted(p for p in stats_dir.rglob("*") if p.is_file() and not p.name.startswith((".", "~$")))
        if stats_dir.is_dir()
        else []
    )
    clusters = [raw / CLUSTERS_FILE] if (raw / CLUSTERS_FILE).is_file() else []
    return stats, clusters


def quality_report(result: IngestResult, registry: pd.DataFrame, dictionary: pd.DataFrame) -> dict:
    """data_quality.json: coverage, missing values and every warning, for the reports."""
    details = ingest.quality_warnings(result.panel, registry, dictionary)
    warnings = [str(p) for p in result.problems if p.severity == WARNING]
    warnings += [f"missing value: {r.zone_id} {r.year} {r.indicator}" for r in details["missing"].itertuples()]
    warnings += [
        f"no data at all for {r.zone_id} in {r.year}, a year it exists"
        for r in details["zone_years_without_data"].itertuples()
    ]
    warnings += [
        f"{r.source_file}:{r.source_row}: {r.indicator} of {r.zone_id} jumps more than tenfold from "
        f"{r.previous_value:g} to {r.value:g} in {r.year}"
        for r in details["jumps"].itertuples()
    ]
    warnings += [
        f"data for {r.zone_id} in {r.year}, before the zone was approved"
        for r in details["before_approval"].itertuples()
    ]
    coverage = details["coverage"]
    values = len(result.panel)
    illustrative = int(result.panel["illustrative"].sum()) + int(result.clusters["illustrative"].sum())
    cluster_years = sorted(int(y) for y in result.clusters["year"].unique())
    return {
        "files": result.files + result.cluster_files,
        "skipped_sheets": result.skipped,
        "values": values,
        "cluster_rows": len(result.clusters),
        "cluster_years": cluster_years,
        "years": sorted(int(y) for y in result.panel["year"].unique()),
        "illustrative": illustrative > 0,
        "illustrative_share": illustrative / max(values + len(result.clusters), 1),
        "coverage": {
            ind: {str(int(y)): round(float(c), 6) for y, c in zip(g["year"], g["coverage"], strict=True)}
            for ind, g in coverage.groupby("indicator")
        },
        "missing_values": details["missing"].to_dict(orient="records"),
        "zone_years_without_data": details["zone_years_without_data"].to_dict(orient="records"),
        "jumps": len(details["jumps"]),
        "warnings": warnings,
    }


def report_problems(problems: list[Problem], show_warnings: bool = True) -> None:
    """Print problems, errors first, then warnings and notes (what was set aside, where a year was
    found), then a count."""
    errors = [p for p in problems if p.severity == ERROR]
    warnings = [p for p in problems if p.severity == WARNING]
    notes = [p for p in problems if p.severity == NOTE]
    for problem in errors + (warnings + notes if show_warnings else []):
        print(problem, file=sys.stderr)
    print(f"{len(errors)} error(s), {len(warnings)} warning(s)", file=sys.stderr)


def run_ingest(raw: Path, out: Path, indicators: Path | None = None) -> int:
    """The ingest stage: raw/ → panel.parquet, clusters.parquet, data_quality.json."""
    started = time.perf_counter()
    # load
    vocab, registry, dictionary = load_vocabulary(raw, indicators)
    stats, clusters = raw_files(raw)
    if not stats:
        log(f"no statistics files under {raw / STATS_DIR}")
    # process
    result = ingest_files(stats, clusters, vocab, raw)
    if has_errors(result.problems):
        report_problems(result.problems)
        log("ingest stopped: fix the errors above; no output was written")
        return 1
    if not clusters:
        result.problems.append(
            Problem(CLUSTERS_FILE, None, None, WARNING, "no clusters.csv: cluster targets have no data")
        )
    for problem in result.problems:  # file-level warnings (skipped files, empty tables) are worth seeing now
        print(problem, file=sys.stderr)
    quality = quality_report(result, registry, dictionary)
    # save
    outputs = [out / "panel.parquet", out / "clusters.parquet", out / "data_quality.json"]
    with atomic_outputs(*outputs) as (panel_tmp, clusters_tmp, quality_tmp):
        result.panel.to_parquet(panel_tmp, index=False)
        result.clusters.to_parquet(clusters_tmp, index=False)
        write_json(quality, quality_tmp)
    log(
        f"ingest: {quality['values']} values, {quality['cluster_rows']} cluster rows, "
        f"{len(quality['warnings'])} warning(s) in {out / 'data_quality.json'} ({time.perf_counter() - started:.1f} s)"
    )
    return 0


def run_check(paths: list[Path], raw: Path, indicators: Path | None = None) -> int:
    """Validate files with ingest's rules before they are added to raw/; exit status 1 on any error."""
    vocab, _, _ = load_vocabulary(raw, indicators)
    stats, clusters = [], []
    for path in paths:
        if path.is_dir():
            if (path / STATS_DIR).is_dir():
                found_stats, found_clusters = raw_files(path)
            else:
                found = sorted(p for p in path.rglob("*") if p.suffix.lower() in DATA_SUFFIXES)
                found_stats = [p for p in found if not _is_clusters_file(p)]
                found_clusters = [p for p in found if _is_clusters_file(p)]
            stats += found_stats
            clusters += found_clusters
        elif not path.exists():
            print(Problem(path.as_posix(), None, None, ERROR, "unreadable file: no such file"), file=sys.stderr)
            return 1
        elif _is_clusters_file(path):
            clusters.append(path)
        else:
            stats.append(path)
    result = ingest_files(stats, clusters, vocab, None)
    report_problems(result.problems)
    if result.skipped:
        log(f"sheets without a zone/year table, not read: {', '.join(result.skipped)}")
    ok = not has_errors(result.problems)
    log(
        f"OK: {len(result.panel)} values and {len(result.clusters)} cluster rows would be ingested"
        if ok
        else "NOT OK: fix the errors above before adding these files to data/raw/"
    )
    return 0 if ok else 1


def assessment_metrics(scorecard: pd.DataFrame) -> dict:
    """metrics/assessment.json: per year, the number of targets in each status and the headline values."""
    totals = scorecard[scorecard["zone_id"] == rules.ALL]
    metrics = {}
    for year, rows in totals.groupby("year"):
        counts = rows["status"].value_counts()
        metrics[str(int(year))] = {
            "status_counts": {status: int(counts.get(status, 0)) for status in ALL_STATUSES},
            "headline": {
                t: (None if pd.isna(v) else round(float(v), 6))
                for t, v in zip(rows["target_id"], rows["value"], strict=True)
            },
        }
    return metrics


def run_evaluate(processed: Path, params_path: Path, raw: Path, out: Path, metrics_path: Path) -> int:
    """The evaluate stage: panel + params → scorecard.csv and metrics/assessment.json."""
    from zonetrack import schemas  # pandera: imported only by the stage that validates

    started = time.perf_counter()
    # load
    params = load_params(params_path)
    panel = pd.read_parquet(processed / "panel.parquet")
    clusters = pd.read_parquet(processed / "clusters.parquet")
    registry = load_registry(raw / "zones.csv")
    schemas.check(schemas.PANEL, panel, schemas.PANEL_KEY)
    schemas.check(schemas.CLUSTERS, clusters)
    base_year, target_year = int(params["plan"]["base_year"]), int(params["plan"]["target_year"])
    years = [int(y) for y in params["assess"]["years"]]
    groups = {name: list(zones) for name, zones in params["groups"].items()}
    with_data = set(panel["indicator"].unique())
    known = with_data | set(load_dictionary(raw / "indicators.csv")["id"])
    targets = rules.parse_targets(params["targets"], groups, known)
    unknown = sorted({z for zones in groups.values() for z in zones} - set(registry["zone_id"]))
    if unknown:
        raise ValueError(f"{params_path}: groups name zones not in zones.csv: {unknown}")
    if base_year in years:
        log(f"assess.years includes the base year {base_year}; the base year itself is not assessed")
    # process
    levels = zone_levels(registry, sorted({base_year, *years}))
    scorecard = rules.evaluate(panel, clusters, levels, targets, groups, years, base_year, target_year, bands(params))
    schemas.check(schemas.SCORECARD, scorecard)
    metrics = assessment_metrics(scorecard)
    no_data = [t.id for t in targets if not set(t.indicators) <= with_data or (t.rule == "clusters" and clusters.empty)]
    for target_id in no_data:
        log(f"target {target_id}: its indicator has no data at all; reported as no_data")
    # save
    with atomic_outputs(out / "scorecard.csv", metrics_path) as (scorecard_tmp, metrics_tmp):
        write_csv(scorecard, scorecard_tmp)
        write_json(metrics, metrics_tmp)
    log(
        f"evaluate: {len(targets)} targets, {len(scorecard)} scorecard rows → {out / 'scorecard.csv'} "
        f"({time.perf_counter() - started:.2f} s)"
    )
    return 0
