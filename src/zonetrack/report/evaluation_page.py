"""The published evaluation page of a year (评价结果向社会公布): per class, the ranks with their
intervals, a rank plot, each zone's dimension profile, the sensitivity of the ranks, the audit, and
the method and the data's status. Loaded once per year; every section through its template."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from zonetrack.io import stable_xlsx
from zonetrack.registry import load_registry, short_names
from zonetrack.report import plots
from zonetrack.report.html import by_name, css, render, sentence
from zonetrack.report.labels import both, pair

FACTORS = ("treatment", "normalisation", "aggregation")  # the method's discrete choices
CLASSES = ("national", "provincial")


@dataclass
class EvaluationReport:
    """A year's evaluation: results, sensitivity, audit and the settings and frameworks it used."""

    year: int
    results: pd.DataFrame
    sensitivity: pd.DataFrame
    audit: dict
    names: dict[str, str]
    years: list[int]
    indicator_names: dict[str, str] = field(default_factory=dict)  # the dictionary's Chinese names


def load_evaluation(year: int, evaluation_dir: Path, raw: Path) -> EvaluationReport:
    results = pd.read_csv(evaluation_dir / "evaluation.csv", dtype={"zone_id": str, "class": str, "missing": str})
    sensitivity = pd.read_csv(evaluation_dir / "sensitivity.csv", dtype={"class": str, "factor": str})
    audit = json.loads((evaluation_dir / "audit.json").read_text(encoding="utf-8"))
    from zonetrack.indicators import chinese_names, load_dictionary

    registry = load_registry(raw / "zones.csv")
    names = short_names(registry)
    dictionary = load_dictionary(raw / "indicators.csv")
    years = [y for y in evaluated_years(audit, results) if y <= year]
    return EvaluationReport(
        year,
        results[results["year"] == year].reset_index(drop=True),
        sensitivity[sensitivity["year"] == year].reset_index(drop=True),
        up_to(audit, year),
        names,
        years,
        chinese_names(dictionary),
    )


def up_to(audit: dict, year: int) -> dict:
    """audit.json as a year's page reads it: the class-years and notes of that year and before. A
    year's page thus holds nothing a later year changes, and a new year leaves it byte-identical."""

    def early(key: str) -> bool:
        return int(key.split("/")[0]) <= year

    return audit | {
        "audits": {k: v for k, v in audit.get("audits", {}).items() if early(k)},
        "coverage": {k: v for k, v in audit.get("coverage", {}).items() if early(k)},
        "notes": [n for n in audit.get("notes", []) if n["year"] <= year],
    }


def evaluated_years(audit: dict, results: pd.DataFrame) -> list[int]:
    """Every year evaluated, a ranking published or not (audit.json's coverage), with the results' years."""
    years = {int(key.split("/")[0]) for key in audit.get("coverage", {})}
    return sorted(years | {int(y) for y in results["year"].unique()})


def rests_on(report: EvaluationReport, zone_class: str) -> dict | None:
    """What a class's ranking in the year rests on (dimensions with data, zones ranked of the class's),
    or why none is published; None where the class was not evaluated that year."""
    coverage = report.audit.get("coverage", {}).get(f"{report.year}/{zone_class}")
    if coverage is None:
        return None
    framework = report.audit["frameworks"].get(zone_class, {"dimensions": {}})
    with_data = coverage["dimensions_with_data"]
    if coverage["published"]:
        text = sentence(
            "rests_on",
            with_data=len(with_data),
            dimensions=coverage["dimensions"],
            names="、".join(_dimension_name(framework, d) for d in with_data),
            ranked=coverage["zones_ranked"],
            zones=coverage["zones"],
        )
    else:
        empty = [d for d in framework["dimensions"] if d not in with_data]
        text = sentence(
            "not_published",
            reason=coverage.get("reason", ""),
            with_data=len(with_data),
            dimensions=coverage["dimensions"],
            empty="、".join(_dimension_name(framework, d) for d in empty),
            ranked=coverage["zones_ranked"],
            zones=coverage["zones"],
            needed=coverage.get("zones_needed"),
        )
    return {"published": coverage["published"], "label": pair("class", zone_class), "id": zone_class, "text": text}


