"""End to end: `dvc repro` in a temporary copy of the repository."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from tests.conftest import REPO


def _run(command: list[str], cwd: Path) -> str:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory):
    """The repository's files as a fresh clone would have them, committed in a new git repository."""
    root = tmp_path_factory.mktemp("clone") / "zonetrack"
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in files:
        if (REPO / name).is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, root / name)
    for command in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "copy"],
    ):
        _run(command, root)
    return root


DECLARED = [
    "data/processed/panel.parquet",
    "data/processed/clusters.parquet",
    "data/processed/data_quality.json",
    "data/processed/scorecard.csv",
    "metrics/assessment.json",
    "reports/index.html",
] + [
    f"reports/{y}/{name}"
    for y in (2017, 2018, 2019)
    for name in ("assessment.ipynb", "assessment.html", "scorecard.xlsx")
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
    _run(["dvc", "repro", "--force", "--single-item", "evaluate"], repo_copy)
    for name in DECLARED[:5]:
        assert _sha(repo_copy / name) == first[name], name
    metrics = json.loads(_run(["dvc", "metrics", "show", "--json"], repo_copy))
    assert "metrics/assessment.json" in json.dumps(metrics)


def test_changing_one_target_reruns_evaluate_reports_and_index_not_ingest(repo_copy):
    _run(["dvc", "repro"], repo_copy)  # a no-op after the test above; makes this test stand alone
    params_file = repo_copy / "params.yaml"
    original = params_file.read_text(encoding="utf-8")
    try:
        params = yaml.safe_load(original)
        params["targets"]["tech_contract_growth"]["min_rate"] = 0.2
        params_file.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
        status = json.loads(_run(["dvc", "status", "--json"], repo_copy))
        assert "ingest" not in status
        assert {"evaluate", "report"} <= set(status)
    finally:
        params_file.write_text(original, encoding="utf-8")
