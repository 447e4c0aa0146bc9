"""reports/index.html: every year's report, and every target's status across the years."""

from __future__ import annotations

import pandas as pd

from zonetrack import plots
from zonetrack.report import CSS, banners_html, esc, figure_png, status_badge
from zonetrack.status import ALL_STATUSES


def index_html(scorecard: pd.DataFrame, params: dict, quality: dict, changes: list) -> str:
    """The index page: links to the yearly reports, a status-count chart and a target × year grid."""
    totals = scorecard[scorecard["zone_id"] == "ALL"]
    years = sorted(int(y) for y in totals["year"].unique())
    plan = params["plan"]
    links = "".join(
        f'<li><a href="{y}/assessment.html">{y} 评估报告 assessment</a> · '
        f'<a href="{y}/scorecard.xlsx">scorecard.xlsx</a></li>'
        for y in years
    )
    counts = totals.groupby(["year", "status"]).size().unstack(fill_value=0).reindex(columns=ALL_STATUSES, fill_value=0)
    grid = totals.pivot(index="target_id", columns="year", values="status")
    header = "".join(f"<th>{y}</th>" for y in years)
    rows = []
    for target_id, spec in params["targets"].items():
        if target_id not in grid.index:
            continue
        cells = "".join(f"<td>{status_badge(grid.loc[target_id, y])}</td>" for y in years)
        rows.append(
            f"<tr><td><code>{esc(target_id)}</code><br><small>{esc(spec.get('text_zh'))}</small></td>{cells}</tr>"
        )
    banners = banners_html(quality, changes)
    return (
        f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>zonetrack</title>{CSS}</head>"
        f"<body class='zt'><h1>高新区目标评估 High-tech zone targets</h1><p>{esc(plan.get('name_zh'))}<br>"
        f"<small>{esc(plan.get('name_en'))}</small></p>{banners}<h2>年度报告 Yearly reports</h2><ul>{links}</ul>"
        f"<h2>目标状态 Targets by status, year by year</h2>{figure_png(plots.status_counts_chart(counts))}"
        f"<table><tr><th>目标 Target</th>{header}</tr>{''.join(rows)}</table></body></html>"
    )
