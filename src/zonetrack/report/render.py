"""The report stage of one plan: each year's notebook executed by papermill and published, years in
parallel (DVC runs one stage at a time, so the parallelism lives inside the stage), and the plan's
page. Everything is written into a staging folder that replaces reports/<plan>/ in one commit."""

from __future__ import annotations

import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from zonetrack.io import atomic_outputs, write_text
from zonetrack.problems import log

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
REPLY_TIMEOUT = 120  # seconds to wait for the kernel's reply to start()'s imports or to a reset

# Run first in the kernel before every notebook but its first: the namespace as a new kernel's (a year
# never reads what the previous year's notebook left), the modules it imported kept.
RESET = "get_ipython().reset(new_session=False)"
# Run after those imports: what they made (pandas', matplotlib's and zonetrack's modules, ~160,000
# objects) is moved out of the garbage collector's reach, where it stays for the kernel's life, so that
# a collection scans only what the notebooks make: IPython's reset collects in full, ~0.09 s a notebook.
FREEZE = "__import__('gc').freeze()"
# Run by the report stage after those: the kernel of one stage run reads the plan's report once for
# all the years' notebooks (data.keep_loaded; the stage's inputs do not change while it runs).
KEEP_LOADED = "__import__('zonetrack.report.data', fromlist=['keep_loaded']).keep_loaded()"


