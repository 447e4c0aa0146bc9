"""The evaluation stage: panel + frameworks → evaluation.csv/.parquet, sensitivity.csv, audit.json,
metrics/evaluation.json."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd

from zonetrack.evaluation.framework import load_frameworks
from zonetrack.evaluation.results import evaluation_metrics
from zonetrack.io import recover_outputs, write_csv, write_json, write_outputs
from zonetrack.plans import load_params
from zonetrack.problems import ERROR, Problem, ProblemsError, log
from zonetrack.registry import load_registry


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
        "coverage": result.coverage,
    }
    metrics = evaluation_metrics(result.results, result.audits)
    # save
    write_outputs(
        {
            out / "evaluation.csv": lambda path: write_csv(result.results, path),
            out / "evaluation.parquet": lambda path: result.results.to_parquet(path, index=False),
            out / "sensitivity.csv": lambda path: write_csv(result.sensitivity, path),
            out / "audit.json": lambda path: write_json(audit, path),
            metrics_path: lambda path: write_json(metrics, path),
        }
    )
    from zonetrack import cache

    cache.prune()
    years = sorted(int(y) for y in result.results["year"].unique())
    log(
        f"evaluation: {len(result.results)} zone-years ranked in {years} "
        f"({settings.uncertainty.base_samples} × (D + 2) replications each) → {out} "
        f"({time.perf_counter() - started:.1f} s)"
    )
    return 0
