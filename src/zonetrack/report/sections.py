"""Each section of a yearly report as HTML: the report's data, laid out by report/data.py and
charted by report/charts.py, through its template. The notebook calls these, one per cell."""

from __future__ import annotations

from zonetrack.report import charts, data, labels
from zonetrack.report.data import PlanReport
from zonetrack.report.html import css, render


def title(report: PlanReport, year: int) -> str:
    met, verdicts = data.met_share(report, year)
    return render(
        "title.html.j2",
        css=css(),
        year=year,
        other_years=[y for y in report.years if y != year],
        plan=report.plan,
        files=report.quality.get("files", []),
        values=report.quality.get("values"),
        fingerprint=report.fingerprint,
        reads_statistics=report.reads_statistics,
        region=report.plan.region,
        zones=len(report.registry),
        banner=data.banners(report),
        met=met,
        verdicts=verdicts,
    )


def headline(report: PlanReport, year: int) -> str:
    return render("headline.html.j2", rows=data.headline(report, year), min_coverage=report.run.status.min_coverage)


def heatmap(report: PlanReport, year: int) -> str:
    return render("heatmap.html.j2", heat=data.heatmap(report, year), year=year)


def targets(report: PlanReport, year: int) -> str:
    rows = {r["id"]: r for r in data.headline(report, year)}
    sections = []
    for target_id, target in report.plan.targets.items():
        if target_id not in rows:
            continue
        row = rows[target_id]
        total = getattr(target, "scope", "") == "total"
        sections.append(
            {
                "id": target_id,
                "target": target,
                "status": row["status"],
                "value": row["value"],
                "threshold": row["threshold"][0],
                "coverage": row["coverage"],
                "chart": charts.target_chart(report, year, target_id),
                "contribution_chart": charts.contribution_chart(report, year, target_id) if total else None,
                "whatif": data.what_it_would_take(report, year, target_id),
            }
        )
    return render("targets.html.j2", targets=sections, plan=report.plan)


def zones(report: PlanReport, year: int) -> str:
    return render("zones.html.j2", zones=data.zone_sections(report, year), plan=report.plan, year=year)


def quality(report: PlanReport, year: int) -> str:
    return render("quality.html.j2", q=data.quality(report, year), kinds=labels.group("warning"))


def method(report: PlanReport, year: int) -> str:
    return render("method.html.j2", plan=report.plan, status=report.run.status)


# What province_official.csv writes where a figure was seen in a search excerpt without an address.
UNCONFIRMED = "NO_URL_RETURNED"


def sources(report: PlanReport, year: int) -> str:
    reference = report.reference
    if not reference.empty:
        years = reference["year"].astype(int)
        reference = reference[years.between(report.plan.base_year, year)]
    return render(
        "sources.html.j2",
        plan=report.plan,
        reference=[
            {
                "indicator": labels.pair("reference", r.indicator),
                "year": r.year,
                "value": r.value,
                "unit": r.unit,
                "source": r.source_url,
                "unconfirmed": str(r.source_url).startswith(UNCONFIRMED),
                "seen": str(r.source_url).removeprefix(UNCONFIRMED).strip(" ()"),
            }
            for r in (reference.itertuples() if not reference.empty else [])
        ],
        registry_sources=sorted(set(report.registry["source"].dropna())),
    )
