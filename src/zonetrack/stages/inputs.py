"""The inputs@<plan> stage: the panel, clusters and data quality of the years a plan covers (its base
year to its target year), so that a year it does not cover changes none of its inputs and DVC reruns
none of its stages (data/processed/inputs/<plan>/)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd

from zonetrack.ingest.report import for_years
from zonetrack.io import recover_outputs, write_json, write_outputs
from zonetrack.plans import load_run
from zonetrack.problems import log


def run_inputs(plan_file: Path, params_file: Path, processed: Path, out: Path) -> int:
    """data/processed/inputs/<plan>/{panel.parquet, clusters.parquet, data_quality.json}."""
    started = time.perf_counter()
    # load
    plan = load_run(plan_file, params_file).plan
    recover_outputs(processed)
    panel = pd.read_parquet(processed / "panel.parquet")
    clusters = pd.read_parquet(processed / "clusters.parquet")
    quality = json.loads((processed / "data_quality.json").read_text(encoding="utf-8"))
    # process
    years = range(plan.base_year, plan.target_year + 1)
    panel_part, clusters_part, quality_part = for_years(panel, clusters, quality, years)
    outside = sorted(int(y) for y in set(panel["year"].unique()) - set(years))
    # save
    write_outputs(
        {
            out / "panel.parquet": lambda path: panel_part.to_parquet(path, index=False),
            out / "clusters.parquet": lambda path: clusters_part.to_parquet(path, index=False),
            out / "data_quality.json": lambda path: write_json(quality_part, path),
        }
    )
    if outside:
        log(
            f"inputs of {plan.id}: {', '.join(map(str, outside))} outside {plan.base_year}-{plan.target_year}, "
            "not among its inputs (its stages do not rerun for them)"
        )
    log(
        f"inputs of {plan.id}: {len(panel_part)} values of {plan.base_year}-{plan.target_year} → {out} "
        f"({time.perf_counter() - started:.1f} s)"
    )
    return 0
