"""Stage entry points: each loads its inputs, calls the pure steps, and saves its outputs."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from zonetrack import engine, ingest
from zonetrack.engine import whatif
from zonetrack.engine.rules import ALL, assess_prepared, prepare, registry_bounds
from zonetrack.engine.status import ALL_STATUSES
from zonetrack.indicators import load_dictionary, name_lookup
from zonetrack.io import atomic_outputs, recover_outputs, write_csv, write_json
from zonetrack.plans import Run, load_params, load_run
from zonetrack.problems import (
    ERROR,
    NOTE,
    WARNING,
    Problem,
    ProblemsError,
    has_errors,
    log,
    shown,
    sort_problems,
)
from zonetrack.registry import (
    YEAR_RANGE,
    load_coverage,
    load_facilities,
    load_registry,
    load_zones,
    short_names,
    zone_lookup,
)

CLUSTERS_FILE = "clusters.csv"
STATS_DIR = "stats"


@dataclass
class IngestResult:
    """What ingest makes of a set of raw files."""

    panel: pd.DataFrame
    clusters: pd.DataFrame
    problems: list[Problem]
    skipped: list[str]
    files: list[str]
    cluster_files: list[str]
    verified_jumps: list[dict]
    # Cells of a known zone, year and indicator left blank (or -, /): where a missing value stands.
    blank_cells: pd.DataFrame | None = None


def _label(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return _escaped(path.resolve().relative_to(root.resolve()).as_posix())
        except ValueError:
            pass
    return _escaped(path.as_posix())


def _is_clusters_file(path: Path) -> bool:
    return path.name.lower() == CLUSTERS_FILE


def ingest_files(
    stats_files: list[Path],
    cluster_files: list[Path],
    vocab: ingest.Vocabulary,
    root: Path | None,
    verified: set[tuple[str, int, str]] | None = None,
) -> IngestResult:
    """Read, resolve and check statistics and cluster files, across files and against neighbouring
    years (nothing is written)."""
    tables, problems, skipped = [], [], []
    for path in stats_files:
        label = _label(path, root)
        found, read_problems, skipped_sheets = ingest.read_tables(path, label, vocab.layout)
        log(f"read {label}: {sum(len(t.frame) for t in found)} rows in {len(found)} table(s)")
        tables += found
        problems += read_problems
        skipped += skipped_sheets
    cells = ingest.statistics_cells(tables, vocab)
    panel, panel_problems = ingest.build_panel(cells.frame, vocab)
    jump_problems, verified_jumps = ingest.plausibility(panel, vocab.kinds, verified or set())
    problems += cells.problems + panel_problems + jump_problems + ingest.parts_above_wholes(panel, vocab.part_of)
    cluster_frames = []
    for path in cluster_files:
        label = _label(path, root)
        found, read_problems, _ = ingest.read_tables(path, label, vocab.layout)
        problems += read_problems
        for table in found:
            rows, cluster_problems = ingest.cluster_rows(table, vocab)
            cluster_frames.append(rows)
            problems += cluster_problems
        log(f"read {label}: {sum(len(f) for f in cluster_frames)} cluster rows")
    clusters = pd.concat(cluster_frames, ignore_index=True) if cluster_frames else ingest.empty_clusters()
    clusters = clusters.sort_values(["zone_id", "year", "cluster"], ignore_index=True)
    frame = cells.frame
    blank = frame[frame["valid"] & frame["value"].isna()][
        ["zone_id", "year", "indicator", "source_file", "source_row", "source_column", "remark"]
    ]
    return IngestResult(
        panel,
        clusters,
        sort_problems(problems),
        skipped,
        [_label(p, root) for p in stats_files],
        [_label(p, root) for p in cluster_files],
        verified_jumps,
        blank,
    )


def load_vocabulary(raw: Path, indicators: Path | None = None) -> tuple[ingest.Vocabulary, pd.DataFrame, pd.DataFrame]:
    """The registry, the indicator dictionary and the lookups built from them."""
    registry = load_registry(raw / "zones.csv")
    dictionary = load_dictionary(indicators or raw / "indicators.csv")
    layout = ingest.load_layout(raw / ingest.LAYOUT_FILE)
    vocab = ingest.vocabulary(dictionary, zone_lookup(registry), name_lookup(dictionary), layout, short_names(registry))
    return vocab, registry, dictionary


def load_verified(raw: Path, vocab: ingest.Vocabulary) -> set[tuple[str, int, str]]:
    """The jumps analysts verified (data/raw/verified_jumps.csv); its errors stop the stage."""
    from zonetrack.indicators import normalise

    verified, problems = ingest.read_verified(
        raw / ingest.VERIFIED_FILE,
        lambda name: ingest.resolve_zones(pd.Series([str(name)]), vocab)[0][0],
        lambda name: vocab.indicators.get(normalise(name)),
    )
    if problems:
        raise ProblemsError(problems)
    return verified


def raw_files(raw: Path) -> tuple[list[Path], list[Path], list[Problem]]:
    """The statistics files under raw/stats and the clusters file, in a stable order, and a word on
    every entry not read (hidden and lock files, links, pipes), never a silent skip."""
    stats, problems = data_files(raw / STATS_DIR) if (raw / STATS_DIR).is_dir() else ([], [])
    clusters = [raw / CLUSTERS_FILE] if (raw / CLUSTERS_FILE).is_file() else []
    return stats, clusters, problems


def data_files(folder: Path) -> tuple[list[Path], list[Problem]]:
    """The regular files under a folder, sorted; a note or warning for each entry set aside."""
    import os
    import stat

    files, problems = [], []

    def aside(path: Path, severity: str, why: str) -> None:
        problems.append(Problem(_label(path, None), None, None, severity, f"not read: {why}"))

    for top, directories, names in os.walk(folder, followlinks=False):
        here = Path(top)
        for name in sorted(directories):
            path = here / name
            if path.is_symlink():
                aside(path, WARNING, "a link to a folder; copy the files in (DVC tracks the folder's own files)")
            elif name.startswith("."):
                aside(path, NOTE, "a hidden folder")
        directories[:] = sorted(d for d in directories if not d.startswith(".") and not (here / d).is_symlink())
        for name in sorted(names):
            path = here / name
            mode = path.lstat().st_mode
            if name.startswith((".", "~$")):
                aside(path, NOTE, "a hidden file or an Excel lock file (~$…)")
            elif stat.S_ISLNK(mode):
                aside(path, WARNING, "a symbolic link; copy the file in (DVC tracks the folder's own files)")
            elif not stat.S_ISREG(mode):
                aside(path, WARNING, "not a regular file (a pipe, socket or device)")
            else:
                files.append(path)
    for path in files:
        if _escaped(path.as_posix()) != path.as_posix():
            message = "the file name is not valid UTF-8 (shown with escapes): read, but rename it"
            problems.append(Problem(_label(path, None), None, None, WARNING, message))
    return sorted(files), problems


def _escaped(name: str) -> str:
    """A file name whose bytes are not UTF-8 (held by Python as surrogates), with those bytes escaped."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


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


