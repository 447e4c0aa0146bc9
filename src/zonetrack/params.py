"""params.yaml: reading it, and naming how a scenario differs from the plan."""

from __future__ import annotations

from pathlib import Path

import yaml

from zonetrack.status import Bands

# Keys that describe a target but do not change its assessment.
DESCRIPTIVE_KEYS = frozenset({"text_zh", "text_en", "reading", "display"})


def load_params(path: Path) -> dict:
    """Read a YAML parameters file."""
    with path.open(encoding="utf-8") as handle:
        params = yaml.safe_load(handle)
    missing = [key for key in ("plan", "assess", "status", "groups", "targets") if key not in params]
    if missing:
        raise ValueError(f"{path}: missing sections {missing}")
    return params


def bands(params: dict) -> Bands:
    """The status bands of params.yaml's `status:` section."""
    status = params["status"]
    return Bands(float(status["on_track"]), float(status["needs_acceleration"]), float(status.get("tolerance", 1e-9)))


def _flatten(data: object, prefix: str = "") -> dict[str, object]:
    if isinstance(data, dict):
        flat = {}
        for key, value in data.items():
            if key in DESCRIPTIVE_KEYS:
                continue
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: data}


def scenario_changes(params: dict, plan: dict) -> list[tuple[str, object, object]]:
    """(dotted key, the plan's value, this run's value) for every assessed setting that differs."""
    sections = ("plan", "assess", "status", "groups", "targets")
    ours = _flatten({k: params.get(k) for k in sections})
    theirs = _flatten({k: plan.get(k) for k in sections})
    return [
        (key, theirs.get(key), ours.get(key))
        for key in sorted(set(ours) | set(theirs))
        if ours.get(key) != theirs.get(key)
    ]