class Kernel:
    """One kernel for the notebooks of a stage, run one after another: started once, so pandas,
    matplotlib and zonetrack are imported once, not once per year; its namespace reset before each
    notebook. `with Kernel(name) as kernel: kernel.run(...)`: the kernel starts with start() (or the
    first run) and is shut down by close() or at the end."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.manager = None
        self.client = None
        self.notebooks = 0
        self.warming = None  # the id of the imports sent by start(), until their reply is read

    def start(self, template: Path, then: str = "") -> None:
        """Start the kernel now and have it import what the template's setup cell imports, while this
        process goes on with its own work (loading the plan, the page cache's keys): a kernel takes
        ~2 s to start and import pandas, matplotlib and zonetrack, which the first notebook no longer waits for.
        The imports are only the template's own import statements (notebooks/ is code under review);
        `then` is the stage's own code to run after them (KEEP_LOADED)."""
        if self.manager is None:
            self._start()
        code = "\n".join(c for c in (template_imports(template), FREEZE, then) if c)
        self.warming = self._client().execute(code, silent=True, store_history=False)

    def __enter__(self) -> Kernel:
        return self

    def _start(self) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        class Manager(AsyncKernelManager):
            """Keeps every client it makes: papermill's client of a kernel it does not own is never
            closed by papermill, so run() closes it (its sockets) once the notebook ran. The client it
            gives papermill is the one prepare() made ahead, when there is one."""

            def client(self, **kwargs):
                made = self.prepared.pop() if self.prepared and not kwargs else super().client(**kwargs)
                self.made.append(made)
                return made

            def prepare(self) -> None:
                """A client for the next notebook, its IOPub channel subscribed now, so that it has
                the kernel's messages of the meantime (the reset's status) to show its wait_for_ready
                (ready_client_class) at once; the notebook reads only its own (by their parent's id)."""
                ahead = super().client()
                ahead.start_channels(shell=False, stdin=False, hb=False, control=False)  # IOPub only
                self.prepared.append(ahead)

        self.manager = Manager(kernel_name=self.name, client_factory=ready_client_class())
        self.manager.made = []
        self.manager.prepared = []
        # The kernel's own log (a transport notice at start, an interrupt at shutdown) is noise for the
        # analyst; errors in a notebook still fail the stage through papermill.
        run_sync(self.manager.start_kernel)(extra_arguments=["--log-level=CRITICAL"], cwd=os.getcwd())
        self.manager.prepare()

    def __exit__(self, *_) -> None:
        self.close()

    def close(self) -> None:
        """Shut the kernel down (a second call does nothing)."""
        from jupyter_core.utils import run_sync

        if self.manager is None:
            return  # never started, or closed
        if self.client is not None:
            self.client.stop_channels()
            self.client = None
        self._close_clients()
        _stop(self.manager.prepared)
        # Every output is collected when a notebook's last cell returns, and a report notebook writes no
        # file (it presents); a graceful exit would spend ~0.4 s unloading pandas and matplotlib.
        run_sync(self.manager.shutdown_kernel)(now=True)
        self.manager = None

    def run(self, template: Path, executed: Path, parameters: dict, kept: Path, what: str) -> Path:
        """Execute a template with explicit parameters into `executed`. A failing notebook is moved to
        `kept` (the staging folder goes when the stage fails) and the stage stops with its cell, error
        and that path."""
        import papermill

        if self.manager is None:
            self._start()
        if self.warming is not None:
            self._reply(self.warming, "could not import what the template imports")
            self.warming = None
        if self.notebooks:
            self._reset()
        self.notebooks += 1
        try:
            papermill.execute_notebook(
                str(template),
                str(executed),
                parameters=parameters,
                kernel_name=self.name,
                km=self.manager,
                progress_bar=False,
                # One write at the end (or at the failing cell), not one per cell of a page of charts.
                request_save_on_cell_execute=False,
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
        finally:
            self._close_clients()
            self.manager.prepare()  # the next notebook's client, subscribed while this one is published
        return executed

    def _close_clients(self) -> None:
        _stop(self.manager.made)

    def _client(self):
        """One client of this class's own for the imports and every reset (a client per reset costs ~0.2 s)."""
        from jupyter_client.blocking import BlockingKernelClient

        if self.client is None:
            self.client = BlockingKernelClient()
            self.client.load_connection_info(self.manager.get_connection_info())
            self.client.start_channels()
        return self.client

    def _reset(self) -> None:
        self._reply(self._client().execute(RESET, silent=True, store_history=False), "could not be reset")

    def _reply(self, request: str, failure: str) -> None:
        """Wait for the kernel's reply to `request`; raise with its error unless it is ok."""
        while True:
            reply = self._client().get_shell_msg(timeout=REPLY_TIMEOUT)
            if reply["parent_header"].get("msg_id") == request:
                break
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise RuntimeError(f"the kernel {failure}: {content.get('ename')}: {content.get('evalue')}")


def _stop(clients: list) -> None:
    """Stop each client's channels (its sockets), emptying the list."""
    while clients:
        clients.pop().stop_channels()


@cache
def ready_client_class():
    """jupyter_client's asynchronous client, but ready as soon as the kernel has answered kernel_info
    and an IOPub message has come (the two things its wait_for_ready checks): that one then reads
    IOPub on until 0.2 s pass without a message, which cost every notebook 0.2 s of waiting, while
    papermill reads only the messages of its own requests (by their parent's id), whatever else
    is queued."""
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient

    class ReadyClient(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            limit = time.monotonic() + (float("inf") if timeout is None else timeout)
            while time.monotonic() < limit:
                request = self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                    while reply["parent_header"].get("msg_id") != request:
                        reply = await self.shell_channel.get_msg(timeout=1)
                    await self.iopub_channel.get_msg(timeout=0.2)  # its channel is connected
                except Empty:
                    if not await self._async_is_alive():
                        raise RuntimeError("the kernel died before it replied to kernel_info") from None
                    continue  # a socket subscribing as the kernel answered missed its status: ask again
                self._handle_kernel_info_reply(reply)
                return
            raise RuntimeError(f"the kernel did not reply to kernel_info in {timeout} s")

    return ReadyClient


def template_imports(template: Path) -> str:
    """The import statements of a template's cell tagged `setup` (its other lines read the
    notebook's parameters), as code for a kernel to run before the notebook."""
    import ast

    import nbformat

    notebook = nbformat.read(template, as_version=4)
    cells = [c for c in notebook.cells if c.cell_type == "code" and "setup" in c.metadata.get("tags", [])]
    statements = [n for c in cells for n in ast.parse(c.source).body if isinstance(n, (ast.Import, ast.ImportFrom))]
    return "\n".join(ast.unparse(n) for n in statements)


def run_notebook(template: Path, executed: Path, parameters: dict, kernel: str, kept: Path, what: str) -> Path:
    """One notebook in a kernel of its own (Kernel.run)."""
    with Kernel(kernel) as one:
        return one.run(template, executed, parameters, kept, what)


def execute_year(year: int, inputs: ReportInputs, folder: Path, kernel: Kernel) -> Path:
    """Run the template for one year with explicit parameters in the stage's kernel; return the
    executed notebook."""
    folder.mkdir(parents=True, exist_ok=True)
    kept = failed_notebook(inputs, year)
    return kernel.run(inputs.template, folder / EXECUTED_NAME, year_parameters(year, inputs), kept, f"report {year}")


def year_parameters(year: int, inputs: ReportInputs) -> dict:
    """The notebook's parameters for a year."""
    return {
        "year": year,
        "plan_file": str(inputs.plan_file),
        "params_file": str(inputs.params_file),
        "plan_dir": str(inputs.plan_processed),
        "processed_dir": str(inputs.processed),
        "raw_dir": str(inputs.raw),
        "experiment": inputs.experiment,
    }


YEAR_FILES = {
    ".html": "assessment.html",
    ".ipynb": "assessment.ipynb",
    ".xlsx": "scorecard.xlsx",
    ".docx": "assessment.docx",
}


def year_key(year: int, inputs: ReportInputs, view) -> str:
    """The name of a year's files in the page cache: its view of the report (that year and before)."""
    from zonetrack.report import page_cache

    parts = page_cache.report_parts(view)
    return page_cache.key("assessment", inputs.template, inputs.kernel, year_parameters(year, inputs), parts)


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


def publish_documents(year: int, folder: Path, report) -> None:
    """scorecard.xlsx and assessment.docx of a year, from its view of the report (PlanReport.as_of):
    they do not read the executed notebook, so they are made while the kernel runs it. The year's
    charts not yet in the cache are drawn first, from the plan's last target backwards, as the kernel
    draws them from the first (charts.draw_backwards): each is drawn once, here or there, and the
    document reads them all from the cache."""
    from zonetrack.report import assessment_document, charts, excel

    drawn = charts.draw_backwards(report, year)  # first: the kernel's page comes to its charts soon
    workbook = excel.workbook(report, year)
    document = assessment_document.document(report, year, drawn)
    # save (into the staging folder; the stage commits the folder as a whole)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scorecard.xlsx").write_bytes(workbook)
    (folder / "assessment.docx").write_bytes(document)


def publish_year(year: int, executed: Path, folder: Path, report) -> Path:
    """Executed notebook → stable assessment.ipynb and assessment.html without code; `report` is the
    year's view (PlanReport.as_of)."""
    import nbformat

    from zonetrack.report import publish

    # load
    notebook = nbformat.read(executed, as_version=4)
    # process
    notebook = publish.strip_volatile(notebook)
    page = publish.embed_cjk_font(publish.notebook_html(notebook, f"{year} {report.plan.name_zh}"))
    # save
    nbformat.write(notebook, folder / "assessment.ipynb")
    write_text(page, folder / "assessment.html")
    executed.unlink(missing_ok=True)
    return folder / "assessment.html"


def plan_page(inputs: ReportInputs, folder: Path) -> Path:
    """reports/<plan>/index.html: the plan, its years, and every target's status across them."""
    from zonetrack.report.index import plan_html
    from zonetrack.report.publish import embed_cjk_font

    report = plan_report(inputs)
    path = folder / "index.html"
    write_text(embed_cjk_font(plan_html(report)), path)
    return path


def render_reports(inputs: ReportInputs, jobs: int) -> list[int]:
    """Execute and publish every year of the plan's scorecard, and the plan's page; replace
    reports/<plan>/ with the result only when all of it succeeded.

    A year whose files are in the page cache (page_cache: its view of the report, that year and the
    years before, did not change) is read from it, not executed. The others run one after another in
    one kernel (Kernel: its imports paid once), started first thing, so that it starts and imports
    while this process loads the plan and computes the keys (when every year is cached it was started
    for nothing: ~2 s of the other core's time). With `jobs` > 1 the publishing runs in a thread
    beside the kernel, so two cores are busy, the kernel's process and this one: a year's workbook
    and document (which do not read the notebook) while the kernel runs its notebook, its page (each
    with its own cut of the CJK font) once the notebook ran, while the kernel runs the next one.
    """
    from zonetrack.report import page_cache

    started = time.perf_counter()
    plan_report.cache_clear()  # a run reads the files as they are now, never an earlier run's copy
    read = []
    with Kernel(inputs.kernel) as kernel:
        kernel.start(inputs.template, KEEP_LOADED)  # its start and imports beside this process's loading and keys
        years = years_in(inputs.plan_processed / "scorecard.csv")
        plan_report(inputs)  # loaded here, before the thread below reads it
        with atomic_outputs(inputs.out, folders=True) as (staging,), alongside(jobs) as publish, collected_less():
            published = [publish(plan_page, inputs, staging)]
            for year in years:
                folder = staging / str(year)
                view = plan_report(inputs).as_of(year)  # what the page shows: its key, and what it publishes
                name = year_key(year, inputs, view)
                files = {suffix: folder / file for suffix, file in YEAR_FILES.items()}
                if page_cache.restore(name, files):
                    read.append(year)
                    continue
                documents = publish(publish_documents, year, folder, view)  # while the kernel runs the notebook
                executed = execute_year(year, inputs, folder, kernel)
                published.append(publish(_kept, name, files, documents, publish_year, year, executed, folder, view))
            kernel.close()  # the last notebook ran: the kernel goes while the last year is published
            for page in published:
                page.result()
    for year in years:
        failed_notebook(inputs, year).unlink(missing_ok=True)
    from zonetrack import cache

    cache.prune()
    log(
        f"reports of {inputs.plan_file.stem} in {inputs.out}: {_made_and_read(years, read)} "
        f"({time.perf_counter() - started:.1f} s, {jobs} job(s))"
    )
    return years


def _kept(name: str, files: dict[str, Path], documents: Future, publish_one, *args) -> Path:
    """publish_one(*args) once the year's `documents` are written (the same thread's earlier task, or
    its error), the year's files then kept in the page cache under `name`."""
    from zonetrack.report import page_cache

    documents.result()
    page = publish_one(*args)
    page_cache.keep(name, files)
    return page


def _made_and_read(years: list[int], read: list[int]) -> str:
    """What a report stage made and what it read from the page cache, for its log line."""
    made = [y for y in years if y not in read]
    return f"{', '.join(map(str, made)) or 'no year'} made, {', '.join(map(str, read)) or 'none'} read from the cache"


def _imported_before_the_thread() -> None:
    """Import whole, in this thread, what starting a kernel imports here and the publishing thread
    reads: matplotlib's canvas looks up sys.modules["IPython"], which the kernel's start imports
    (through ipykernel's kernel spec); seen half imported from the other thread, it failed a stage.
    (matplotlib itself is imported by the first chart drawn, in either thread, after these: a stage
    whose charts are all in the cache never imports it.) And papermill, which imports requests:
    requests silences urllib3's warning about SOCKS support with a warnings filter, which another
    thread's `warnings.catch_warnings()` (pandas, matplotlib) can undo while it is set, and the
    warning was printed in two stage runs of twelve."""
    import ipykernel.kernelspec  # noqa: F401
    import IPython  # noqa: F401
    import papermill  # noqa: F401


@contextmanager
def collected_less():
    """Within the block, what this process holds already (its modules, the loaded report: ~150,000
    objects) is out of the garbage collector's reach (gc.freeze), so that its collections scan only
    what the block makes: five full collections of a report stage took ~0.4 s. Back within reach after."""
    import gc

    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def alongside(jobs: int):
    """`submit(function, *args)` → a future: in one thread beside the caller with `jobs` > 1 (the
    caller waits on a kernel meanwhile), else at once. An error is raised by the future's result()
    or, at the latest, when the block ends."""
    if jobs <= 1:

        def now(function, *args) -> Future:
            future: Future = Future()
            future.set_result(function(*args))
            return future

        yield now
        return
    _imported_before_the_thread()
    with ThreadPoolExecutor(max_workers=1) as pool:
        futures: list[Future] = []

        def later(function, *args) -> Future:
            futures.append(pool.submit(function, *args))
            return futures[-1]

        try:
            yield later
        except BaseException:
            for future in futures:
                future.cancel()  # those not started: the caller failed
            raise
        for future in futures:
            future.result()


@dataclass(frozen=True)
class EvaluationInputs:
    """Where the evaluation's report stage reads from and writes to."""

    template: Path
    evaluation: Path
    raw: Path
    out: Path
    kernel: str = "python3"


def _evaluation_parameters(year: int, inputs: EvaluationInputs) -> dict:
    return {"year": year, "evaluation_dir": str(inputs.evaluation), "raw_dir": str(inputs.raw)}


def _execute_evaluation(year: int, inputs: EvaluationInputs, folder: Path, kernel: Kernel) -> Path:
    kept = inputs.out.parent / f"{inputs.out.name}.failed-{year}.ipynb"
    executed = folder / f".{year}.executed.ipynb"
    return kernel.run(inputs.template, executed, _evaluation_parameters(year, inputs), kept, f"evaluation {year}")


def _evaluation_documents(year: int, folder: Path, report) -> None:
    """A year's evaluation workbook and Word document (made while the kernel runs its notebook)."""
    from zonetrack.report import evaluation_document, evaluation_page

    (folder / f"{year}.xlsx").write_bytes(evaluation_page.workbook(report))
    (folder / f"{year}.docx").write_bytes(evaluation_document.document(report))


def _publish_evaluation(year: int, executed: Path, folder: Path) -> Path:
    import nbformat

    from zonetrack.report import publish

    notebook = publish.strip_volatile(nbformat.read(executed, as_version=4))
    page = publish.embed_cjk_font(publish.notebook_html(notebook, f"{year} 高新区绩效评价"))
    nbformat.write(notebook, folder / f"{year}.ipynb")
    write_text(page, folder / f"{year}.html")
    executed.unlink(missing_ok=True)
    return folder / f"{year}.html"


def _evaluation_key(year: int, inputs: EvaluationInputs, report) -> str:
    """The name of a year's evaluation files in the page cache: the year's view (its results, its
    sensitivity, the audit of it and the years before, the zones' names), parameters and template."""
    from dataclasses import fields

    from zonetrack.report import page_cache

    parts = [getattr(report, f.name) for f in fields(report)]
    return page_cache.key("evaluation", inputs.template, inputs.kernel, _evaluation_parameters(year, inputs), parts)


def render_evaluation(inputs: EvaluationInputs, jobs: int) -> list[int]:
    """reports/evaluation/<year>.html (and .ipynb, .xlsx, .docx) for every year evaluated, replaced as a
    whole: a year whose view did not change read from the page cache, the others in one kernel, each
    published beside the next one's run (as render_reports)."""
    from zonetrack import cache
    from zonetrack.report import evaluation_page, page_cache

    started = time.perf_counter()
    read = []
    with Kernel(inputs.kernel) as kernel:
        kernel.start(inputs.template)  # its start and imports beside this process's loading and keys
        years = evaluated_years(inputs.evaluation)
        with atomic_outputs(inputs.out, folders=True) as (staging,), alongside(jobs) as publish, collected_less():
            for year in years:
                # The year's view: its page cache key, and what it publishes.
                report = evaluation_page.load_evaluation(year, inputs.evaluation, inputs.raw)
                name = _evaluation_key(year, inputs, report)
                files = {suffix: staging / f"{year}{suffix}" for suffix in (".html", ".ipynb", ".xlsx", ".docx")}
                if page_cache.restore(name, files):
                    read.append(year)
                    continue
                documents = publish(_evaluation_documents, year, staging, report)  # while the notebook runs
                executed = _execute_evaluation(year, inputs, staging, kernel)
                publish(_kept, name, files, documents, _publish_evaluation, year, executed, staging)
            kernel.close()  # the last notebook ran: the kernel goes while the last year is published
    for year in years:
        (inputs.out.parent / f"{inputs.out.name}.failed-{year}.ipynb").unlink(missing_ok=True)
    cache.prune()
    log(f"evaluation pages in {inputs.out}: {_made_and_read(years, read)} ({time.perf_counter() - started:.1f} s)")
    return years