def _files_under(path: Path) -> tuple[list[Path], list[Path], list[Problem]]:
    if (path / STATS_DIR).is_dir():
        return raw_files(path)
    found, problems = data_files(path)
    return [p for p in found if not _is_clusters_file(p)], [p for p in found if _is_clusters_file(p)], problems


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
            found_stats, found_clusters, found_aside = _files_under(path)
            stats += found_stats
            clusters += found_clusters
            set_aside += found_aside
        elif _is_clusters_file(path):
            clusters.append(path)
        else:
            stats.append(path)
    checked = {p.resolve() for p in stats + clusters}
    raw_stats, raw_clusters, _ = raw_files(raw) if with_raw else ([], [], [])
    existing_stats = [p for p in raw_stats if p.resolve() not in checked]
    # A clusters.csv being checked stands in for the one in data/raw (it lists every cluster of its years).
    existing_clusters = [] if clusters else [p for p in raw_clusters if p.resolve() not in checked]
    result = ingest_files(existing_stats + stats, existing_clusters + clusters, vocab, None, verified)
    labels = {_label(p, None) for p in stats + clusters}
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


def assessment_metrics(scorecard: pd.DataFrame) -> dict:
    """metrics/<plan>.json: per year, the number of targets in each status, and each target's status,
    coverage and headline value (ALL rows), for `dvc metrics show` and `dvc exp show`."""
    totals = scorecard[scorecard["zone_id"] == ALL]
    metrics = {}
    for year, rows in totals.groupby("year"):
        counts = rows["status"].value_counts()

        def number(value: float) -> float | None:
            return None if pd.isna(value) else round(float(value), 6)

        metrics[str(int(year))] = {
            "status_counts": {status: int(counts.get(status, 0)) for status in ALL_STATUSES},
            "status": {str(t): str(s) for t, s in zip(rows["target_id"], rows["status"], strict=True)},
            "coverage": {str(t): number(c) for t, c in zip(rows["target_id"], rows["coverage"], strict=True)},
            "headline": {str(t): number(v) for t, v in zip(rows["target_id"], rows["value"], strict=True)},
        }
    return metrics


