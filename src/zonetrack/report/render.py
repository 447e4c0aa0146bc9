"""The report stage of one plan: each year's notebook executed by papermill and published, years in
parallel (DVC runs one stage at a time, so the parallelism lives inside the stage), and the plan's
page. Everything is written into a staging folder that replaces reports/<plan>/ in one commit."""

from __future__ import annotations

import os
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from zonetrack.io import atomic_outputs, write_text
from zonetrack.problems import log
from zonetrack.report.publish import embed_shared_cjk_font

EXECUTED_NAME = ".assessment.executed.ipynb"


@dataclass(frozen=True)
class ReportInputs:
    """Where the report stage of one plan reads from and writes to."""

    template: Path
    processed: Path
    plan_processed: Path
    plan_file: Path
    params_file: Path
    raw: Path
    out: Path
    kernel: str = "python3"
    experiment: str = ""


IOPUB_TIMEOUT = 120  # seconds to wait for a cell's outputs once it has returned


def run_notebook(template: Path, executed: Path, parameters: dict, kernel: str, kept: Path, what: str) -> Path:
    """Execute a template with explicit parameters and kernel into `executed`. A failing notebook
    is moved to `kept` (the staging folder goes when the stage fails) and the stage stops with its
    cell, error and that path."""
    import papermill

    try:
        papermill.execute_notebook(
            str(template),
            str(executed),
            parameters=parameters,
            kernel_name=kernel,
            cwd=os.getcwd(),
            progress_bar=False,
            # One write at the end (or at the failing cell), not one per cell of a page of charts.
            request_save_on_cell_execute=False,
            # The kernel's own log (a transport notice at start, an interrupt at shutdown) is noise for
            # the analyst; errors in the notebook still fail the stage through papermill.
            extra_arguments=["--log-level=CRITICAL"],
            # Every output is collected when the last cell returns, and a report notebook writes no
            # file (it presents); a graceful exit would spend ~0.4 s unloading pandas and matplotlib.
            shutdown_kernel="immediate",
            # After a cell returns, nbclient waits iopub_timeout (4 s by default) for its outputs and
            # then moves on without them, silently: on a loaded machine a page lost a section that
            # way. Wait long, and fail the stage rather than publish a page with an output missing.
            iopub_timeout=IOPUB_TIMEOUT,
            raise_on_iopub_timeout=True,
        )
    except papermill.PapermillExecutionError as error:
        kept.parent.mkdir(parents=True, exist_ok=True)
        os.replace(executed, kept)
        raise RuntimeError(
            f"{what}: the notebook failed in cell {error.exec_count}: {error.ename}: {error.evalue} "
            f"(the executed notebook, with the traceback, is {kept})"
        ) from None
    return executed


def execute_year(year: int, inputs: ReportInputs, folder: Path) -> Path:
    """Run the template for one year with explicit parameters and kernel; return the executed notebook."""
    folder.mkdir(parents=True, exist_ok=True)
    parameters = {
        "year": year,
        "plan_file": str(inputs.plan_file),
        "params_file": str(inputs.params_file),
        "plan_dir": str(inputs.plan_processed),
        "processed_dir": str(inputs.processed),
        "raw_dir": str(inputs.raw),
        "experiment": inputs.experiment,
    }
    kept = failed_notebook(inputs, year)
    return run_notebook(inputs.template, folder / EXECUTED_NAME, parameters, inputs.kernel, kept, f"report {year}")


def failed_notebook(inputs: ReportInputs, year: int) -> Path:
    """Where a year's failed notebook is kept for diagnosis (removed by the next successful run)."""
    return inputs.out.parent / f"{inputs.out.name}.failed-{year}.ipynb"


def evaluated_years(evaluation: Path) -> list[int]:
    """Every year the evaluation covers, a ranking published or not (a year without one gets its page,
    saying why)."""
    import json

    import pandas as pd

    from zonetrack.report.evaluation_page import evaluated_years as of_audit

    audit = json.loads((evaluation / "audit.json").read_text(encoding="utf-8"))
    results = pd.read_csv(evaluation / "evaluation.csv", usecols=["year"])
    return of_audit(audit, results)


def years_in(table: Path) -> list[int]:
    """The years of a stage's table (scorecard.csv, evaluation.csv): the years its reports render."""
    import pandas as pd

    return sorted(int(y) for y in pd.read_csv(table, usecols=["year"])["year"].unique())


@cache
def plan_report(inputs: ReportInputs):
    """The plan's report data, loaded once per process of the stage (its pages and workbooks all read
    the same inputs; the notebook's kernel loads its own copy)."""
    from zonetrack.report.data import load_plan_report

    return load_plan_report(
        inputs.plan_file, inputs.params_file, inputs.plan_processed, inputs.processed, inputs.raw, inputs.experiment
    )


def publish_year(year: int, executed: Path, inputs: ReportInputs, folder: Path) -> Path:
    """Executed notebook → stable assessment.ipynb, assessment.html without code, scorecard.xlsx,
    assessment.docx (its charts read from the chart cache the notebook's kernel filled)."""
    import nbformat

    from zonetrack.report import assessment_document, excel, publish

    # load
    notebook = nbformat.read(executed, as_version=4)
    report = plan_report(inputs)
    # process
    notebook = publish.strip_volatile(notebook)
    page = publish.notebook_html(notebook, f"{year} {report.plan.name_zh}")
    workbook = excel.workbook(report, year)
    document = assessment_document.document(report, year)
    # save (into the staging folder; the stage commits the folder as a whole)
    nbformat.write(notebook, folder / "assessment.ipynb")
    write_text(page, folder / "assessment.html")
    (folder / "scorecard.xlsx").write_bytes(workbook)
    (folder / "assessment.docx").write_bytes(document)
    executed.unlink(missing_ok=True)
    return folder / "assessment.html"


