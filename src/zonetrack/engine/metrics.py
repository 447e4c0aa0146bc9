"""metrics/<plan>.json from a scorecard, and which of a plan's years are assessed."""

from __future__ import annotations

import pandas as pd

from zonetrack.engine.rules import ALL
from zonetrack.engine.status import ALL_STATUSES
from zonetrack.plans import Run


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
