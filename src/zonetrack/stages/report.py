"""The report stages: one plan's yearly reports (report@<plan>), the evaluation's pages
(evaluation_report), and the index of every plan (index)."""

from __future__ import annotations

from pathlib import Path

from zonetrack.io import atomic_outputs, write_text
from zonetrack.problems import log


def run_report(
    template: Path,
    processed: Path,
    outputs: Path,
    plan: Path,
    params: Path,
    raw: Path,
    out: Path,
    kernel: str,
    experiment: str,
    jobs: int,
) -> int:
    """reports/<plan>/: every assessed year's report (html, notebook, workbook, document) and the plan's
    page, from the plan's inputs (`processed`: panel.parquet, data_quality.json) and its assess outputs."""
    from zonetrack.report.render import ReportInputs, render_reports

    inputs = ReportInputs(template, processed, outputs, plan, params, raw, out / plan.stem, kernel, experiment)
    render_reports(inputs, jobs)
    return 0


def run_evaluation_report(template: Path, evaluation: Path, raw: Path, out: Path, kernel: str, jobs: int) -> int:
    """reports/evaluation/: each year's page, workbook and Word document."""
    from zonetrack.report.render import EvaluationInputs, render_evaluation

    render_evaluation(EvaluationInputs(template, evaluation, raw, out, kernel), jobs)
    return 0


def run_index(plans_dir: Path, processed: Path, out: Path) -> int:
    """reports/index.html (the plans' run.json carry what it needs of params.yaml)."""
    from zonetrack.report.index import index_html
    from zonetrack.report.publish import embed_cjk_font

    page = embed_cjk_font(index_html(plans_dir, processed))
    with atomic_outputs(out) as (temporary,):
        write_text(page, temporary)
    log(f"index: {out}")
    return 0