def plan_page(inputs: ReportInputs, folder: Path) -> Path:
    """reports/<plan>/index.html: the plan, its years, and every target's status across them."""
    from zonetrack.report import plots
    from zonetrack.report.index import plan_html

    report = plan_report(inputs)
    plots.theme()
    path = folder / "index.html"
    write_text(plan_html(report), path)
    return path


def render_reports(inputs: ReportInputs, jobs: int) -> list[int]:
    """Execute and publish every year of the plan's scorecard, at most `jobs` tasks at a time, and the
    plan's page, then embed one cut of the CJK font in all of them; replace reports/<plan>/ with the
    result only when all of it succeeded.

    Each year is two tasks (execute, then publish), so three years keep two cores busy: the third
    notebook runs while the first two are being published.
    """
    started = time.perf_counter()
    plan_report.cache_clear()  # a run reads the files as they are now, never an earlier run's copy
    years = years_in(inputs.plan_processed / "scorecard.csv")
    with atomic_outputs(inputs.out, folders=True) as (staging,):
        if jobs <= 1:
            plan_page(inputs, staging)
            for year in years:
                folder = staging / str(year)
                publish_year(year, execute_year(year, inputs, folder), inputs, folder)
                log(f"report {year}: {inputs.out / str(year) / 'assessment.html'}")
        else:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                pending: dict[Future, tuple[str, int]] = {pool.submit(plan_page, inputs, staging): ("plan", 0)}
                pending |= {
                    pool.submit(execute_year, year, inputs, staging / str(year)): ("execute", year) for year in years
                }
                while pending:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        task, year = pending.pop(future)
                        result = future.result()  # re-raises a task's error here
                        if task == "execute":
                            folder = staging / str(year)
                            pending[pool.submit(publish_year, year, result, inputs, folder)] = ("publish", year)
                        elif task == "publish":
                            log(f"report {year}: {inputs.out / str(year) / 'assessment.html'}")
        embed_shared_cjk_font([staging / "index.html", *(staging / str(year) / "assessment.html" for year in years)])
    for year in years:
        failed_notebook(inputs, year).unlink(missing_ok=True)
    from zonetrack import cache

    cache.prune()
    log(
        f"reports of {inputs.plan_file.stem} for {', '.join(map(str, years)) or 'no year'} in {inputs.out} "
        f"({time.perf_counter() - started:.1f} s, {jobs} job(s))"
    )
    return years


@dataclass(frozen=True)
class EvaluationInputs:
    """Where the evaluation's report stage reads from and writes to."""

    template: Path
    evaluation: Path
    raw: Path
    out: Path
    kernel: str = "python3"


def _execute_evaluation(year: int, inputs: EvaluationInputs, folder: Path) -> Path:
    parameters = {"year": year, "evaluation_dir": str(inputs.evaluation), "raw_dir": str(inputs.raw)}
    kept = inputs.out.parent / f"{inputs.out.name}.failed-{year}.ipynb"
    executed = folder / f".{year}.executed.ipynb"
    return run_notebook(inputs.template, executed, parameters, inputs.kernel, kept, f"evaluation {year}")


def _publish_evaluation(year: int, executed: Path, inputs: EvaluationInputs, folder: Path) -> Path:
    import nbformat

    from zonetrack.report import evaluation_document, evaluation_page, publish

    notebook = publish.strip_volatile(nbformat.read(executed, as_version=4))
    report = evaluation_page.load_evaluation(year, inputs.evaluation, inputs.raw)
    nbformat.write(notebook, folder / f"{year}.ipynb")
    write_text(publish.notebook_html(notebook, f"{year} 高新区绩效评价"), folder / f"{year}.html")
    (folder / f"{year}.xlsx").write_bytes(evaluation_page.workbook(report))
    (folder / f"{year}.docx").write_bytes(evaluation_document.document(report))
    executed.unlink(missing_ok=True)
    return folder / f"{year}.html"


def _run_and_publish(year: int, inputs: EvaluationInputs, folder: Path) -> Path:
    return _publish_evaluation(year, _execute_evaluation(year, inputs, folder), inputs, folder)


def render_evaluation(inputs: EvaluationInputs, jobs: int) -> list[int]:
    """reports/evaluation/<year>.html (and .ipynb, .xlsx) for every year evaluated, replaced as a whole."""
    started = time.perf_counter()
    years = evaluated_years(inputs.evaluation)
    with atomic_outputs(inputs.out, folders=True) as (staging,):
        if jobs <= 1:
            for year in years:
                _run_and_publish(year, inputs, staging)
        else:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                for future in [pool.submit(_run_and_publish, year, inputs, staging) for year in years]:
                    future.result()
        embed_shared_cjk_font([staging / f"{year}.html" for year in years])
    for year in years:
        (inputs.out.parent / f"{inputs.out.name}.failed-{year}.ipynb").unlink(missing_ok=True)
    log(f"evaluation pages for {', '.join(map(str, years))} in {inputs.out} ({time.perf_counter() - started:.1f} s)")
    return years
