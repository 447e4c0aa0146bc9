"""Scenarios compared: for each DVC experiment, the targets and zones whose status differs from the
plan as run in the workspace. Experiments are read from git (refs/exps) and their outputs through
DVC's API, so nothing is checked out."""

from __future__ import annotations

import io
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from zonetrack.engine.rules import ALL
from zonetrack.io import read_output_csv
from zonetrack.report import formatting as fmt


@dataclass(frozen=True)
class Experiment:
    """A DVC experiment: its name, its commit and the commit it derives from."""

    name: str
    rev: str
    baseline: str


def experiments(repo: Path) -> list[Experiment]:
    """Every experiment git knows of (refs/exps/<baseline>/<name>), newest baseline first."""
    listing = subprocess.run(
        ["git", "for-each-ref", "--sort=-committerdate", "--format=%(objectname) %(refname)", "refs/exps"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    found = []
    for line in listing:
        rev, ref = line.split(" ", 1)
        parts = ref.split("/")
        if len(parts) >= 5:
            found.append(Experiment(parts[-1], rev, parts[2] + parts[3]))
    return found


def _read(path: str, rev: str | None, repo: Path) -> str | None:
    if rev is None:
        file = repo / path
        return file.read_text(encoding="utf-8") if file.exists() else None
    import dvc.api

    try:
        with dvc.api.open(path, repo=str(repo), rev=rev, encoding="utf-8") as handle:
            return handle.read()
    except Exception:  # DVC raises many kinds for a path missing at a revision
        return None


def status_changes(plan: pd.DataFrame, run: pd.DataFrame) -> list[dict]:
    """Rows (year, target, zone) whose status differs between two scorecards; a row only one has
    shows an empty status on the other side."""
    merged = plan.merge(run, on=["year", "target_id", "zone_id"], how="outer", suffixes=("_plan", "_run"))
    differ = merged[merged["status_plan"].fillna("") != merged["status_run"].fillna("")]
    return [
        {
            "year": int(row.year),
            "target": row.target_id,
            "zone": row.zone_id,
            "all": row.zone_id == ALL,
            "before": row.status_plan if isinstance(row.status_plan, str) else "",
            "after": row.status_run if isinstance(row.status_run, str) else "",
        }
        for row in differ.itertuples()
    ]


def changes(plan_ids: list[str], chosen: list[Experiment], repo: Path, processed: str = "data/processed") -> dict:
    """For each experiment: its settings and the rows (plan, year, target, zone) whose status differs."""
    result = {}
    base_cards = {}
    for plan_id in plan_ids:
        text = _read(f"{processed}/{plan_id}/scorecard.csv", None, repo)
        if text is not None:
            base_cards[plan_id] = read_output_csv(io.StringIO(text))
    for experiment in chosen:
        rows, settings, unread = [], [], []
        for plan_id, base in base_cards.items():
            text = _read(f"{processed}/{plan_id}/scorecard.csv", experiment.rev, repo)
            if text is None:  # never read as "nothing changes"
                unread.append(plan_id)
                continue
            card = read_output_csv(io.StringIO(text))
            summary = _read(f"{processed}/{plan_id}/run.json", experiment.rev, repo)
            if summary:
                settings += [
                    f"{plan_id}: {c['setting']} {c['plan']} → {c['run']}" for c in json.loads(summary)["scenario"]
                ]
            rows += [row | {"plan": plan_id} for row in status_changes(base, card)]
        rows.sort(key=lambda r: (r["plan"], r["year"], r["target"], not r["all"], r["zone"]))
        result[experiment.name] = {"experiment": experiment, "settings": settings, "rows": rows, "unread": unread}
    return result


def as_text(compared: dict) -> str:
    """The comparison for a terminal."""
    lines = []
    for name, entry in compared.items():
        lines.append(f"{name} ({entry['experiment'].rev[:7]}): {'; '.join(entry['settings']) or 'no setting differs'}")
        targets = [r for r in entry["rows"] if r["all"]]
        zones = [r for r in entry["rows"] if not r["all"]]
        for row in targets:
            lines.append(f"  {row['plan']} {row['year']} {row['target']}: {row['before']} → {row['after']}")
        if entry.get("unread"):
            lines.append(f"  not compared: {unread_text(entry)}")
        lines.append(
            f"  {len(targets)} target verdict(s) and {len(zones)} zone status(es) change"
            + (" among the plans compared" if entry.get("unread") else "")
        )
    return "\n".join(lines) if lines else "no experiments (run one with dvc exp run -S ...)"


def unread_text(entry: dict) -> str:
    """Why some plans of an experiment were not compared."""
    return (
        f"the scorecard of {', '.join(entry['unread'])} could not be read at {entry['experiment'].rev[:7]} (its "
        "outputs are in no DVC cache here: run the experiment again with zonetrack scenario)"
    )


def as_html(compared: dict, zone_names: dict[str, str], plans: dict | None = None) -> str:
    """The comparison as a page: plans, targets and zones by their Chinese names (a plan or target no
    longer in plans/ by its id)."""
    from zonetrack.report.html import css, render

    plans = plans or {}

    return render(
        "compare.html.j2",
        css=css(),
        compared=compared,
        zone_names=zone_names,
        plan_names={k: p.name_zh for k, p in plans.items()},
        target_names={(k, t): target.name_zh for k, p in plans.items() for t, target in p.targets.items()},
        label=fmt.status_label,
        unread_text=unread_text,
    )
