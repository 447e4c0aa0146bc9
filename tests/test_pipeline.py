"""End to end: `dvc repro` in a temporary copy of the repository, as a fresh clone would run it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import REPO, fresh_copy

# The plans the repository holds: adding one the README's way (a file in plans/, its id in dvc.yaml
# and params.yaml) needs no edit here.
PLAN_IDS = sorted(p.stem for p in (REPO / "plans").glob("*.yaml"))


def _run(command: list[str], cwd: Path, check: bool = True) -> str:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if check:
        assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory):
    """The repository's files as a fresh clone would have them, committed in a new git repository."""
    return fresh_copy(tmp_path_factory.mktemp("clone") / "zonetrack")


DECLARED = [
    "data/processed/panel.parquet",
    "data/processed/clusters.parquet",
    "data/processed/data_quality.json",
    *(f"data/processed/{p}/scorecard.csv" for p in PLAN_IDS),
    *(f"metrics/{p}.json" for p in PLAN_IDS),
    "reports/index.html",
    *(f"reports/{p}/index.html" for p in PLAN_IDS),
    *(f"reports/hunan-2017-2019/{y}/{n}" for y in (2017, 2018, 2019) for n in ("assessment.html", "scorecard.xlsx")),
    "reports/hunan-2026-2028/2026/assessment.html",
    "data/processed/evaluation/evaluation.csv",
    "metrics/evaluation.json",
    *(f"reports/evaluation/{y}.{e}" for y in (2016, 2017, 2018, 2019, 2025, 2026) for e in ("html", "xlsx")),
]


def test_committed_lock_matches_code_and_data(repo_copy):
    # On a fresh clone only outputs (and the upstream outputs that later stages read) are missing;
    # a modified dependency means dvc.lock is stale.
    status = json.loads(_run(["dvc", "status", "--json"], repo_copy))
    modified = {
        stage: {
            path: state
            for c in changes
            if isinstance(c, dict)
            for path, state in c.get("changed deps", {}).items()
            if state != "deleted"
        }
        for stage, changes in status.items()
    }
    assert {stage: deps for stage, deps in modified.items() if deps} == {}


def test_dvc_yaml_lists_every_plan():
    import yaml

    pipeline = yaml.safe_load((REPO / "dvc.yaml").read_text(encoding="utf-8"))
    listed = pipeline["vars"][0]["plan_ids"]
    # In any order: `zonetrack validate` asks for none.
    assert sorted(listed) == PLAN_IDS
    assert len(listed) == len(set(listed))


def test_the_lock_holds_only_the_pipelines_stages():
    # DVC keeps a removed stage's entry in dvc.lock, and reads and rewrites the whole file for every
    # stage of every command: five stale entries from earlier designs made it 77 KB, 4x the 18 KB of
    # the stages that exist, and cost seconds per `dvc exp run`.
    import yaml

    pipeline = yaml.safe_load((REPO / "dvc.yaml").read_text(encoding="utf-8"))
    plan_ids = pipeline["vars"][0]["plan_ids"]
    stages = {
        name
        for stage, body in pipeline["stages"].items()
        for name in ([f"{stage}@{item}" for item in plan_ids] if "foreach" in body else [stage])
    }
    locked = yaml.safe_load((REPO / "dvc.lock").read_text(encoding="utf-8"))["stages"]
    assert set(locked) - stages == set()


def test_repro_builds_every_output_then_does_nothing(repo_copy):
    _run(["dvc", "repro"], repo_copy)
    for name in DECLARED:
        assert (repo_copy / name).is_file(), name
    first = {name: _sha(repo_copy / name) for name in DECLARED}
    second = _run(["dvc", "repro"], repo_copy)
    assert "Running stage" not in second
    assert {name: _sha(repo_copy / name) for name in DECLARED} == first
    # The data stages again from scratch: byte-identical outputs.
    _run(["dvc", "repro", "--force", "--single-item", "ingest"], repo_copy)
    _run(["dvc", "repro", "--force", "--single-item", "assess@hunan-2017-2019"], repo_copy)
    for name in DECLARED[:5]:
        assert _sha(repo_copy / name) == first[name], name
    metrics = json.loads(_run(["dvc", "metrics", "show", "--json"], repo_copy))
    assert "metrics/hunan-2017-2019.json" in json.dumps(metrics)


def test_a_scenario_of_one_plan_reruns_that_plan_only(repo_copy):
    _run(["dvc", "repro"], repo_copy)  # a no-op after the test above; makes this test stand alone
    params_file = repo_copy / "params.yaml"
    original = params_file.read_text(encoding="utf-8")
    try:
        changed = original.replace(
            "    scenario: {}\n  hunan-2026-2028:",
            "    scenario: {targets: {tech_contract_growth: {min_rate: 0.2}}}\n  hunan-2026-2028:",
        )
        assert changed != original
        params_file.write_text(changed, encoding="utf-8")
        status = json.loads(_run(["dvc", "status", "--json"], repo_copy))
        assert "ingest" not in status
        assert {"assess@hunan-2017-2019", "report@hunan-2017-2019"} <= set(status)
        assert "assess@hunan-2026-2028" not in status and "report@hunan-2026-2028" not in status
        # The plan's inputs are its years of the panel: a target's scenario leaves them as they are.
        assert "inputs@hunan-2017-2019" not in status
    finally:
        params_file.write_text(original, encoding="utf-8")


def test_no_key_of_params_yaml_reaches_a_shell(repo_copy):
    # Issue 8, item 1: a key that would end the command and run another.
    params_file = repo_copy / "params.yaml"
    original = params_file.read_text(encoding="utf-8")
    try:
        hostile = original.replace("status:\n", "status:\n  'jobs 2; touch pwned; echo': 1\n", 1)
        hostile = hostile.replace("plans:\n", "plans:\n  'x; touch pwned2; echo':\n    years: auto\n", 1)
        params_file.write_text(hostile, encoding="utf-8")
        out = _run(["dvc", "repro"], repo_copy, check=False)
        assert not (repo_copy / "pwned").exists() and not (repo_copy / "pwned2").exists()
        assert "status.jobs 2; touch pwned; echo" in out and "unknown key" in out  # refused by zonetrack, named
        validate = _run(["zonetrack", "validate"], repo_copy, check=False)
        assert "NOT OK" in validate
    finally:
        params_file.write_text(original, encoding="utf-8")


def test_a_scenario_stops_first_when_git_does_not_hold_an_input(repo_copy):
    # dvc exp run --temp runs on a copy made from git: a 2027 workbook copied into stats/ but not
    # added would be left out silently (6 years ingested instead of 7). zonetrack scenario names it
    # and runs nothing.
    workbook = repo_copy / "data/raw/stats/2027年高新区主要指标_更正.xlsx"
    shutil.copy(repo_copy / "examples/2027年高新区主要指标_更正.xlsx", workbook)
    try:
        setting = "+plans.hunan-2017-2019.scenario.targets.patents_per_10k.min=28"
        env = dict(os.environ)
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
        result = subprocess.run(
            ["zonetrack", "scenario", "-n", "untracked", "-S", setting],
            cwd=repo_copy,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 1
        assert "data/raw/stats/2027年高新区主要指标_更正.xlsx:-:-: error: not in git" in result.stderr
        assert "nothing was run" in result.stderr
        assert "untracked" not in _run(["dvc", "exp", "list", "--name-only"], repo_copy)
    finally:
        workbook.unlink()
