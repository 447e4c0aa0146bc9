"""The plan pages and reports/index.html: every plan, its years, its targets' statuses with their
coverage, and the years with data that no plan covers."""

from __future__ import annotations

import json
from pathlib import Path

from zonetrack.engine.rules import ALL
from zonetrack.engine.status import ALL_STATUSES
from zonetrack.io import read_output_csv
from zonetrack.plans import load_plan, plan_files
from zonetrack.report import data
from zonetrack.report import formatting as fmt
from zonetrack.report.data import PlanReport
from zonetrack.report.html import css, render


def plan_html(report: PlanReport) -> str:
    """A plan's page: its years, a status-count chart and every target's status and coverage by year."""
    # matplotlib: only the plan pages draw a chart, not the index
    from zonetrack.report import chart_cache, plots

    years = report.years
    totals = report.scorecard[report.scorecard["zone_id"] == ALL]
    cells = {(r.target_id, int(r.year)): r for r in totals.itertuples()}
    grid = [
        {
            "id": target_id,
            "target": target,
            "cells": [
                {"status": c.status, "coverage": fmt.number(c.coverage, share=True)}
                if (c := cells.get((target_id, y)))
                else None
                for y in years
            ],
        }
        for target_id, target in report.plan.targets.items()
    ]
    return render(
        "plan.html.j2",
        css=css(),
        plan=report.plan,
        banner=data.banners(report),
        years=years,
        met={y: data.met_share(report, y) for y in years},
        chart=chart_cache.png(plots.status_counts_chart, data.status_counts(report)) if years else "",
        grid=grid,
        zones=data.zone_index(report),
        outside=report.summary.get("outside_years", []),
    )


def index_html(plans_dir: Path, processed: Path) -> str:
    """The index page: each plan with its years and latest verdicts, and the years no plan covers."""
    import pandas as pd

    quality = json.loads((processed / "data_quality.json").read_text(encoding="utf-8"))
    rows, covered = [], set()
    for plan_file in plan_files(plans_dir):
        plan, _ = load_plan(plan_file)
        folder = processed / plan.id
        summary = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        card = read_output_csv(folder / "scorecard.csv")
        years = summary["years"]
        covered |= {plan.base_year, *plan.years, *years}
        latest = None
        if years:
            last = card[(card["year"] == years[-1]) & (card["zone_id"] == ALL)]
            counts = last["status"].value_counts()
            verdicts = last[last["status"].isin(ALL_STATUSES[:6])]
            latest = {
                "year": years[-1],
                "met": int((verdicts["status"] == "met").sum()),
                "verdicts": len(verdicts),
                "counts": [(s, int(counts[s])) for s in ALL_STATUSES if s in counts],
            }
        rows.append(
            {
                "id": plan.id,
                "plan": plan,
                "years": years,
                "latest": latest,
                "scenario": [f"{c['setting']}: {c['plan']} → {c['run']}" for c in summary.get("scenario", [])],
                "experiment": summary.get("experiment"),
                # Said here, not on the plan's own pages: those read only the years the plan covers.
                "outside": [y for y in quality.get("years", []) if not plan.base_year <= y <= plan.target_year],
            }
        )
    uncovered = [
        (y, f"data for {y}, but no plan in params.yaml covers this year (its statistics are ingested, not assessed)")
        for y in quality.get("years", [])
        if y not in covered
    ]
    evaluation_file = processed / "evaluation" / "evaluation.csv"
    evaluation = (
        sorted(int(y) for y in pd.read_csv(evaluation_file, usecols=["year"])["year"].unique())
        if evaluation_file.exists()
        else []
    )
    return render(
        "index.html.j2",
        css=css(),
        plans=rows,
        illustrative=bool(quality.get("illustrative")),
        uncovered=uncovered,
        evaluation=evaluation,
    )
