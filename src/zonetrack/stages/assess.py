"""The assess stage of one plan: panel + plan + params.yaml → scorecard.csv, gaps.csv, thresholds.csv,
contributions.csv, run.json, metrics/<plan>.json."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from zonetrack import engine
from zonetrack.engine import whatif
from zonetrack.engine.metrics import assessment_metrics, assessment_years
from zonetrack.engine.rules import assess_prepared, prepare, registry_bounds
from zonetrack.indicators import load_dictionary
from zonetrack.io import recover_outputs, write_csv, write_json, write_outputs
from zonetrack.plans import Run, load_run
from zonetrack.problems import ProblemsError, log
from zonetrack.registry import load_coverage, load_facilities, load_zones


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
        # What the index says of the plan, so that it reads this file alone (no plan model to load).
        "name_zh": run.plan.name_zh,
        "name_en": run.plan.name_en,
        "base_year": run.plan.base_year,
        "target_year": run.plan.target_year,
        "plan_years": run.plan.years,
        "years": years,
        "data_years": data_years,
        "outside_years": outside,
        "scenario": [{"setting": k, "plan": a, "run": b} for k, a, b in run.changes],
        "experiment": experiment or None,
        "region": run.plan.region,
        "registry_counts": registry_bounds(prepared),
    }
    # save
    write_outputs(
        {
            out / "scorecard.csv": lambda path: write_csv(scorecard, path),
            out / "gaps.csv": lambda path: write_csv(gaps, path),
            out / "thresholds.csv": lambda path: write_csv(thresholds, path),
            out / "contributions.csv": lambda path: write_csv(contributions, path),
            out / "run.json": lambda path: write_json(summary, path),
            metrics_path: lambda path: write_json(metrics, path),
        }
    )
    log(
        f"assess {run.plan.id}: {len(run.plan.targets)} targets, years {years}, {len(scorecard)} scorecard rows → "
        f"{out / 'scorecard.csv'} ({time.perf_counter() - started:.2f} s)"
    )
    return 0