def definition(indicator: dict, names: dict[str, str]) -> str:
    """What an indicator of a framework measures, in the words of the dictionary (or its own)."""
    if indicator.get("definition"):
        return indicator["definition"]
    scale = indicator.get("scale", 1.0)
    times = f" × {scale:g}" if scale != 1 else ""
    if indicator.get("ratio"):
        numerator, denominator = (names.get(n, n) for n in indicator["ratio"])
        return f"{numerator} ÷ {denominator}{times}"
    if indicator.get("growth"):
        return f"{names.get(indicator['growth'], indicator['growth'])}比上年增长（%）"
    if indicator.get("increment"):
        return f"{names.get(indicator['increment'], indicator['increment'])}比上年增加量{times}"
    return f"{names.get(indicator['indicator'], indicator['indicator'])}{times}"


def rank_plot(rows: pd.DataFrame, names: dict[str, str], title: str) -> str:
    """Zones by rank: the nominal rank (dot), the median (diamond) and the 5-95 % interval (bar)."""
    rows = rows.sort_values("rank", ascending=False)
    height = max(2.8, 0.26 * len(rows) + 1.7)
    fig, ax = plots.figure((7.5, height))
    y = np.arange(len(rows))
    ax.hlines(
        y, rows["rank_p05"], rows["rank_p95"], color=plots.PALETTE["interval"], linewidth=5, label="5-95% 区间 interval"
    )
    ax.plot(rows["rank_median"], y, "D", color=plots.PALETTE["projection"], markersize=4, label="中位 median")
    ax.plot(rows["rank"], y, "o", color=plots.PALETTE["actual"], markersize=5, label="名义排名 nominal")
    ax.set_yticks(y, [names.get(z, z) for z in rows["zone_id"]])
    ax.set_xlim(0.5, len(rows) + 0.5)
    ax.invert_xaxis()
    ax.set_xlabel("排名 rank (1 = 最佳 best)")
    ax.set_title(plots.wrap(title), fontsize=11)
    ax.tick_params(axis="y", labelsize=8)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.9 / height), ncol=3, frameon=False)
    fig.subplots_adjust(left=0.25, right=0.97, bottom=1.25 / height, top=1 - 0.5 / height)
    return plots.png(fig)


def _colour(score: float) -> str:
    if score is None or not np.isfinite(score):
        return "#ffffff"
    shade = int(255 - 140 * min(max(score, 0.0), 100.0) / 100)
    return f"#{shade:02x}{min(255, shade + 40):02x}ff"


def _change(value: float) -> str:
    if pd.isna(value):
        return ""
    return f"▲{value:.0f}" if value > 0 else (f"▼{-value:.0f}" if value < 0 else "=")


def _number(value: float, form: str) -> str:
    return "" if pd.isna(value) else form.format(value)


def _text(value: object) -> str:
    return "" if pd.isna(value) else str(value)


def _names(ids: object, names: dict[str, str], separator: str = "|") -> str:
    return "、".join(names.get(i, i) for i in _text(ids).split(separator) if i)


def _dimension_name(framework: dict, factor: str) -> str:
    return framework["dimensions"].get(factor.split(":", 1)[-1], {}).get("name_zh", factor)


