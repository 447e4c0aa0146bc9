"""Shared fixtures: the repository's registry and indicator dictionary, and small file writers."""

from __future__ import annotations

from pathlib import Path

import pytest

from zonetrack.ingest.files import load_vocabulary

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"


def fresh_copy(root: Path, link_venv: bool = False) -> Path:
    """The repository's files as a fresh clone would have them (tracked and untracked, not ignored),
    committed in a new git repository at root; with link_venv, the project's .venv linked in (and
    excluded from git)."""
    import shutil
    import subprocess

    # -z: names as they are (git would quote the Chinese file names otherwise).
    files = subprocess.run(
        ["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    for name in filter(None, files):
        if (REPO / name).is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, root / name)
    if link_venv:
        (root / ".venv").symlink_to(REPO / ".venv")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    if link_venv:
        (root / ".git/info/exclude").write_text(".venv\n", encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    commit = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "copy"]
    subprocess.run(commit, cwd=root, check=True, capture_output=True)
    return root


@pytest.fixture(scope="session")
def vocab_bundle():
    """(vocabulary, registry, dictionary) built from data/raw."""
    return load_vocabulary(RAW)


@pytest.fixture(scope="session")
def vocab(vocab_bundle):
    return vocab_bundle[0]


@pytest.fixture(scope="session")
def registry(vocab_bundle):
    return vocab_bundle[1]


@pytest.fixture(scope="session")
def dictionary(vocab_bundle):
    return vocab_bundle[2]


@pytest.fixture
def raw_copy(tmp_path):
    """An empty raw folder with the repository's zones.csv, indicators.csv and layout.csv."""
    raw = tmp_path / "raw"
    (raw / "stats").mkdir(parents=True)
    for name in ("zones.csv", "indicators.csv", "layout.csv"):
        (raw / name).write_bytes((RAW / name).read_bytes())
    return raw


PLANS = REPO / "plans"
PARAMS = REPO / "params.yaml"


def assess_args(
    processed: Path, raw: Path, metrics: Path, plan: str = "hunan-2017-2019", params: Path = PARAMS
) -> list[str]:
    """`zonetrack assess` arguments for one plan; its outputs go to PROCESSED/<plan>."""
    return [
        "assess",
        "--plan",
        str(PLANS / f"{plan}.yaml"),
        "--params",
        str(params),
        "--processed",
        str(processed),
        "--raw",
        str(raw),
        "--out",
        str(processed / plan),
        "--metrics",
        str(metrics),
        "--experiment",
        "",
    ]


def report_args(
    processed: Path, raw: Path, out: Path, plan: str = "hunan-2017-2019", params: Path = PARAMS
) -> list[str]:
    """`zonetrack report` arguments for one plan, one year after another (--jobs 1)."""
    return [
        "report",
        "--plan",
        str(PLANS / f"{plan}.yaml"),
        "--params",
        str(params),
        "--jobs",
        "1",
        "--template",
        str(REPO / "notebooks/assessment.ipynb"),
        "--processed",
        str(processed),
        "--raw",
        str(raw),
        "--out",
        str(out),
        "--experiment",
        "",
    ]


def make_plan(
    targets: dict, groups: dict | None = None, base: int = 2016, target: int = 2019, plan_id: str = "test-plan"
):
    """A plan model from bare target entries (names and sentences filled in), for engine tests."""
    from zonetrack.plans.model import Plan

    described = {
        target_id: {"name_zh": target_id, "name_en": target_id, "text_zh": target_id, "text_en": target_id, **entry}
        for target_id, entry in targets.items()
    }
    return Plan.model_validate(
        {
            "id": plan_id,
            "name_zh": "测试方案",
            "name_en": "Test plan",
            "issued": "2017-06",
            "source": "tests",
            "region": "湖南省",
            "base_year": base,
            "target_year": target,
            "groups": groups or {},
            "targets": described,
        }
    )


def with_scenario(params_text: str, plan_id: str, scenario: str) -> str:
    """params.yaml's text with a plan's `scenario: {}` replaced by a scenario (YAML flow mapping)."""
    import re

    pattern = re.compile(rf"(  {re.escape(plan_id)}:\n    years: [^\n]*\n    scenario: )\{{\}}")
    changed, count = pattern.subn(lambda m: m.group(1) + scenario, params_text)
    assert count == 1, plan_id
    return changed


@pytest.fixture(scope="session", autouse=True)
def chart_cache_of_the_suite(tmp_path_factory):
    """The suite's cache (charts, Monte Carlo) in a folder of its own (never the user's ~/.cache),
    shared by its tests and the pipelines they run (a subprocess inherits the setting)."""
    import os

    folder = tmp_path_factory.mktemp("cache")
    before = os.environ.get("ZONETRACK_CACHE")
    os.environ["ZONETRACK_CACHE"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("ZONETRACK_CACHE", None)
    else:
        os.environ["ZONETRACK_CACHE"] = before