def assessment_years(run: Run, data_years: list[int]) -> tuple[list[int], list[int]]:
    """The years a run assesses (the plan's years with data, or the listed ones), and the years with
    data that the plan does not cover."""
    plan = run.plan
    if run.years == "auto" and all(t.on_registry for t in plan.targets.values()):
        # A plan assessed on the registry alone: every year of it (the registry says, year by year,
        # how complete it is), not the years the zones' statistics happen to cover.
        years = list(plan.years)
    elif run.years == "auto":
        years = [y for y in plan.years if y in data_years]
    else:
        years = sorted(y for y in run.years if y > plan.base_year)
    # The base year's data is the plan's too: it is what every year is measured against.
    outside = sorted(y for y in data_years if y < plan.base_year or (y > plan.target_year and y not in years))
    return years, outside


@dataclass(frozen=True)
class Reference:
    """The tables a plan is checked and assessed against: the registry, the indicator dictionary
    and the facilities, read once per stage."""

    registry: pd.DataFrame
    dictionary: pd.DataFrame
    facilities: pd.DataFrame


def load_reference(raw: Path) -> Reference:
    """zones.csv with national_zones.csv, indicators.csv and facilities.csv, checked."""
    return Reference(load_zones(raw), load_dictionary(raw / "indicators.csv"), load_facilities(raw / "facilities.csv"))


def load_engine_inputs(processed: Path, raw: Path, reference: Reference) -> engine.Inputs:
    """The panel, clusters, registry and facilities, the processed ones checked against their contract."""
    from zonetrack import schemas  # pandera: imported only by the stages that validate

    recover_outputs(processed)
    panel = pd.read_parquet(processed / "panel.parquet")
    clusters = pd.read_parquet(processed / "clusters.parquet")
    schemas.check(schemas.PANEL, panel, schemas.PANEL_KEY)
    schemas.check(schemas.CLUSTERS, clusters)
    dictionary = reference.dictionary
    collected_for = {i: level for i, level in zip(dictionary["id"], dictionary["collected_for"], strict=True) if level}
    return engine.Inputs(
        panel,
        clusters,
        reference.registry,
        reference.facilities,
        collected_for,
        load_coverage(raw / "registry_coverage.csv"),
    )


def check_plan(run: Run, reference: Reference) -> None:
    """Stop with located errors when the plan names an indicator, zone or facility the data lacks."""
    from zonetrack.plans import load_plan
    from zonetrack.plans.checks import reference_problems

    _, document = load_plan(run.plan_file)
    problems = reference_problems(run.plan, document, reference.registry, reference.dictionary, reference.facilities)
    if problems:
        raise ProblemsError(problems)


