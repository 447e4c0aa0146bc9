"""The analyst's tools: the collection template, scenarios as DVC experiments, their comparison."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from zonetrack.indicators import load_dictionary
from zonetrack.ingest.files import STATS_DIR
from zonetrack.io import atomic_outputs
from zonetrack.plans import load_plan
from zonetrack.problems import ERROR, Problem, log
from zonetrack.registry import YEAR_RANGE, load_registry, short_names


def template_indicators(year: int, plans: list[Path], dictionary: pd.DataFrame) -> list[str]:
    """The indicators to ask for in a year: those the plans covering it read (its base year
    included), in the dictionary's order; every indicator when no plan covers the year."""

    needed: set[str] = set()
    for plan_file in plans:
        plan, _ = load_plan(plan_file)
        if plan.base_year <= year <= plan.target_year:
            needed |= {i for t in plan.targets.values() for i in t.indicators}
    return [i for i in dictionary["id"] if not needed or i in needed]


def run_template(year: int, out: Path, raw: Path, plans_dir: Path, every: bool, force: bool = False) -> int:
    """Write the data-collection workbook for a year (never over an existing file unless `force`:
    it may be a returned workbook, or one in data/raw/)."""
    from zonetrack.collection import template_workbook
    from zonetrack.plans import plan_files

    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise ValueError(f"--year {year} is not a year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}")
    if out.is_dir():
        raise ValueError(
            f"--out {out} is a folder: name the workbook to write, e.g. {out / f'{year}年高新区数据采集表.xlsx'}"
        )
    if out.exists() and not force:
        raise ValueError(
            f"{out} exists (a returned workbook, or one in data/raw?): nothing was written; "
            "choose another --out, or add --force to replace it"
        )
    # load
    registry = load_registry(raw / "zones.csv")
    dictionary = load_dictionary(raw / "indicators.csv")
    indicators = list(dictionary["id"]) if every else template_indicators(year, plan_files(plans_dir), dictionary)
    # process
    workbook = template_workbook(year, registry, dictionary, indicators)
    # save
    with atomic_outputs(out) as (temporary,):
        temporary.write_bytes(workbook)
    log(f"template for {year}: {out} ({len(indicators)} indicators; fill it in, check it, put it in {raw / STATS_DIR})")
    return 0


def run_compare(names: list[str], plans_dir: Path, raw: Path, out: Path) -> int:
    """Scenarios compared: print, and write a page of, what each experiment changes."""
    from zonetrack.plans import plan_files
    from zonetrack.report import compare
    from zonetrack.report.publish import embed_cjk_font

    repo = Path.cwd()
    found = compare.experiments(repo)
    unknown = sorted(set(names) - {e.name for e in found})
    if unknown:
        raise ValueError(f"no experiment named {', '.join(unknown)} (dvc exp show lists them)")
    chosen = [e for e in found if not names or e.name in names]
    registry = load_registry(raw / "zones.csv")
    files = plan_files(plans_dir)
    compared = compare.changes([p.stem for p in files], chosen, repo)
    print(compare.as_text(compared))
    plans = {p.stem: load_plan(p)[0] for p in files}
    page = compare.as_html(compared, short_names(registry), plans)
    with atomic_outputs(out) as (temporary,):
        temporary.write_text(embed_cjk_font(page), encoding="utf-8")
    log(f"compare: {out}")
    return 0


# Inputs an experiment's copy must hold: what the stages read.
EXPERIMENT_INPUTS = ["data/raw", "plans", "frameworks", "notebooks", "params.yaml", "dvc.yaml", "src"]


def untracked_inputs(root: Path) -> list[str]:
    """Input files git does not hold (nor ignore): `dvc exp run --temp` runs on a copy made from
    git, which would silently leave them out (a new year's workbook, a new plan)."""
    import subprocess

    listed = subprocess.run(
        ["git", "ls-files", "-z", "--others", "--exclude-standard", "--", *EXPERIMENT_INPUTS],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout
    return sorted(name.decode("utf-8", "backslashreplace") for name in listed.split(b"\0") if name)


def run_scenario(name: str | None, settings: list[str], root: Path = Path(".")) -> int:
    """Run a scenario as `dvc exp run --temp -S …`, or stop first, naming the input files git does
    not hold, which the experiment's copy would not see."""
    import subprocess

    missing = untracked_inputs(root)
    if missing:
        for path in missing:
            print(Problem(path, None, None, ERROR, "not in git: the experiment would run without it"), file=sys.stderr)
        log(
            f"NOT OK: dvc exp run --temp runs on a copy of what git holds, and {len(missing)} input file(s) are "
            "not in it. Add them first (git add … && git commit), or move them away; nothing was run"
        )
        return 1
    command = ["dvc", "exp", "run", "--temp", *(["-n", name] if name else [])]
    for setting in settings:
        command += ["-S", setting]
    log("running " + " ".join(command))
    return subprocess.run(command, cwd=root, check=False).returncode
