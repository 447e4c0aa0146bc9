"""A year's assessment of a plan as a Word document a department can edit and issue
(reports/<plan>/<year>/assessment.docx): the title and what the verdicts rest on, the illustrative-data
and scenario notices where they apply, the headline table, each target's verdict with what it would
take and its chart, the zones not meeting it, and the data notes. Built from the same report data as
the page, with the same sentences (python-docx)."""

from __future__ import annotations

from zonetrack.report import charts, data
from zonetrack.report import formatting as fmt
from zonetrack.report.data import PlanReport
from zonetrack.report.document import add_chart, add_notice, add_table, new_document, saved
from zonetrack.report.html import sentence
from zonetrack.report.labels import both

HEADLINE = ["目标 Target", "数值 Value", "目标值 Target value", "状态 Status", "覆盖 Coverage", "差距 Gap"]
HEADLINE_CM = [4.2, 3.2, 3.0, 2.6, 2.4, 2.6]  # A4 portrait, 1.5 cm margins: 18 cm; "Coverage" whole in 2.4
WHATIF_CM = [4.0, 14.0]
ZONES_CM = [6.0, 12.0]
NOTES_SHOWN = 30  # data notes listed per kind; the rest are counted, and all are in data_quality.json


def document(report: PlanReport, year: int, drawn: dict[str, str | None] | None = None) -> bytes:
    """The .docx of a plan's year, the same bytes for the same outputs; each target's chart from
    `drawn` (charts.draw_backwards) when given, else through the chart cache."""
    plan = report.plan
    title = f"{year}年 {plan.name_zh} 目标评估"
    doc = new_document(title)
    doc.add_heading(title, level=0)
    doc.add_paragraph(f"Assessment of {plan.name_en}, {year}")
    met, verdicts = data.met_share(report, year)
    doc.add_paragraph(
        sentence(
            "assessment_basis",
            verdicts=verdicts,
            met=met,
            region=plan.region,
            zones=len(report.registry),
            base_year=plan.base_year,
            target_year=plan.target_year,
            fingerprint=report.fingerprint,
        )
    )
    banners = data.banners(report)
    if banners["illustrative"]:
        add_notice(doc, sentence("illustrative_data", share=f"{banners['illustrative_share']:.0%}"))
    if banners["changes"]:
        changes = "; ".join(f"{c['setting']}: {c['plan']} → {c['run']}" for c in banners["changes"])
        add_notice(doc, f"情景 Scenario{' ' + banners['experiment'] if banners['experiment'] else ''}: {changes}")
    rows = data.headline(report, year)
    doc.add_heading("总览 Headline", level=1)
    add_table(
        doc,
        HEADLINE,
        [
            [
                f"{r['target'].name_zh}{'（情景）' if r['changed'] else ''}",
                r["value"],
                f"{r['target_value']}\n{r['threshold'][0]}",
                fmt.status_label(r["status"]),
                r["coverage"],
                r["gap"],
            ]
            for r in rows
        ],
        HEADLINE_CM,
    )
    doc.add_heading("各项目标 Targets: what it would take", level=1)
    for r in rows:
        target = r["target"]
        doc.add_heading(f"{target.name_zh} {target.name_en}", level=2)
        doc.add_paragraph(f"{target.text_zh}\n{target.text_en}")
        verdict = fmt.status_label(r["status"])
        add_notice(doc, f"{verdict}: value {r['value']}, target {r['threshold'][0]}; coverage {r['coverage']}")
        chart = drawn[r["id"]] if drawn is not None else charts.target_chart(report, year, r["id"])
        if chart:
            add_chart(doc, chart, 16.0, 9.0)
        whatif = data.what_it_would_take(report, year, r["id"])
        if whatif["lines"]:
            add_table(doc, [], [list(line) for line in whatif["lines"]], WHATIF_CM, header=False)
        if whatif["behind"]:
            doc.add_paragraph().add_run("未达标的园区 Zones not yet meeting it (largest gaps first)").bold = True
            add_table(doc, ["高新区 Zone", "差距 Gap"], [[z["zone"], z["gap"]] for z in whatif["behind"]], ZONES_CM)
        if whatif["contributors"]:
            doc.add_paragraph().add_run("谁拖了后腿 Zones holding the total back (their part of the gap)").bold = True
            add_table(
                doc,
                ["高新区 Zone", "差距中的份额 Part of the gap"],
                [[z["zone"], f"{z['part']} ({z['share']})"] for z in whatif["contributors"]],
                ZONES_CM,
            )
    quality = data.quality(report, year)
    doc.add_heading("数据说明 Data notes", level=1)
    coverage = [
        f"{row['name']}: "
        + ", ".join(f"{y} {fmt.number(c, share=True) if c is not None else '—'}" for y, c in row["coverage"].items())
        for row in quality["rows"]
    ]
    doc.add_paragraph("数据覆盖率 Coverage of the indicators the plan reads: " + "; ".join(coverage))
    for kind, messages in quality["groups"]:
        doc.add_heading(both("warning", kind), level=2)
        for message in messages[:NOTES_SHOWN]:
            doc.add_paragraph(message, style="List Bullet")
        if len(messages) > NOTES_SHOWN:
            doc.add_paragraph(f"… {len(messages) - NOTES_SHOWN} more (data/processed/data_quality.json)")
    return saved(doc)
