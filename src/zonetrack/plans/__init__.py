"""Plans as files, checked like code: loading, validation with located errors, scenarios.

`load_run(plan_file, params_file)` gives the plan as published, the plan as this run assesses it
(the scenario's changes applied), the differences between the two, and the status settings.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from zonetrack.plans.model import (
    DESCRIPTIVE_KEYS,
    RULE_MODELS,
    Params,
    Plan,
    PlanRun,
    StatusSettings,
)
from zonetrack.plans.yamlfile import YamlDocument, read_yaml
from zonetrack.problems import ERROR, Problem, ProblemsError, shown

__all__ = ["Params", "Plan", "Run", "check_id", "load_model", "load_params", "load_plan", "load_run", "plan_files"]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Run:
    """One plan as this run assesses it."""

    plan: Plan
    published: Plan
    changes: list[tuple[str, object, object]]
    status: StatusSettings
    years: str | list[int]
    plan_file: Path
    params_file: Path

    @property
    def is_scenario(self) -> bool:
        return bool(self.changes)


def _allowed_keys(model: type[BaseModel], loc: tuple, data: object) -> list[str]:
    """The keys allowed where an unknown key was found, walking the models along its location."""
    for key in loc[:-1]:
        if isinstance(data, dict):
            data = data.get(key)
        if model is Plan and key == "targets":
            model = None
            continue
        if model is None:  # a target: its rule decides its model
            rule = data.get("rule") if isinstance(data, dict) else None
            model = RULE_MODELS.get(rule)
            if model is None:
                return sorted({k for m in RULE_MODELS.values() for k in m.model_fields})
            continue
        field = model.model_fields.get(key) if model is not None else None
        annotation = getattr(field, "annotation", None)
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
        if model is None and key == "plans":
            model = PlanRun
    return sorted(model.model_fields) if model is not None else []


def _clean_loc(loc: tuple, data: object) -> tuple:
    """Location without pydantic's union tags (targets.x.level.min → targets.x.min)."""
    cleaned, node = [], data
    for key in loc:
        if isinstance(key, str) and key in RULE_MODELS and isinstance(node, dict) and node.get("rule") == key:
            continue
        if isinstance(key, str) and "[" in key:  # function-after[...], list[...] wrappers
            continue
        cleaned.append(key)
        node = node.get(key) if isinstance(node, dict) else None
    return tuple(cleaned)


def _message(error: dict, allowed: list[str]) -> str:
    kind, loc = error["type"], error["loc"]
    key = loc[-1] if loc else ""
    value = error.get("input")
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
        hint = f"; did you mean `{close[0]}`?" if close else (f"; allowed: {', '.join(allowed)}" if allowed else "")
        return f"`{shown(key)}`: unknown key{hint}"
    if kind == "missing":
        return f"`{key}`: required key missing"
    if kind == "union_tag_invalid":
        rules = list(RULE_MODELS)
        value = error.get("ctx", {}).get("tag", value)
        close = difflib.get_close_matches(str(value), rules, n=1, cutoff=0.6) if isinstance(value, str) else []
        hint = f"; did you mean `{close[0]}`?" if close else ""
        return f"rule '{shown(value)}' is not one of {', '.join(rules)}{hint}"
    if kind == "union_tag_not_found":
        return f"missing `rule` (one of {', '.join(RULE_MODELS)})"
    if kind in ("float_parsing", "int_parsing") and isinstance(value, str) and value.strip().endswith("%"):
        number = value.strip().rstrip("%").strip()
        return f"'{shown(value)}' is not a number: write a fraction, e.g. {_fraction(number)} for {number} %"
    if kind == "finite_number" or (isinstance(value, float) and not math.isfinite(value)):
        return f"{value!r} is not a finite number"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of keys and values, got {type(value).__name__} {shown(value, 40)!r}"
    if kind == "list_type":
        return f"expected a list, e.g. [{shown(value, 20)}], got {type(value).__name__}"
    if kind == "too_short" and isinstance(value, list | dict) and not value:
        return f"`{key}` is empty: give at least one entry" + (" (national, provincial)" if key == "levels" else "")
    message = error["msg"].removeprefix("Value error, ")
    return f"{message} (got {shown(value, 40)})" if not isinstance(value, dict | list) else message


def _fraction(number: str) -> str:
    try:
        return f"{float(number) / 100:g}"
    except ValueError:
        return "0.25"


def validation_problems(
    error: ValidationError, model: type[BaseModel], data: object, document: YamlDocument, prefix: tuple = ()
) -> list[Problem]:
    """Each pydantic error as a problem at its line in the YAML file, keyed by its dotted path."""
    problems = []
    for item in error.errors(include_url=False):
        loc = _clean_loc(item["loc"], data)
        item = dict(item) | {"loc": loc}
        where = prefix + loc
        line = document.line_of(where)
        problems.append(
            Problem(
                document.path.as_posix(),
                line,
                ".".join(map(str, where)) or None,
                ERROR,
                _message(item, _allowed_keys(model, loc, data)),
            )
        )
    return problems


def plan_files(folder: Path) -> list[Path]:
    """The plan files of a folder, in id order."""
    return sorted(folder.glob("*.yaml"))


def load_model(path: Path, model: type[M], what: str) -> tuple[M, YamlDocument]:
    """A YAML file (a plan, params.yaml, a framework) validated against its model; each error at its line."""
    document = read_yaml(path)
    if not isinstance(document.data, dict):
        raise ProblemsError([Problem(path.as_posix(), 1, None, ERROR, f"{what} is a mapping of keys and values")])
    try:
        return model.model_validate(document.data), document
    except ValidationError as error:
        raise ProblemsError(validation_problems(error, model, document.data, document)) from None


