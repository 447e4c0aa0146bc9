"""The plan pages and reports/index.html: every plan, its years, its targets' statuses with their
coverage, and the years with data that no plan covers.

The index reads only what the stages wrote (each plan's run.json and scorecard.csv, the data quality,
the evaluation's years), with the standard library and Jinja2: its stage runs after every scenario
and new year, and pandas, numpy and the plans' models would be most of its time."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING

from zonetrack.engine.status import ALL, ALL_STATUSES, MET, STATUS_ORDER
from zonetrack.report.html import css, render

if TYPE_CHECKING:
    from zonetrack.report.data import PlanReport


def plan_html(report: PlanReport) -> str:
    """A plan's page: its years, a status-count chart and every target's status and coverage by year."""
    # matplotlib: only the plan pages draw a chart, not the index
    from zonetrack.report import chart_cache, data, plots
    from zonetrack.report import formatting as fmt

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
    quality = json.loads((processed / "data_quality.json").read_text(encoding="utf-8"))
    rows, covered = [], set()
    for plan_file in sorted(plans_dir.glob("*.yaml")):  # plans.plan_files: the plans in id order
        folder = processed / plan_file.stem
        summary = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        plan = {k: summary[k] for k in ("name_zh", "name_en", "base_year", "target_year")}
        years = summary["years"]
        covered |= {plan["base_year"], *summary["plan_years"], *years}
        latest = None
        if years:
            last = _statuses(folder / "scorecard.csv", years[-1])
            verdicts = [s for s in last if s in STATUS_ORDER]
            latest = {
                "year": years[-1],
                "met": verdicts.count(MET),
                "verdicts": len(verdicts),
                "counts": [(s, last.count(s)) for s in ALL_STATUSES if s in last],
            }
        rows.append(
            {
                "id": summary["plan"],
                "plan": plan,
                "years": years,
                "latest": latest,
                "scenario": [f"{c['setting']}: {c['plan']} → {c['run']}" for c in summary.get("scenario", [])],
                "experiment": summary.get("experiment"),
                # Said here, not on the plan's own pages: those read only the years the plan covers.
                "outside": [y for y in quality.get("years", []) if not plan["base_year"] <= y <= plan["target_year"]],
            }
        )
    uncovered = [
        (y, f"data for {y}, but no plan in params.yaml covers this year (its statistics are ingested, not assessed)")
        for y in quality.get("years", [])
        if y not in covered
    ]
    evaluation_file = processed / "evaluation" / "evaluation.csv"
    evaluation = sorted({int(r["year"]) for r in _rows(evaluation_file)}) if evaluation_file.exists() else []
    return render(
        "index.html.j2",
        css=css(),
        plans=rows,
        illustrative=bool(quality.get("illustrative")),
        uncovered=uncovered,
        evaluation=evaluation,
    )


def _rows(path: Path):
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _statuses(scorecard: Path, year: int) -> list[str]:
    """The status of every target's ALL row in a year of a scorecard.csv, in its order."""
    return [r["status"] for r in _rows(scorecard) if r["zone_id"] == ALL and int(r["year"]) == year]
