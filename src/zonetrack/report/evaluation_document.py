"""The year's evaluation as a Word document a department can edit and issue (评价结果向社会公布):
title, the data's status, the method in brief, per class the ranking with intervals, tiers, the
published and like-for-like change and each zone's strengths and weaknesses, the rank chart, and the
notes on the data. Built from the same section data as the page (python-docx)."""

from __future__ import annotations

from zonetrack.report.document import add_chart, add_notice, add_table, new_document, saved
from zonetrack.report.evaluation_page import CLASSES, EvaluationReport, class_section, rests_on

ILLUSTRATIVE_DATA = (
    "示例数据：分园区数据为示例，排名不代表任何真实园区。Illustrative data: these ranks rank nothing real."
)
ILLUSTRATIVE_WEIGHTS = "示例权重：五个维度沿用省级评价，指标与权重为示例。Illustrative weights."
HEADERS = ["排名", "梯队", "高新区", "指数", "名次区间", "变化（公布/同口径）", "优势", "短板"]
WIDTHS_CM = [1.2, 1.2, 4.2, 1.6, 1.8, 2.6, 6.9, 6.9]  # A4 landscape, 1.5 cm margins: 26.7 cm of text


def document(report: EvaluationReport) -> bytes:
    """The .docx of a year's evaluation, the same bytes for the same results."""
    doc = new_document(f"{report.year}年高新区创新驱动发展绩效评价", landscape=True)
    doc.add_heading(f"{report.year}年高新区创新驱动发展绩效评价", level=0)
    doc.add_paragraph(f"Performance evaluation of the high-tech zones, {report.year}")
    if report.audit.get("illustrative_data"):
        add_notice(doc, ILLUSTRATIVE_DATA)
    if any(f["weights"] == "illustrative" for f in report.audit["frameworks"].values()):
        add_notice(doc, ILLUSTRATIVE_WEIGHTS)
    settings = report.audit["settings"]
    doc.add_heading("评价方法", level=1)
    doc.add_paragraph(
        f"按国家级、省级高新区分类评价。指标经异常值处理（{settings['treatment']}）、标准化（{settings['normalisation']}）"
        f"后按维度权重{'' if settings['weighting'] == 'given' else '（等权）'}"
        f"以{settings['aggregation']}方式加总为综合指数，"
        "名次1为最优。名次区间：用多种同样合理的方法重算排名，该园区九成结果所在的名次范围；区间重叠的园区不能说谁确定在前。"
        "梯队只在名次区间互不重叠处划分。同口径变化只用两年都有数据的指标、在两年都参评的园区中比较。"
        f"一个园区至少{settings['min_share']:.0%}的指标、每个维度至少{settings['min_dimension_share']:.0%}的指标有数据才参与排名。"
        f"一类园区至少{settings.get('min_dimensions_with_data', 0.8):.0%}的维度有数据、"
        f"至少{settings.get('min_zones_ranked', 0.6):.0%}的园区参评，才发布该类排名及名次变化。"
    )
    for zone_class in CLASSES:
        section = class_section(report, zone_class)
        basis = rests_on(report, zone_class)
        if section is None:
            if basis is not None:  # evaluated, not published: say why
                doc.add_heading(f"{basis['label'][0]}（{basis['label'][1]}）", level=1)
                add_notice(doc, basis["text"])
            continue
        doc.add_heading(f"{section['label'][0]}（{section['label'][1]}）", level=1)
        if basis is not None:
            add_notice(doc, basis["text"])
        tiers = section["boundaries"]
        doc.add_paragraph(
            f"梯队划分：第 {'、'.join(map(str, tiers))} 名之后。" if tiers else "各园区名次区间相互重叠，未划分梯队。"
        )
        rows = []
        for r in section["table"]:
            change = r["change"] + (f" / {r['change_lfl']}" if r["change_lfl"] else "")
            zone = r["zone"] + (
                f"（⚑ {r['split_by']}：算术 {r['rank_arithmetic']} / 几何 {r['rank_geometric']}）" if r["split"] else ""
            )
            rows.append(
                [str(r["rank"]), r["tier"], zone, r["index"], r["interval"], change, r["strengths"], r["weaknesses"]]
            )
        add_table(doc, HEADERS, rows, WIDTHS_CM)
        add_chart(doc, section["plot"], 16.0, 17.0)
        if section["notes"]:
            doc.add_heading("数据说明", level=2)
            for note in section["notes"]:
                zone = note.get("zone_id")
                prefix = f"{report.names.get(zone, zone)}：" if zone else ""
                doc.add_paragraph(prefix + note["note"], style="List Bullet")
    return saved(doc)