def class_section(report: EvaluationReport, zone_class: str) -> dict | None:
    rows = report.results[report.results["class"] == zone_class].sort_values("rank")
    if rows.empty:
        return None
    framework = report.audit["frameworks"][zone_class]
    # The framework's order of dimensions is that of the result's columns (audit.json sorts its keys).
    dims = [c for c in report.results.columns if c in framework["dimensions"]]
    audit = report.audit["audits"].get(f"{report.year}/{zone_class}", {})
    indicator_names = {i: x["name_zh"] for d in framework["dimensions"].values() for i, x in d["indicators"].items()}
    dimension_names = {d: x["name_zh"] for d, x in framework["dimensions"].items()}
    normalisation = report.audit["settings"]["normalisation"]
    profile_scale = normalisation in ("minmax", "rank", "distance_to_best")
    table = [
        {
            "rank": int(r.rank),
            "zone": report.names.get(r.zone_id, r.zone_id),
            "id": r.zone_id,
            "index": f"{r.index:.2f}",
            "median": f"{r.rank_median:.0f}",
            "interval": f"{r.rank_p05:.0f}–{r.rank_p95:.0f}",
            "change": _change(r.rank_change),
            "change_lfl": _change(getattr(r, "rank_change_lfl", np.nan)),
            "tier": _text(getattr(r, "tier", "")),
            "split": bool(getattr(r, "split", False)),
            "split_by": _names(getattr(r, "split_by", ""), {k: pair("factor", k)[0] for k in FACTORS}),
            "rank_arithmetic": _text(getattr(r, "rank_arithmetic", "")).removesuffix(".0"),
            "rank_geometric": _text(getattr(r, "rank_geometric", "")).removesuffix(".0"),
            "strengths": _names(getattr(r, "strengths", ""), indicator_names),
            "weaknesses": _names(getattr(r, "weaknesses", ""), indicator_names),
            "thin": _names(getattr(r, "thin_dimensions", ""), dimension_names),
            "comparable": _number(getattr(r, "index_comparable", np.nan), "{:.1f}"),
            "growth": _number(getattr(r, "index_growth", np.nan), "{:+.1%}"),
            "dims": [
                {
                    "value": "—" if pd.isna(getattr(r, d)) else f"{getattr(r, d):.1f}",
                    "colour": _colour(getattr(r, d)) if profile_scale else "#ffffff",
                }
                for d in dims
            ],
            # The indicators without a value ("; "-separated ids in the results), by their names.
            "missing": _names(r.missing, indicator_names, "; "),
        }
        for r in rows.itertuples()
    ]
    sens = report.sensitivity[report.sensitivity["class"] == zone_class]
    sensitivity = [
        {
            "factor": both("factor", s.factor)
            if s.factor in FACTORS
            else f"权重 weight of {_dimension_name(framework, s.factor)}",
            # A variance share is never negative; an estimate below 0 is 0 within its interval.
            "S1": f"{max(s.S1, 0.0):.2f} ± {s.S1_conf:.2f}",
            "ST": f"{max(s.ST, 0.0):.2f} ± {s.ST_conf:.2f}",
            "share": float(s.ST),
        }
        for s in sens.sort_values("ST", ascending=False).itertuples()
    ]
    label = pair("class", zone_class)
    tiers = [t for t in dict.fromkeys(r["tier"] for r in table) if t]
    # Where a tier ends: the last rank of each tier but the last.
    boundaries = [max(r["rank"] for r in table if r["tier"] == t) for t in tiers[:-1]]
    correlations = audit.get("correlations", {})
    indicators = list(correlations)
    return {
        "id": zone_class,
        "label": label,
        "rests_on": rests_on(report, zone_class),
        "framework": framework,
        "dims": [(d, framework["dimensions"][d]) for d in dims],
        "table": table,
        "indicator_table": [
            {
                "dimension": dimension_names[d],
                "name_zh": x["name_zh"],
                "name_en": x["name_en"],
                "definition": definition(x, report.indicator_names),
                "unit": x.get("unit", ""),
                "direction": "越高越好 higher is better"
                if x.get("direction", "higher") == "higher"
                else "越低越好 lower is better",
                "weight": x["weight"],
                "source": x.get("source") or "园区统计 the zones' statistics (data/raw/stats)",
            }
            for d in dims
            for x in framework["dimensions"][d]["indicators"].values()
        ],
        "comparable_from": report.audit["settings"].get("comparable_from"),
        "tiers": tiers,
        "boundaries": boundaries,
        "tier_limit": framework.get("tiers", 3),
        "plot": rank_plot(rows, report.names, f"{report.year} {label[0]} 排名及其不确定性 ranks and their uncertainty"),
        "sensitivity": sensitivity,
        "replications": int(sens["replications"].iloc[0]) if len(sens) else 0,
        "alpha": audit.get("alpha", {}),
        "first_component_share": audit.get("first_component_share"),
        # Each flag, indicator and winsorised column by its name, never its id.
        "flags": [
            (
                *pair("flag", f["kind"]),
                f
                | {
                    "dimension": dimension_names.get(f["dimension"], f["dimension"]),
                    "indicators": [indicator_names.get(i, i) for i in f["indicators"]],
                },
            )
            for f in audit.get("flags", [])
        ],
        "indicators": [indicator_names.get(i, i) for i in indicators],
        "correlations": [[correlations[a].get(b) for b in indicators] for a in indicators],
        "treated": {indicator_names.get(k, k): v for k, v in audit.get("treated", {}).items() if v},
        # A note names its indicators by their ids (it is written for data/processed/evaluation/audit.json).
        "notes": [
            n | {"note": by_name(n["note"], indicator_names)}
            for n in report.audit["notes"]
            if n["year"] == report.year and n["class"] == zone_class
        ],
    }