def run_assess(
    plan_file: Path, params_file: Path, processed: Path, raw: Path, out: Path, metrics_path: Path, experiment: str = ""
) -> int:
    """The assess stage of one plan: panel + plan + params → scorecard.csv, run.json, metrics."""
    from zonetrack import schemas

    started = time.perf_counter()
    # load
    run = load_run(plan_file, params_file)
    reference = load_reference(raw)
    check_plan(run, reference)
    inputs = load_engine_inputs(processed, raw, reference)
    data_years = sorted(int(y) for y in inputs.panel["year"].unique())
    years, outside = assessment_years(run, data_years)
    for year in outside:
        log(
            f"{year}: data, but {run.plan.id} covers {run.plan.base_year}-{run.plan.target_year} "
            f"(base year {run.plan.base_year}); not assessed by it"
        )
    if not years:
        log(f"{run.plan.id}: no data yet for its years {run.plan.years[0]}-{run.plan.years[-1]}; nothing to assess")
    # process
    prepared = prepare(inputs, run.plan, years)  # the zone × year grid, laid once for all of it
    scorecard = assess_prepared(prepared, run.status)
    schemas.check(schemas.SCORECARD, scorecard)
    metrics = assessment_metrics(scorecard)
    gaps = whatif.gaps(scorecard, run.plan)
    thresholds = whatif.thresholds(prepared, run.published, run.status, scorecard)
    contributions = whatif.contributions(prepared, scorecard)
    with_data = set(inputs.panel["indicator"].astype(str).unique())
    for target_id, target in run.plan.targets.items():
        if target.indicators and not set(target.indicators) <= with_data:
            log(f"{run.plan.id}.{target_id}: its indicator has no data at all; reported as no_data")
    summary = {
        "plan": run.plan.id,
        "years": years,
        "data_years": data_years,
        "outside_years": outside,
        "scenario": [{"setting": k, "plan": a, "run": b} for k, a, b in run.changes],
        "experiment": experiment or None,
        "region": run.plan.region,
        "registry_counts": registry_bounds(prepared),
    }
    # save
    names = ["scorecard.csv", "gaps.csv", "thresholds.csv", "contributions.csv", "run.json"]
    with atomic_outputs(*(out / n for n in names), metrics_path) as temporaries:
        for frame, path in zip((scorecard, gaps, thresholds, contributions), temporaries, strict=False):
            write_csv(frame, path)
        write_json(summary, temporaries[4])
        write_json(metrics, temporaries[5])
    log(
        f"assess {run.plan.id}: {len(run.plan.targets)} targets, years {years}, {len(scorecard)} scorecard rows → "
        f"{out / 'scorecard.csv'} ({time.perf_counter() - started:.2f} s)"
    )
    return 0


def pipeline_problems(pipeline: Path, plans: list[Path]) -> list[Problem]:
    """dvc.yaml's list of plans (vars: plan_ids) against the plan files: a plan file the pipeline
    does not list is never assessed, a listed plan without a file fails."""
    import yaml

    if not pipeline.exists():
        return []
    listed = []
    for entry in yaml.safe_load(pipeline.read_text(encoding="utf-8")).get("vars", []):
        if isinstance(entry, dict):
            listed += entry.get("plan_ids", [])
    files = {p.stem for p in plans}
    label = pipeline.as_posix()
    return [
        Problem(label, None, "vars.plan_ids", ERROR, f"plans/{plan_id}.yaml exists but is not listed: add {plan_id}")
        for plan_id in sorted(files - set(listed))
    ] + [
        Problem(label, None, "vars.plan_ids", ERROR, f"lists {plan_id}, which has no plans/{plan_id}.yaml")
        for plan_id in sorted(set(listed) - files)
    ]


