"""A year's published files (page, notebook, workbook, document) through the cache
(zonetrack/cache.py): kept under the hash of everything that makes them (the year's view of the
report, which holds only that year's and earlier years' data; the notebook's parameters; the
template; every file of the zonetrack package; the versions of the libraries that execute and write
them; the kernel), so that a year whose inputs did not change (an old year, when a new one arrives)
is read, not executed and published again. The same inputs make the same bytes, so the files are
byte-identical whether they were read or made."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from zonetrack import cache as store

KIND = "pages"
LIBRARIES = (
    "papermill",
    "nbclient",
    "nbformat",
    "ipykernel",
    "jupyter_client",
    "pandas",
    "numpy",
    "pyarrow",
    "matplotlib",
    "openpyxl",
    "python-docx",
    "jinja2",
    "mistune",
    "fonttools",
)
SIGNATURES = {
    ".html": (b"<!DOCTYPE html>",),
    ".ipynb": (b"{",),
    ".xlsx": (b"PK\x03\x04",),
    ".docx": (b"PK\x03\x04",),
}


@cache
def code_fingerprint() -> str:
    """Every file of the package (its code, templates, labels, statuses) and the libraries' versions."""
    from importlib.metadata import version

    import zonetrack

    package = Path(zonetrack.__file__).parent
    files = sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    versions = (*(f"{name}=={version(name)}" for name in LIBRARIES), sys.version)
    return store.fingerprint(*files, versions=versions)


def report_parts(report) -> list:
    """A PlanReport (a year's view) as values the cache can hash: every field the pages read."""
    run = report.run
    return [
        run.plan.model_dump(mode="json"),
        run.published.model_dump(mode="json"),
        [list(map(repr, change)) for change in run.changes],
        run.status.model_dump(mode="json"),
        run.years,
        str(run.plan_file),
        str(run.params_file),
        report.experiment,
        report.scorecard,
        report.gaps,
        report.thresholds,
        report.contributions,
        report.summary,
        report.quality,
        report.registry,
        report.reference,
        report.fingerprint,
        report.indicator_names,
        report.panel,
        report.clusters,
    ]


def key(kind: str, template: Path, kernel: str, parameters: dict, parts: list) -> str:
    """The name of a year's files: what they are, the template's bytes, the kernel, the notebook's
    parameters and the view's parts, with the code's fingerprint."""
    return store.key(code_fingerprint(), kind, template.read_bytes().decode("utf-8"), kernel, parameters, parts)


def restore(name: str, files: dict[str, Path]) -> bool:
    """Write the kept files (`suffix → path`) and say True, or write nothing and say False (no cache,
    or an entry missing or damaged)."""
    found = {}
    for suffix, path in files.items():
        data = store.read(KIND, name, suffix, lambda data, s=suffix: data.startswith(SIGNATURES[s]))
        if data is None:
            return False
        found[path] = data
    for path, data in found.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return True


def keep(name: str, files: dict[str, Path]) -> None:
    """Keep the files just written (`suffix → path`) under `name`."""
    for suffix, path in files.items():
        store.write(KIND, name, suffix, path.read_bytes())
