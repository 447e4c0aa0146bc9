"""Each target's charts for a year, built from a plan's report data (as base64 PNG), drawn through
the chart cache (report/chart_cache.py): a chart whose inputs did not change is read, not drawn."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zonetrack.engine.rules import ALL
from zonetrack.report import chart_cache, plots
from zonetrack.report.data import PlanReport, changed, target_text


def _scale(target) -> float:
    return 100.0 if target.display == "percent" else 1.0


def target_chart(report: PlanReport, year: int, target_id: str) -> str | None:
    """The target's chart: the total's path for a total (or a registry count), the zones ranked for
    an `each` target; None for a yes-or-no commitment (a zone's level, facilities)."""
    target = report.plan.targets[target_id]
    plan = report.plan
    end = plan.end_year(target)
    threshold_zh, _ = target_text(target)
    title = f"{target.name_zh} {threshold_zh}" + (" (情景 scenario)" if changed(report, target_id) else "")
    names = report.zone_names
    if getattr(target, "scope", "total") == "each":
        rows = report.rows("scorecard", year=year, target_id=target_id)
        rows = rows[rows["zone_id"] != ALL].copy()
        if target.zone_metric == "rate":
            rows["metric"] = rows["actual_rate"] * 100
            threshold, label = target.bound * 100, f"年均增长 average growth since {plan.base_year} (%)"
        elif target.zone_metric == "change":
            # The change achieved in the target's direction (for a rank: places moved up), against
            # the change required; a zone without a base value has none and is drawn as such.
            moved = (
                rows["base_value"] - rows["value"] if target.better == "lower" else rows["value"] - rows["base_value"]
            )
            rows["metric"] = moved
            threshold = float(target.min_change)
            label = f"较{plan.base_year}年改善 improvement since {plan.base_year} ({target.unit})"
        else:
            # zones_reaching: each zone against the zone-level threshold.
            bound = target.zone_view().bound
            rows["metric"] = rows["value"] * _scale(target)
            threshold, label = bound * _scale(target), f"{target.name_zh} ({target.unit})"
        whole = target.display == "integer"
        return chart_cache.png(plots.zone_bars, rows, title, label, threshold, names, whole)
    if not target.path_chart:
        return None
    totals = report.rows("scorecard", target_id=target_id, zone_id=ALL)
    totals = totals[totals["year"] <= year].sort_values("year")
    if totals.empty:
        return None
    latest = totals.iloc[-1]
    scale = _scale(target)
    base_value = latest["base_value"]
    series = pd.concat(
        [pd.DataFrame({"year": [plan.base_year], "value": [base_value]}), totals[["year", "value"]]], ignore_index=True
    )
    series["value"] = series["value"] * scale
    required = None
    end_value = latest["target_value"]
    if target.growth_path and np.isfinite(latest["required_rate"]) and np.isfinite(base_value):
        years = np.arange(plan.base_year, end + 1)
        required = pd.DataFrame(
            {"year": years, "value": base_value * scale * (1 + latest["required_rate"]) ** (years - plan.base_year)}
        )
        end_value = required["value"].iloc[-1] / scale
    projection = None
    gap = report.rows("gaps", year=year, target_id=target_id, zone_id=ALL)
    if len(gap) and year < end and np.isfinite(gap["projection"].iloc[0]) and np.isfinite(latest["value"]):
        projection = pd.DataFrame(
            {"year": [year, end], "value": [latest["value"] * scale, gap["projection"].iloc[0] * scale]}
        )
    unit = "%" if target.display == "percent" else target.unit
    return chart_cache.png(
        plots.path_chart,
        series,
        title,
        unit,
        plan.base_year,
        end,
        end_value * scale,
        required,
        projection,
        whole=target.display == "integer",
    )


def contribution_chart(report: PlanReport, year: int, target_id: str) -> str | None:
    """Which zones' shortfall makes up a total's gap (the ten largest parts either way)."""
    target = report.plan.targets[target_id]
    parts = report.rows("contributions", year=year, target_id=target_id)
    if parts.empty:
        return None
    shown = pd.concat([parts.nlargest(8, "contribution"), parts.nsmallest(4, "contribution")]).drop_duplicates(
        "zone_id"
    )
    scale = _scale(target)
    shown = shown.assign(contribution=shown["contribution"] * scale)
    title = f"{target.name_zh}: 各园区对差距的贡献 each zone's part of the gap"
    unit = "%" if target.display == "percent" else target.unit
    whole = target.display == "integer"
    return chart_cache.png(plots.contribution_bars, shown, title, unit, report.zone_names, whole)


def draw_backwards(report: PlanReport, year: int) -> dict[str, str | None]:
    """Every chart of the year's targets through the chart cache, from the plan's last target to its
    first; each target's own chart (target_chart) by its id. The report stage calls it beside the
    kernel, whose page draws them from the first (sections.targets): each chart is then drawn once,
    by whichever of the two gets to it first, the other reading it from the cache, and both cores draw."""
    drawn = {}
    for target_id, target in reversed(report.plan.targets.items()):
        if report.row("scorecard", year=year, target_id=target_id, zone_id=ALL) is None:
            continue  # not on the page
        if getattr(target, "scope", "") == "total":
            contribution_chart(report, year, target_id)
        drawn[target_id] = target_chart(report, year, target_id)
    return drawn