def page(report: EvaluationReport) -> str:
    """The whole page of a year."""
    sections = [s for s in (class_section(report, c) for c in CLASSES) if s]
    unpublished = [r for r in (rests_on(report, c) for c in CLASSES) if r and not r["published"]]
    return render(
        "evaluation.html.j2",
        css=css(),
        year=report.year,
        years=report.years,
        sections=sections,
        unpublished=unpublished,
        settings=report.audit["settings"],
        illustrative_data=report.audit.get("illustrative_data", False),
        illustrative_weights=any(f["weights"] == "illustrative" for f in report.audit["frameworks"].values()),
        names=report.names,
        corr_colour=lambda r: (
            "#ffffff" if r is None else ("#f4a6a6" if r < -0.3 else ("#a6d8f4" if r > 0.7 else "#ffffff"))
        ),
    )


# Number formats of the workbook's columns (a dimension's score and points as the index).
_FORMATS = {
    "index": "0.00",
    "rank": "0",
    "rank_change": "+0;-0;0",
    "rank_change_lfl": "+0;-0;0",
    "rank_median": "0",
    "rank_p05": "0",
    "rank_p95": "0",
    "rank_arithmetic": "0",
    "rank_geometric": "0",
    "indicators_missing": "0",
    "points": "0.00",
    "index_comparable": "0.00",
    "index_growth": "0.0%",
    "S1": "0.000",
    "S1_conf": "0.000",
    "ST": "0.000",
    "ST_conf": "0.000",
    "replications": "#,##0",
}


def _write(sheet, frame: pd.DataFrame, headers: list[str], formats: dict[str, str]) -> None:
    """A sheet of the evaluation: excel.write_frame with each column's number format."""
    from zonetrack.report.excel import write_frame

    def number_format(row, name, value):
        return formats.get(name) if isinstance(value, (int, float)) else None

    write_frame(sheet, frame, headers, number_format, widths=(8, 30))


def workbook(report: EvaluationReport) -> bytes:
    """The year's ranking as a workbook: one sheet per class (headers in Chinese over their ids,
    dimensions by their names, indicators and dimensions named in Chinese, numbers formatted), and
    the sensitivity indices."""
    from openpyxl import Workbook

    from zonetrack.report.excel import header

    book = Workbook()
    book.remove(book.active)
    for zone_class in CLASSES:
        rows = report.results[report.results["class"] == zone_class].sort_values("rank")
        if rows.empty:
            continue
        framework = report.audit["frameworks"][zone_class]
        dims = {d: x["name_zh"] for d, x in framework["dimensions"].items()}
        indicators = {i: x["name_zh"] for d in framework["dimensions"].values() for i, x in d["indicators"].items()}
        sheet = book.create_sheet(f"{zone_class} {pair('class', zone_class)[0]}")
        frame = rows.drop(columns=["year", "class"]).copy()
        frame.insert(1, "zone_name", [report.names.get(z, z) for z in frame["zone_id"]])
        for column, names in (
            ("strengths", indicators),
            ("weaknesses", indicators),
            ("strength_dimension", dims),
            ("weakness_dimension", dims),
            ("thin_dimensions", dims),
            ("split_by", {k: pair("factor", k)[0] for k in FACTORS}),
        ):
            if column in frame:
                frame[column] = [_names(v, names) for v in frame[column]]
        if "missing" in frame:
            frame["missing"] = [
                "、".join(indicators.get(i, i) for i in _text(v).split("; ") if i) for v in frame["missing"]
            ]
        headers = []
        for column in frame.columns:
            dimension = column.removeprefix("points_")
            if dimension in dims:
                headers.append(f"{dims[dimension]}{'得分' if column != dimension else ''}\n{column}")
            else:
                headers.append(header(column))
        formats = _FORMATS | {d: "0.00" for d in dims} | {f"points_{d}": "0.00" for d in dims}
        _write(sheet, frame, headers, formats)
        sheet.freeze_panes = "C2"
    sheet = book.create_sheet("sensitivity 敏感性")
    sensitivity = report.sensitivity.copy()
    dimension_names = {d: x["name_zh"] for f in report.audit["frameworks"].values() for d, x in f["dimensions"].items()}
    sensitivity["factor"] = [
        pair("factor", f)[0] if f in FACTORS else f"权重：{dimension_names.get(f.split(':', 1)[-1], f)}"
        for f in sensitivity["factor"]
    ]
    sensitivity["class"] = [pair("class", c)[0] for c in sensitivity["class"]]
    # A variance share is never negative: an estimate below 0 is 0 within its interval (as on the page).
    sensitivity["S1"], sensitivity["ST"] = sensitivity["S1"].clip(lower=0.0), sensitivity["ST"].clip(lower=0.0)
    _write(sheet, sensitivity, [header(c) for c in sensitivity.columns], _FORMATS)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return stable_xlsx(buffer.getvalue())
