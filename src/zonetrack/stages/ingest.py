"""The ingest stage (raw → panel.parquet, clusters.parquet, data_quality.json) and `zonetrack check`,
its twin that writes nothing: the same code on the same files."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from zonetrack import ingest
from zonetrack.ingest.files import (
    CLUSTERS_FILE,
    STATS_DIR,
    files_under,
    ingest_files,
    is_clusters_file,
    load_verified,
    load_vocabulary,
    raw_files,
    source_label,
)
from zonetrack.ingest.report import quality_problems, quality_report
from zonetrack.io import atomic_outputs, write_json
from zonetrack.problems import ERROR, NOTE, WARNING, Problem, has_errors, log


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
    verified = load_verified(raw, vocab)
    stats, clusters, set_aside = raw_files(raw)
    if not stats:
        log(f"no statistics files under {raw / STATS_DIR}")
    # process
    result = ingest_files(stats, clusters, vocab, raw, verified)
    result.problems += set_aside
    if has_errors(result.problems):
        report_problems(result.problems)
        log("ingest stopped: fix the errors above (zonetrack check shows them too); no output was written")
        return 1
    if not clusters:
        result.problems.append(
            Problem(CLUSTERS_FILE, None, None, WARNING, "no clusters.csv: cluster targets have no data")
        )
    for problem in result.problems:
        if problem.severity == WARNING:  # file-level warnings, jumps, totals: worth seeing now
            print(problem, file=sys.stderr)
    quality = quality_report(result, registry, dictionary)
    # save
    outputs = [out / "panel.parquet", out / "clusters.parquet", out / "data_quality.json"]
    with atomic_outputs(*outputs) as (panel_tmp, clusters_tmp, quality_tmp):
        result.panel.to_parquet(panel_tmp, index=False)
        result.clusters.to_parquet(clusters_tmp, index=False)
        write_json(quality, quality_tmp)
    log(
        f"ingest: {quality['values']} values of {len(quality['years'])} years, {quality['cluster_rows']} cluster rows, "
        f"{len(quality['warnings'])} warning(s) in {out / 'data_quality.json'} ({time.perf_counter() - started:.1f} s)"
    )
    return 0


def run_check(paths: list[Path], raw: Path, indicators: Path | None = None, with_raw: bool = True) -> int:
    """Check files with ingest's rules, together with what data/raw already holds (duplicates with it,
    steps against its neighbouring years), before they are added; exit status 1 on any error.

    What check passes, ingest accepts: both run the same code on the same files. Problems are shown
    for the files checked; those only in data/raw are counted.
    """
    vocab, registry, dictionary = load_vocabulary(raw, indicators)
    verified = load_verified(raw, vocab)
    stats, clusters, set_aside = [], [], []
    for path in paths:
        if not path.exists():
            print(Problem(path.as_posix(), None, None, ERROR, "unreadable file: no such file"), file=sys.stderr)
            return 1
        if path.is_dir():
            found_stats, found_clusters, found_aside = files_under(path)
            stats += found_stats
            clusters += found_clusters
            set_aside += found_aside
        elif is_clusters_file(path):
            clusters.append(path)
        else:
            stats.append(path)
    checked = {p.resolve() for p in stats + clusters}
    raw_stats, raw_clusters, _ = raw_files(raw) if with_raw else ([], [], [])
    existing_stats = [p for p in raw_stats if p.resolve() not in checked]
    # A clusters.csv being checked stands in for the one in data/raw (it lists every cluster of its years).
    existing_clusters = [] if clusters else [p for p in raw_clusters if p.resolve() not in checked]
    result = ingest_files(existing_stats + stats, existing_clusters + clusters, vocab, None, verified)
    labels = {source_label(p, None) for p in stats + clusters}
    # The data's warnings too, as ingest writes them (missing values, zones without data), at their places.
    details = ingest.quality(result.panel, registry, dictionary)
    problems = result.problems + [p for p, _ in quality_problems(result, details)]

    def checked_here(file: str) -> bool:  # a file's label, or one of its sheets' (file[sheet])
        return file in labels or any(file.startswith(f"{label}[") for label in labels)

    for year, group in details.not_collected.groupby("year"):
        names = ", ".join(sorted(str(i) for i in group["indicator"]))
        where = next((p.file for p in problems if p.year == int(year) and checked_here(p.file)), None)
        if where:
            message = (
                f"{len(group)} indicator(s) have no value in any zone in {int(year)} (not collected then): {names}"
            )
            problems.append(Problem(where, None, None, NOTE, message))
    mine = [p for p in problems if checked_here(p.file)] + set_aside
    others = [p for p in result.problems if not checked_here(p.file) and p.severity == ERROR]
    report_problems(mine)
    if others:
        log(f"{len(others)} error(s) in files already in {raw} (zonetrack check {raw / STATS_DIR} lists them)")
    if result.skipped:
        log(f"sheets without a zone table, not read: {', '.join(result.skipped)}")
    ok = not has_errors(mine) and not others
    sources = result.panel["source_file"].astype("category")
    mine_sources = [c for c in sources.cat.categories if checked_here(str(c))]
    new_values = int(sources.isin(mine_sources).sum())
    log(
        f"OK: {new_values} values and {len(result.clusters)} cluster rows would be ingested from the files checked"
        + (f", with the {len(existing_stats)} file(s) already in {raw / STATS_DIR}" if existing_stats else "")
        if ok
        else "NOT OK: fix the errors above before adding these files to data/raw/"
    )
    return 0 if ok else 1