def check_id(found: str, path: Path, document: YamlDocument) -> None:
    """A file's id must be its file name (plans/<id>.yaml, frameworks/<id>.yaml)."""
    if found != path.stem:
        line = document.line_of(("id",))
        raise ProblemsError(
            [Problem(path.as_posix(), line, "id", ERROR, f"id '{found}' differs from the file name '{path.stem}'")]
        )


def load_plan(path: Path) -> tuple[Plan, YamlDocument]:
    """A plan file, checked; its id must be its file name."""
    plan, document = load_model(path, Plan, "a plan file")
    check_id(plan.id, path, document)
    return plan, document


def load_params(path: Path) -> tuple[Params, YamlDocument]:
    """params.yaml, checked."""
    return load_model(path, Params, "params.yaml")


def _merge(base: dict, changes: dict) -> dict:
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _flatten(data: object, prefix: str = "") -> dict[str, object]:
    if isinstance(data, dict):
        flat = {}
        for key, value in data.items():
            if key in DESCRIPTIVE_KEYS:
                continue
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: data}


def scenario_changes(published: Plan, assessed: Plan, status: StatusSettings) -> list[tuple[str, object, object]]:
    """(dotted key, the plan's own value, this run's value) for every assessed setting that differs,
    and every status setting that differs from the method's defaults."""
    theirs = _flatten(published.model_dump(exclude_defaults=False))
    ours = _flatten(assessed.model_dump(exclude_defaults=False))
    changes = [(k, theirs.get(k), ours.get(k)) for k in sorted(set(theirs) | set(ours)) if theirs.get(k) != ours.get(k)]
    defaults = StatusSettings()
    changes += [
        (f"status.{k}", getattr(defaults, k), getattr(status, k))
        for k in StatusSettings.model_fields
        if getattr(defaults, k) != getattr(status, k)
    ]
    return changes


# The plan's years: its inputs (the inputs@<plan> stage, which DVC reruns only when `years` changes)
# are the data of these years, so a scenario never moves them.
PLAN_YEARS = ("base_year", "target_year")


def _descriptive_keys(scenario: dict, prefix: tuple) -> list[tuple]:
    """Where a scenario sets a key that describes the plan or a target (name_zh, unit, source…)."""
    found = [(*prefix, key) for key in scenario if key in DESCRIPTIVE_KEYS]
    targets = scenario.get("targets")
    if isinstance(targets, dict):
        for target_id, changes in targets.items():
            if isinstance(changes, dict):
                found += [(*prefix, "targets", target_id, key) for key in changes if key in DESCRIPTIVE_KEYS]
    return found


def load_run(plan_file: Path, params_file: Path) -> Run:
    """The plan as published, its scenario from params.yaml applied and checked, and the run's settings."""
    published, _ = load_plan(plan_file)
    params, params_document = load_params(params_file)
    label = params_file.as_posix()
    if published.id not in params.plans:
        line = params_document.line_of(("plans",))
        raise ProblemsError(
            [Problem(label, line, f"plans.{published.id}", ERROR, "no entry for this plan (years: auto, scenario: {})")]
        )
    run = params.plans[published.id]
    prefix = ("plans", published.id, "scenario")
    problems = []
    if "id" in run.scenario:
        problems.append(
            Problem(
                label,
                params_document.line_of((*prefix, "id")),
                ".".join(prefix) + ".id",
                ERROR,
                "a scenario cannot change the plan's id",
            )
        )
    for key in PLAN_YEARS:
        if key in run.scenario:
            problems.append(
                Problem(
                    label,
                    params_document.line_of((*prefix, key)),
                    ".".join((*prefix, key)),
                    ERROR,
                    f"a scenario cannot change the plan's {key}: its years are what it says, and its stages read "
                    "the data of those years only (inputs@<plan>); for other years, copy plans/ to a new plan",
                )
            )
    targets = run.scenario.get("targets", {}) or {}
    if not isinstance(targets, dict):
        where = (*prefix, "targets")
        message = "`targets` is a mapping of target ids to the keys a scenario changes, e.g. {hte_doubling: {k: 1.8}}"
        raise ProblemsError([Problem(label, params_document.line_of(where), ".".join(where), ERROR, message)])
    for where in _descriptive_keys(run.scenario, prefix):
        problems.append(
            Problem(
                label,
                params_document.line_of(where),
                ".".join(map(str, where)),
                ERROR,
                f"a scenario changes how the plan is assessed, not what it says: `{where[-1]}` is the plan's own "
                "words (a name, a unit, a source); if the plan says otherwise, correct plans/ in git",
            )
        )
    unknown = set(targets) - set(published.targets)
    for target_id in sorted(unknown):
        close = difflib.get_close_matches(target_id, list(published.targets), n=1, cutoff=0.6)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        where = (*prefix, "targets", target_id)
        problems.append(
            Problem(
                label, params_document.line_of(where), ".".join(where), ERROR, f"no such target in {published.id}{hint}"
            )
        )
    if problems:
        raise ProblemsError(problems)
    data = _merge(published.model_dump(), run.scenario)
    try:
        assessed = Plan.model_validate(data)
    except ValidationError as error:
        raise ProblemsError(validation_problems(error, Plan, data, params_document, prefix)) from None
    return Run(
        assessed,
        published,
        scenario_changes(published, assessed, params.status),
        params.status,
        run.years,
        plan_file,
        params_file,
    )
