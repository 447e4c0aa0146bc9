"""Shared fixtures: the repository's registry and indicator dictionary, and small file writers."""

from __future__ import annotations

from pathlib import Path

import pytest

from zonetrack.stages import load_vocabulary

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"


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
    """An empty raw folder with the repository's zones.csv and indicators.csv."""
    raw = tmp_path / "raw"
    (raw / "stats").mkdir(parents=True)
    for name in ("zones.csv", "indicators.csv"):
        (raw / name).write_bytes((RAW / name).read_bytes())
    return raw


def evaluate_args(processed: Path, raw: Path, metrics: Path, params: Path = REPO / "params.yaml") -> list[str]:
    """`zonetrack evaluate` arguments for a processed folder."""
    return [
        "evaluate",
        "--processed",
        str(processed),
        "--params",
        str(params),
        "--raw",
        str(raw),
        "--out",
        str(processed),
        "--metrics",
        str(metrics),
    ]


def report_args(years: list[int], processed: Path, raw: Path, plan: Path, out: Path) -> list[str]:
    """`zonetrack report` arguments, one year after another (--jobs 1), with the repository's template."""
    return [
        "report",
        "--years",
        *map(str, years),
        "--jobs",
        "1",
        "--template",
        str(REPO / "notebooks/assessment.ipynb"),
        "--processed",
        str(processed),
        "--params",
        str(REPO / "params.yaml"),
        "--plan",
        str(plan),
        "--raw",
        str(raw),
        "--out",
        str(out),
    ]
