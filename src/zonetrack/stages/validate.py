"""`zonetrack validate`: params.yaml, every plan, dvc.yaml's plan list and the frameworks, checked
before anything runs."""

from __future__ import annotations

import sys
from pathlib import Path

from zonetrack.evaluation.framework import load_frameworks
from zonetrack.plans import load_params, load_run
from zonetrack.problems import ERROR, Problem, ProblemsError, log
from zonetrack.stages.assess import check_plan, load_reference


def pipeline_problems(pipeline: Path, plans: list[Path]) -> list[Problem]:
    """dvc.yaml's list of plans (vars: plan_ids) against the plan files: a plan file the pipeline
    does not list is never assessed, a listed plan without a file fails."""
    import yaml

    if not pipeline.exists():
        return []
    listed = []
    for entry in yaml.safe_load(pipeline.read_text(encoding="utf-8")).get("vars", []):
        if isinstance(entry, dict):
            listed += entry.get("plan_ids", [])
    files = {p.stem for p in plans}
    label = pipeline.as_posix()
    return [
        Problem(label, None, "vars.plan_ids", ERROR, f"plans/{plan_id}.yaml exists but is not listed: add {plan_id}")
        for plan_id in sorted(files - set(listed))
    ] + [
        Problem(label, None, "vars.plan_ids", ERROR, f"lists {plan_id}, which has no plans/{plan_id}.yaml")
        for plan_id in sorted(set(listed) - files)
    ]


def run_validate(plans: list[Path], params_file: Path, raw: Path) -> int:
    """Check params.yaml and every plan (with what they name in data/raw) before anything runs."""
    problems: list[Problem] = []
    try:
        reference = load_reference(raw)
    except ProblemsError as error:  # a broken registry or dictionary: said once, the plans still read
        problems += error.problems
        reference = None
    for plan_file in plans:
        try:
            run = load_run(plan_file, params_file)
            if reference is not None:
                check_plan(run, reference)
            log(
                f"{plan_file}: {len(run.plan.targets)} targets"
                + (f", scenario of {len(run.changes)} change(s)" if run.changes else "")
            )
        except ProblemsError as error:
            problems += error.problems
    try:
        params, document = load_params(params_file)
        for plan_id in sorted(set(params.plans) - {p.stem for p in plans}):
            problems.append(
                Problem(
                    params_file.as_posix(),
                    document.line_of(("plans", plan_id)),
                    f"plans.{plan_id}",
                    ERROR,
                    f"no plan file {plan_id}.yaml",
                )
            )
    except ProblemsError as error:
        problems += error.problems
    problems += pipeline_problems(Path("dvc.yaml"), plans)
    try:
        problems += load_frameworks(Path("frameworks"), raw)[1]
    except ProblemsError as error:  # the dictionary itself
        problems += error.problems
    for problem in dict.fromkeys(problems):
        print(problem, file=sys.stderr)
    if problems:
        log(f"NOT OK: {len(set(problems))} error(s); nothing was run")
        return 1
    log(f"OK: params.yaml and {len(plans)} plan(s)")
    return 0
