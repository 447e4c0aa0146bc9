"""The report stage: each assessment year's notebook executed by papermill and published, years in
parallel (DVC runs one stage at a time, so the parallelism lives inside the stage), then the index."""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from zonetrack.io import atomic_outputs, read_scorecard
from zonetrack.params import load_params, scenario_changes
from zonetrack.registry import load_registry
from zonetrack.stages import log

EXECUTED_NAME = ".assessment.executed.ipynb"


@dataclass(frozen=True)
class ReportInputs:
    """Where the report stage reads from and writes to."""

    template: Path
    processed: Path
    params: Path
    plan: Path
    raw: Path
    out: Path
    kernel: str = "python3"


def execute_year(year: int, inputs: ReportInputs) -> Path:
    """Run the template for one year with explicit parameters and kernel; return the executed notebook."""
    import papermill

    folder = inputs.out / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    executed = folder / EXECUTED_NAME
    try:
        _execute(papermill, year, inputs, executed)
    except papermill.PapermillExecutionError as error:
        raise RuntimeError(
            f"report {year}: the notebook failed in cell {error.exec_count}: {error.ename}: {error.evalue} "
            f"(the executed notebook, with the traceback, is {executed})"
        ) from None
    return executed


def _execute(papermill, year: int, inputs: ReportInputs, executed: Path) -> None:
    papermill.execute_notebook(
        str(inputs.template),
        str(executed),
        parameters={
            "year": year,
            "processed_dir": str(inputs.processed),
            "params_file": str(inputs.params),
            "plan_file": str(inputs.plan),
            "raw_dir": str(inputs.raw),
        },
        kernel_name=inputs.kernel,
        cwd=os.getcwd(),
        progress_bar=False,
        # The kernel's own log (a transport notice at start, an interrupt at shutdown) is noise for
        # the analyst; errors in the notebook still fail the stage through papermill.
        extra_arguments=["--log-level=CRITICAL"],
    )


def publish_year(year: int, executed: Path, inputs: ReportInputs) -> Path:
    """Executed notebook → stable assessment.ipynb, assessment.html without code, scorecard.xlsx."""
    import nbformat

    from zonetrack import publish

    # load
    notebook = nbformat.read(executed, as_version=4)
    params = load_params(inputs.params)
    card = read_scorecard(inputs.processed).query("year == @year")
    registry = load_registry(inputs.raw / "zones.csv")
    # process
    notebook = publish.strip_volatile(notebook)
    page = publish.notebook_html(notebook, f"{year} 高新区评估 High-tech zone assessment")
    names = dict(zip(registry["zone_id"], registry["name_zh"], strict=True))
    workbook = publish.scorecard_workbook(card, params["targets"], names)
    # save
    folder = inputs.out / str(year)
    with atomic_outputs(folder / "assessment.ipynb", folder / "assessment.html", folder / "scorecard.xlsx") as tmps:
        nbformat.write(notebook, tmps[0])
        tmps[1].write_text(page, encoding="utf-8")
        tmps[2].write_bytes(workbook)
    executed.unlink(missing_ok=True)
    return folder / "assessment.html"


def write_index(inputs: ReportInputs) -> Path:
    """reports/index.html: links to every year and every target's status across the years."""
    from zonetrack import plots
    from zonetrack.index import index_html
    from zonetrack.publish import embed_cjk_font

    # load
    scorecard = read_scorecard(inputs.processed)
    quality = json.loads((inputs.processed / "data_quality.json").read_text(encoding="utf-8"))
    params = load_params(inputs.params)
    changes = scenario_changes(params, load_params(inputs.plan))
    # process
    plots.theme()
    page = embed_cjk_font(index_html(scorecard, params, quality, changes))
    # save
    path = inputs.out / "index.html"
    with atomic_outputs(path) as (tmp,):
        tmp.write_text(page, encoding="utf-8")
    return path


def render_reports(years: list[int], inputs: ReportInputs, jobs: int) -> None:
    """Execute and publish every year, at most `jobs` tasks at a time, and write the index.

    Each year is two tasks (execute, then publish), so three years keep two cores busy: the
    third notebook runs while the first two are being published.
    """
    started = time.perf_counter()
    missing = sorted(set(years) - set(read_scorecard(inputs.processed)["year"].unique()))
    if missing:
        raise ValueError(f"the scorecard has no rows for {missing}: run evaluate with these assess.years first")
    if jobs <= 1:
        write_index(inputs)
        for year in years:
            publish_year(year, execute_year(year, inputs), inputs)
            log(f"report {year}: {inputs.out / str(year) / 'assessment.html'}")
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            pending: dict[Future, tuple[str, int]] = {pool.submit(write_index, inputs): ("index", 0)}
            pending |= {pool.submit(execute_year, year, inputs): ("execute", year) for year in years}
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    task, year = pending.pop(future)
                    result = future.result()  # re-raises a task's error here, with its traceback
                    if task == "execute":
                        pending[pool.submit(publish_year, year, result, inputs)] = ("publish", year)
                    elif task == "publish":
                        log(f"report {year}: {result}")
    log(
        f"reports for {', '.join(map(str, years))} and {inputs.out / 'index.html'} in "
        f"{time.perf_counter() - started:.1f} s ({jobs} job(s))"
    )
