"""What the yearly assessment notebook shows: tables and charts built from the stages' outputs.

Every string that comes from data (zone names, target sentences, warnings, sources) is escaped.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from zonetrack import plots
from zonetrack.io import read_scorecard
from zonetrack.params import load_params, scenario_changes
from zonetrack.registry import load_registry, zone_levels
from zonetrack.status import ALL_STATUSES

SYMBOLS = {
    "met": "✔",
    "on_track": "▲",
    "needs_acceleration": "►",
    "off_track": "▼",
    "moving_away": "✖",
    "not_met": "✘",
    "no_data": "…",
    "not_assessable": "?",
}
RULE_LABELS = {
    "level": "水平 level",
    "multiple": "倍增 multiple",
    "growth": "年均增长 growth",
    "count": "数量 count",
    "clusters": "产业集群 clusters",
}
UNITS = {
    "patents_per_10k": "件/万人",
    "rd_intensity": "%",
    "high_tech_value_added": "亿元",
    "hte_doubling": "家",
    "sme_doubling": "家",
}
CSS = """
<style>
.zt { font-family: "zonetrack CJK", system-ui, "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif; color: #222; }
.zt table { border-collapse: collapse; font-size: 13px; margin: 8px 0 16px; }
.zt table th, .zt table td { border: 1px solid #ddd; padding: 4px 8px; vertical-align: top; text-align: left !important; }
.zt th { background: #f3f3f3; text-align: left; }
.zt table td.num { text-align: right !important; font-variant-numeric: tabular-nums; white-space: nowrap; }
.zt .status { font-weight: 600; white-space: nowrap; border-radius: 3px; padding: 2px 6px; }
.zt .banner { padding: 10px 14px; margin: 10px 0; border-radius: 4px; font-size: 14px; }
.zt .illustrative { background: #fff3cd; border: 1px solid #e0c36a; }
.zt .scenario { background: #e8f0fe; border: 1px solid #8ab4f8; }
.zt .formula { font-family: "DejaVu Serif", serif; background: #f8f8f8; padding: 6px 10px; display: inline-block; }
.zt small { color: #666; }
.zt table.zones td:first-child { min-width: 220px; }
</style>
"""


def esc(value: object) -> str:
    """Escape any value for HTML; missing values become an empty string."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


@dataclass
class ReportData:
    """Everything one year's report shows, loaded from the stages' outputs."""

    year: int
    params: dict
    changes: list[tuple[str, object, object]]
    scorecard: pd.DataFrame
    card: pd.DataFrame
    quality: dict
    registry: pd.DataFrame
    reference: pd.DataFrame
    fingerprint: str

    @property
    def zone_names(self) -> dict[str, str]:
        return dict(zip(self.registry["zone_id"], self.registry["name_zh"], strict=True))

    @property
    def targets(self) -> dict:
        return self.params["targets"]


def load_report(year: int, processed_dir: str, params_file: str, plan_file: str, raw_dir: str) -> ReportData:
    """Read the scorecard, data quality, params and registry for one assessment year."""
    processed, raw = Path(processed_dir), Path(raw_dir)
    params = load_params(Path(params_file))
    scorecard = read_scorecard(processed)
    card = scorecard[scorecard["year"] == year].reset_index(drop=True)
    if card.empty:
        raise ValueError(f"the scorecard has no rows for {year}; assess.years is {params['assess']['years']}")
    quality = json.loads((processed / "data_quality.json").read_text(encoding="utf-8"))
    reference_file = raw / "reference" / "province_official.csv"
    reference = pd.read_csv(reference_file, dtype=str) if reference_file.exists() else pd.DataFrame()
    fingerprint = hashlib.sha256((processed / "panel.parquet").read_bytes()).hexdigest()[:12]
    return ReportData(
        year,
        params,
        scenario_changes(params, load_params(Path(plan_file))),
        scorecard,
        card,
        quality,
        load_registry(raw / "zones.csv"),
        reference,
        fingerprint,
    )


def status_badge(status: str) -> str:
    """A status as colour, symbol and bilingual word."""
    colour = plots.STATUS_COLOURS.get(status, "#ddd")
    text = "#fff" if status in ("met", "moving_away", "not_met") else "#222"
    return (
        f'<span class="status" style="background:{colour};color:{text}">'
        f"{SYMBOLS.get(status, '')} {esc(plots.STATUS_LABELS.get(status, status))}</span>"
    )


def _is_percent(target_id: str, spec: dict) -> bool:
    return spec.get("display") == "percent"


def format_value(value: float, target_id: str, spec: dict, share: bool = False) -> str:
    """A value as the plan states it: shares and percent targets in %, counts whole, amounts to 2 decimals."""
    if value is None or pd.isna(value):
        return "—"
    if share or _is_percent(target_id, spec):
        return f"{value * 100:.2f}%"
    if spec.get("rule") in ("count", "clusters", "multiple"):
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def banners_html(quality: dict, changes: list[tuple[str, object, object]]) -> str:
    """The illustrative-data banner (when any value is marked so) and the scenario banner naming
    every setting that differs from the plan."""
    parts = []
    if quality.get("illustrative"):
        share = quality.get("illustrative_share", 0.0)
        parts.append(
            '<div class="banner illustrative"><b>⚠ 示例数据 Illustrative data.</b> '
            f"{share:.0%} of the values are marked illustrative: they are invented for demonstration, "
            "not official statistics. 本报告中的分园区数据为示例,不是官方统计。</div>"
        )
    if changes:
        rows = "".join(
            f"<tr><td><code>{esc(k)}</code></td><td>{esc(a)}</td><td>{esc(b)}</td></tr>" for k, a, b in changes
        )
        parts.append(
            '<div class="banner scenario"><b>情景 Scenario:</b> this run differs from the plan in '
            f"{len(changes)} setting(s).<table><tr><th>setting</th><th>plan</th><th>this run</th></tr>"
            f"{rows}</table></div>"
        )
    return "".join(parts)


def title_html(data: ReportData) -> str:
    """Title, plan, year, data vintage and the banners (scenario, illustrative data)."""
    plan = data.params["plan"]
    parts = [
        CSS,
        '<div class="zt">',
        f"<h1>{esc(data.year)}年高新区创新驱动提质升级评估<br><small>High-tech zone assessment {esc(data.year)}</small></h1>",
        f"<p><b>方案 Plan:</b> {esc(plan.get('name_zh'))}<br><small>{esc(plan.get('name_en'))}; "
        f"issued {esc(plan.get('issued'))}; base year {esc(plan['base_year'])}, target year {esc(plan['target_year'])}</small></p>",
        f"<p><b>数据 Data:</b> {esc(', '.join(data.quality.get('files', [])))}; years "
        f"{esc(', '.join(str(y) for y in data.quality.get('years', [])))}; {esc(data.quality.get('values'))} values; "
        f"fingerprint <code>{esc(data.fingerprint)}</code></p>",
    ]
    parts.append(banners_html(data.quality, data.changes))
    parts.append("</div>")
    return "".join(parts)


def headline_html(data: ReportData) -> str:
    """Every target: the plan's sentence, value, target value, status (colour and symbol), coverage."""
    totals = data.card[data.card["zone_id"] == "ALL"].set_index("target_id")
    rows = []
    for target_id, spec in data.targets.items():
        if target_id not in totals.index:
            continue
        row = totals.loc[target_id]
        each = spec.get("scope") == "each"
        value = format_value(row["value"], target_id, spec, share=each)
        target = "100% of zones" if each else format_value(row["target_value"], target_id, spec)
        rows.append(
            f"<tr><td><code>{esc(target_id)}</code></td><td>{esc(spec.get('text_zh'))}<br><small>{esc(spec.get('text_en'))}</small></td>"
            f"<td>{esc(RULE_LABELS.get(spec.get('rule'), spec.get('rule')))}<br><small>{esc(spec.get('scope'))}</small></td>"
            f'<td class="num">{esc(value)}</td><td class="num">{esc(target)}</td>'
            f"<td>{status_badge(row['status'])}</td>"
            f'<td class="num">{esc(format_value(row["coverage"], target_id, spec, share=True))}</td></tr>'
        )
    return (
        '<div class="zt"><table class="headline"><tr><th>id</th><th>目标 Target</th><th>规则 Rule</th>'
        "<th>数值 Value</th><th>目标值 Target value</th><th>状态 Status</th><th>覆盖 Coverage</th></tr>"
        + "".join(rows)
        + "</table><small>For targets that every zone must meet (scope each), the value is the share "
        "of assessed zones that meet it.</small></div>"
    )


def zone_table_html(data: ReportData) -> str:
    """Per zone: level, city, and how many targets it is in each status."""
    zones = data.card[data.card["zone_id"] != "ALL"]
    counts = (
        zones.groupby(["zone_id", "status"]).size().unstack(fill_value=0).reindex(columns=ALL_STATUSES, fill_value=0)
    )
    levels = zone_levels(data.registry, [data.year]).set_index("zone_id")["level"]
    registry = data.registry.set_index("zone_id")
    head = "".join(
        f'<th style="background:{plots.STATUS_COLOURS[s]}33">{SYMBOLS[s]}<br><small>{esc(plots.STATUS_LABELS[s])}</small></th>'
        for s in ALL_STATUSES
    )
    rows = []
    for zone_id in [z for z in data.registry["zone_id"] if z in counts.index]:
        cells = "".join(f'<td class="num">{counts.loc[zone_id, s]}</td>' for s in ALL_STATUSES)
        rows.append(
            f"<tr><td>{esc(registry.loc[zone_id, 'name_zh'])}<br><small>{esc(registry.loc[zone_id, 'name_en'])}</small></td>"
            f"<td>{esc(registry.loc[zone_id, 'city'])}</td><td>{esc(levels.get(zone_id))}</td>{cells}</tr>"
        )
    return (
        '<div class="zt"><table class="zones"><tr><th>高新区 Zone</th><th>市州 City</th><th>级别 Level</th>'
        + head
        + "</tr>"
        + "".join(rows)
        + "</table></div>"
    )


def quality_html(data: ReportData) -> str:
    """Coverage of every indicator in the year, and every data warning."""
    year = str(data.year)
    coverage = data.quality.get("coverage", {})
    rows = "".join(
        f"<tr><td><code>{esc(ind)}</code></td><td class='num'>{esc(f'{by_year.get(year, 0.0):.0%}')}</td></tr>"
        for ind, by_year in sorted(coverage.items())
    )
    warnings = data.quality.get("warnings", [])
    items = "".join(f"<li>{esc(w)}</li>" for w in warnings) or "<li>none</li>"
    skipped = data.quality.get("skipped_sheets", [])
    return (
        '<div class="zt"><table><tr><th>指标 Indicator</th><th>覆盖率 Coverage '
        + esc(year)
        + "</th></tr>"
        + rows
        + f"</table><p><b>警告 Warnings ({len(warnings)}):</b></p><ul>{items}</ul>"
        + (f"<p><small>Sheets without a table, not read: {esc(', '.join(skipped))}</small></p>" if skipped else "")
        + "</div>"
    )


def method_html(data: ReportData) -> str:
    """The method with its formulas and the status bands of this run (plain HTML: no script needed)."""
    status = data.params["status"]
    plan = data.params["plan"]
    b, t_end = plan["base_year"], plan["target_year"]
    return f"""<div class="zt">
<p>Base year b = {esc(b)}, target year T = {esc(t_end)}. 基期 b,目标年 T。</p>
<p><b>年均增长 (水平法) Average annual growth:</b><br>
<span class="formula">CAGR<sub>actual</sub> = (v<sub>t</sub> / v<sub>b</sub>)<sup>1/(t−b)</sup> − 1</span></p>
<p><b>所需增长 Required growth:</b> level <span class="formula">(target / v<sub>b</sub>)<sup>1/(T−b)</sup> − 1</span>;
growth: min_rate; multiple: <span class="formula">k<sup>1/(T−b)</sup> − 1</span>.</p>
<p><b>Ratio</b> <span class="formula">R = CAGR<sub>actual</sub> / |CAGR<sub>required</sub>|</span>:
R ≥ {esc(status["on_track"])} {status_badge("on_track")}; {esc(status["needs_acceleration"])} ≤ R &lt; {esc(status["on_track"])}
{status_badge("needs_acceleration")}; 0 ≤ R &lt; {esc(status["needs_acceleration"])} {status_badge("off_track")};
R &lt; 0 {status_badge("moving_away")}. A target already reached is {status_badge("met")}; a base already at or past the
target with the latest value below it is {status_badge("moving_away")}.</p>
<p><b>数量 Counts and clusters:</b> on the straight line from the base count n<sub>b</sub> to the target n*:
<span class="formula">n<sub>t</sub> ≥ n<sub>b</sub> + (n* − n<sub>b</sub>)(t − b)/(T − b)</span> {status_badge("on_track")};
below it {status_badge("off_track")}; below n<sub>b</sub> {status_badge("moving_away")}.</p>
<p>In the target year and later: {status_badge("met")} or {status_badge("not_met")}. A missing value is
{status_badge("no_data")} (never zero); a growth rate from a base ≤ 0 is {status_badge("not_assessable")}.
Comparisons at a threshold are inclusive with a relative tolerance of {esc(status.get("tolerance", 1e-9))}.</p>
<p><b>Totals:</b> ratios are ratios of sums over the zones that report both parts; doubling and growth compare like
with like (only zones with values in both the base year and year t). <b>Each:</b> the ALL status is met when every
assessed zone is met, otherwise the worst status among them; its value is the share of assessed zones met.
Coverage is the share of in-scope zones whose status is not no_data.</p>
<p><small>Method: Eurostat SDG progress assessment as implemented by Statistics Canada / Open SDG.</small></p>
</div>"""


def sources_html(data: ReportData) -> str:
    """Where the zone registry and the province-wide reference figures come from."""
    sources = sorted(set(data.registry["source"].dropna()))
    registry_items = "".join(f"<li>{esc(s)}</li>" for s in sources)
    reference = data.reference
    rows = ""
    if not reference.empty:
        near = reference[reference["year"].astype(int).between(data.year - 1, data.year)]
        rows = "".join(
            f"<tr><td>{esc(r.indicator)}</td><td>{esc(r.year)}</td><td class='num'>{esc(r.value)}</td>"
            f"<td>{esc(r.unit)}</td><td><small>{esc(r.source_url)}</small></td></tr>"
            for r in near.itertuples()
        )
    return (
        f'<div class="zt"><p><b>全省参考数据 Province-wide figures ({esc(data.year - 1)}–{esc(data.year)})</b>, '
        "for context (not zone totals):</p><table><tr><th>indicator</th><th>year</th><th>value</th><th>unit</th>"
        f"<th>source</th></tr>{rows}</table><p><b>高新区名录来源 Zone registry sources:</b></p><ul>{registry_items}</ul></div>"
    )


def figure_png(fig) -> str:
    """A figure as an inline PNG <img> (fixed dpi), closing the figure."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=plots.DPI, metadata={"Software": None})
    plt.close(fig)
    return f'<img alt="chart" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def required_path(base: float, rate: float, base_year: int, target_year: int) -> pd.DataFrame:
    """base·(1 + rate)^(t − b) from the base year to the target year."""
    years = np.arange(base_year, target_year + 1)
    return pd.DataFrame({"year": years, "value": base * (1.0 + rate) ** (years - base_year)})


def target_charts(data: ReportData) -> Iterator[tuple[str, object]]:
    """(heading, figure) for every target, one at a time: paths for totals, ranked zones for 'each' targets."""
    plan = data.params["plan"]
    b, t_end = int(plan["base_year"]), int(plan["target_year"])
    names = data.zone_names
    for target_id, spec in data.targets.items():
        heading = f"{target_id}: {spec.get('text_zh', '')}"
        if spec.get("scope") == "total":
            rows = data.scorecard[(data.scorecard["target_id"] == target_id) & (data.scorecard["zone_id"] == "ALL")]
            rows = rows[rows["year"] <= data.year].sort_values("year")
            latest = rows[rows["year"] == data.year].iloc[0]
            series = pd.concat([pd.DataFrame({"year": [b], "value": [latest["base_value"]]}), rows[["year", "value"]]])
            scale = 100.0 if spec.get("display") == "percent" else 1.0
            series["value"] = series["value"] * scale
            if spec.get("rule") in ("level", "multiple", "growth") and np.isfinite(latest["required_rate"]):
                series.attrs["required"] = required_path(
                    latest["base_value"] * scale, latest["required_rate"], b, t_end
                )
            series.attrs["target_value"] = latest["target_value"] * scale
            unit = UNITS.get(target_id, "个")
            yield heading, plots.path_chart(series, heading, unit, b, t_end)
        else:
            rows = data.card[(data.card["target_id"] == target_id) & (data.card["zone_id"] != "ALL")].copy()
            if spec.get("rule") == "growth":
                rows["metric"] = rows["actual_rate"] * 100
                threshold, label = float(spec["min_rate"]) * 100, f"年均增长 average growth since {b} (%)"
            else:
                rows["metric"] = rows["value"]
                threshold, label = float(spec["min"]), "数量 count"
            yield (
                heading,
                plots.zone_bars(rows, heading, label, threshold, names, whole_numbers=spec.get("rule") != "growth"),
            )


def charts_html(data: ReportData) -> str:
    """Every target's chart, inline."""
    return "".join(f'<div class="zt"><h3>{esc(h)}</h3>{figure_png(fig)}</div>' for h, fig in target_charts(data))