def load_frameworks(folder: Path, raw: Path) -> tuple[list, list[Problem]]:
    """Every framework file of a folder, checked, with the indicators each reads against the
    dictionary: the frameworks that loaded, and every problem found."""
    from zonetrack.evaluation.framework import framework_problems, load_framework

    known = set(load_dictionary(raw / "indicators.csv")["id"])
    frameworks, problems, of_class = [], [], {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            framework, document = load_framework(path)
        except ProblemsError as error:
            problems += error.problems
            continue
        if framework.zone_class in of_class:
            # Each zone would be ranked twice in its class, every count doubled.
            message = (
                f"a second framework for the class {framework.zone_class} (also {of_class[framework.zone_class]}): "
                "one framework a class; remove or rename one's class"
            )
            problems.append(Problem(path.as_posix(), document.line_of(("class",)), "class", ERROR, message))
            continue
        of_class[framework.zone_class] = path.as_posix()
        frameworks.append(framework)
        problems += framework_problems(framework, document, known)
    return frameworks, problems


def run_validate(plans: list[Path], params_file: Path, raw: Path) -> int:
    """Check params.yaml and every plan (with what they name in data/raw) before anything runs."""
    problems: list[Problem] = []
    try:
        reference = load_reference(raw)
    except ProblemsError as error:  # a broken registry or dictionary: said once, the plans still read
        problems += error.problems
        reference = None
    for plan_file in plans:
        try:
            run = load_run(plan_file, params_file)
            if reference is not None:
                check_plan(run, reference)
            log(
                f"{plan_file}: {len(run.plan.targets)} targets"
                + (f", scenario of {len(run.changes)} change(s)" if run.changes else "")
            )
        except ProblemsError as error:
            problems += error.problems
    try:
        params, document = load_params(params_file)
        for plan_id in sorted(set(params.plans) - {p.stem for p in plans}):
            problems.append(
                Problem(
                    params_file.as_posix(),
                    document.line_of(("plans", plan_id)),
                    f"plans.{plan_id}",
                    ERROR,
                    f"no plan file {plan_id}.yaml",
                )
            )
    except ProblemsError as error:
        problems += error.problems
    problems += pipeline_problems(Path("dvc.yaml"), plans)
    try:
        problems += load_frameworks(Path("frameworks"), raw)[1]
    except ProblemsError as error:  # the dictionary itself
        problems += error.problems
    for problem in dict.fromkeys(problems):
        print(problem, file=sys.stderr)
    if problems:
        log(f"NOT OK: {len(set(problems))} error(s); nothing was run")
        return 1
    log(f"OK: params.yaml and {len(plans)} plan(s)")
    return 0


def template_indicators(year: int, plans: list[Path], dictionary: pd.DataFrame) -> list[str]:
    """The indicators to ask for in a year: those the plans covering it read (its base year
    included), in the dictionary's order; every indicator when no plan covers the year."""
    from zonetrack.plans import load_plan

    needed: set[str] = set()
    for plan_file in plans:
        plan, _ = load_plan(plan_file)
        if plan.base_year <= year <= plan.target_year:
            needed |= {i for t in plan.targets.values() for i in t.indicators}
    return [i for i in dictionary["id"] if not needed or i in needed]


def run_template(year: int, out: Path, raw: Path, plans_dir: Path, every: bool, force: bool = False) -> int:
    """Write the data-collection workbook for a year (never over an existing file unless `force`:
    it may be a returned workbook, or one in data/raw/)."""
    from zonetrack.collection import template_workbook
    from zonetrack.plans import plan_files

    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise ValueError(f"--year {year} is not a year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}")
    if out.is_dir():
        raise ValueError(
            f"--out {out} is a folder: name the workbook to write, e.g. {out / f'{year}年高新区数据采集表.xlsx'}"
        )
    if out.exists() and not force:
        raise ValueError(
            f"{out} exists (a returned workbook, or one in data/raw?): nothing was written; "
            "choose another --out, or add --force to replace it"
        )
    # load
    registry = load_registry(raw / "zones.csv")
    dictionary = load_dictionary(raw / "indicators.csv")
    indicators = list(dictionary["id"]) if every else template_indicators(year, plan_files(plans_dir), dictionary)
    # process
    workbook = template_workbook(year, registry, dictionary, indicators)
    # save
    with atomic_outputs(out) as (temporary,):
        temporary.write_bytes(workbook)
    log(f"template for {year}: {out} ({len(indicators)} indicators; fill it in, check it, put it in {raw / STATS_DIR})")
    return 0


def run_compare(names: list[str], plans_dir: Path, raw: Path, out: Path) -> int:
    """Scenarios compared: print, and write a page of, what each experiment changes."""
    from zonetrack.plans import plan_files
    from zonetrack.report import compare
    from zonetrack.report.publish import embed_cjk_font

    repo = Path.cwd()
    found = compare.experiments(repo)
    unknown = sorted(set(names) - {e.name for e in found})
    if unknown:
        raise ValueError(f"no experiment named {', '.join(unknown)} (dvc exp show lists them)")
    chosen = [e for e in found if not names or e.name in names]
    registry = load_registry(raw / "zones.csv")
    compared = compare.changes([p.stem for p in plan_files(plans_dir)], chosen, repo)
    print(compare.as_text(compared))
    with atomic_outputs(out) as (temporary,):
        temporary.write_text(embed_cjk_font(compare.as_html(compared, short_names(registry))), encoding="utf-8")
    log(f"compare: {out}")
    return 0


def evaluation_metrics(results: pd.DataFrame, audits: dict) -> dict:
    """metrics/evaluation.json: per year and class, the zones ranked, the top zone, how wide the rank
    intervals are, and the first component's share, for `dvc exp show`."""
    metrics: dict = {}
    for (year, zone_class), rows in results.groupby(["year", "class"]):
        top = rows.sort_values("rank").iloc[0]
        width = (rows["rank_p95"] - rows["rank_p05"]).mean()
        share = audits.get(f"{int(year)}/{zone_class}", {}).get("first_component_share")
        metrics.setdefault(str(int(year)), {})[zone_class] = {
            "ranked": len(rows),
            "top": str(top["zone_id"]),
            "mean_interval_width": None if pd.isna(width) else round(float(width), 4),
            "first_component_share": None if share is None or pd.isna(share) else round(float(share), 4),
        }
    return metrics


def run_evaluation(
    frameworks_dir: Path, params_file: Path, processed: Path, raw: Path, out: Path, metrics_path: Path
) -> int:
    """The evaluation stage: panel + frameworks → evaluation.csv/.parquet, sensitivity.csv, audit.json."""
    from zonetrack import evaluation

    started = time.perf_counter()
    # load
    settings = load_params(params_file)[0].evaluation
    if not any(frameworks_dir.glob("*.yaml")):
        raise ValueError(f"no framework files in {frameworks_dir}")
    frameworks, problems = load_frameworks(frameworks_dir, raw)
    if problems:
        raise ProblemsError(problems)
    recover_outputs(processed)
    panel = pd.read_parquet(processed / "panel.parquet")
    quality = json.loads((processed / "data_quality.json").read_text(encoding="utf-8"))
    registry = load_registry(raw / "zones.csv")
    work = evaluation.planned_work(panel, registry, frameworks, settings)
    if work > evaluation.MAX_ZONE_REPLICATIONS:
        message = (
            f"the uncertainty analysis would compute {work:,.0f} zone-replications (at most "
            f"{evaluation.MAX_ZONE_REPLICATIONS:,.0f}, about 3 minutes on 2 cores): lower "
            f"evaluation.uncertainty.base_samples ({settings.uncertainty.base_samples})"
        )
        raise ProblemsError(
            [Problem(params_file.as_posix(), None, "evaluation.uncertainty.base_samples", ERROR, message)]
        )
    # process
    result = evaluation.evaluate(panel, registry, frameworks, settings)
    for note in result.notes:
        log(f"evaluation {note['year']} {note['class']}: {note.get('zone_id', '')} {note['note']}".replace("  ", " "))
    audit = {
        "settings": settings.model_dump(),
        "frameworks": {f.zone_class: f.model_dump(by_alias=True) for f in frameworks},
        "illustrative_data": bool(quality.get("illustrative")),
        "audits": result.audits,
        "notes": result.notes,
    }
    metrics = evaluation_metrics(result.results, result.audits)
    # save
    names = ["evaluation.csv", "evaluation.parquet", "sensitivity.csv", "audit.json"]
    with atomic_outputs(*(out / n for n in names), metrics_path) as temporaries:
        write_csv(result.results, temporaries[0])
        result.results.to_parquet(temporaries[1], index=False)
        write_csv(result.sensitivity, temporaries[2])
        write_json(audit, temporaries[3])
        write_json(metrics, temporaries[4])
    years = sorted(int(y) for y in result.results["year"].unique())
    log(
        f"evaluation: {len(result.results)} zone-years ranked in {years} "
        f"({settings.uncertainty.base_samples} × (D + 2) replications each) → {out} "
        f"({time.perf_counter() - started:.1f} s)"
    )
    return 0


# Inputs an experiment's copy must hold: what the stages read.
EXPERIMENT_INPUTS = ["data/raw", "plans", "frameworks", "notebooks", "params.yaml", "dvc.yaml", "src"]


def untracked_inputs(root: Path) -> list[str]:
    """Input files git does not hold (nor ignore): `dvc exp run --temp` runs on a copy made from
    git, which would silently leave them out (a new year's workbook, a new plan)."""
    import subprocess

    listed = subprocess.run(
        ["git", "ls-files", "-z", "--others", "--exclude-standard", "--", *EXPERIMENT_INPUTS],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout
    return sorted(name.decode("utf-8", "backslashreplace") for name in listed.split(b"\0") if name)


def run_scenario(name: str | None, settings: list[str], root: Path = Path(".")) -> int:
    """Run a scenario as `dvc exp run --temp -S …`, or stop first, naming the input files git does
    not hold, which the experiment's copy would not see."""
    import subprocess

    missing = untracked_inputs(root)
    if missing:
        for path in missing:
            print(Problem(path, None, None, ERROR, "not in git: the experiment would run without it"), file=sys.stderr)
        log(
            f"NOT OK: dvc exp run --temp runs on a copy of what git holds, and {len(missing)} input file(s) are "
            "not in it. Add them first (git add … && git commit), or move them away; nothing was run"
        )
        return 1
    command = ["dvc", "exp", "run", "--temp", *(["-n", name] if name else [])]
    for setting in settings:
        command += ["-S", setting]
    log("running " + " ".join(command))
    return subprocess.run(command, cwd=root, check=False).returncode
