"""Every file of the bad-input corpus is refused with the right file, row, column and message."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from tests.conftest import RAW

from zonetrack.cli import main

BAD = Path(__file__).parent / "data" / "bad"
CASES = list(csv.DictReader((BAD / "expected.csv").read_text(encoding="utf-8").splitlines()))


def test_corpus_has_at_least_twenty_distinct_bad_inputs():
    assert len({case["path"] for case in CASES}) >= 20


@pytest.mark.parametrize("case", CASES, ids=[f"{c['path']}:{c['row']}:{c['column']}" for c in CASES])
def test_bad_file_is_reported_where_it_is_wrong(case, capsys):
    path = BAD / case["path"]
    assert main(["check", str(path), "--raw", str(RAW), "--alone"]) == 1
    lines = capsys.readouterr().err.splitlines()
    location = f"{(BAD / case['file']).as_posix()}:{case['row']}:{case['column']}: error: "
    matching = [line for line in lines if line.startswith(location)]
    assert matching, f"no error at {location}; got:\n" + "\n".join(lines)
    assert any(case["fragment"] in line for line in matching), "\n".join(matching)


def test_check_exits_non_zero_for_a_missing_path(capsys):
    assert main(["check", str(BAD / "no_such_file.csv"), "--raw", str(RAW), "--alone"]) == 1
    assert "no_such_file.csv:-:-: error: unreadable file" in capsys.readouterr().err
