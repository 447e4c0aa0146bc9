"""Writing outputs: CSV that round-trips, and outputs replaced together or not at all, even when the
process is killed between two renames (issue 8, items 9 and 10)."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from zonetrack.io import atomic_outputs, recover_outputs, write_csv


def test_csv_states_12_significant_digits_and_leaves_missing_empty(tmp_path):
    frame = pd.DataFrame(
        {"zone_id": pd.Categorical(["ALL", "changsha"]), "value": [1 / 3, np.nan], "year": [2017, 2018]}
    )
    write_csv(frame, tmp_path / "a.csv")
    text = (tmp_path / "a.csv").read_text(encoding="utf-8")
    # 1/3 = 0.333333333333333314829616256247…: twelve significant digits, 0.333333333333.
    assert text.splitlines() == ["zone_id,value,year", "ALL,0.333333333333,2017", "changsha,,2018"]
    back = pd.read_csv(tmp_path / "a.csv")
    assert back["value"][0] == 0.333333333333 and math.isnan(back["value"][1])


def test_csv_quotes_text_that_needs_it_and_keeps_floats_short(tmp_path):
    # 3.58246 is 3.5824600000000002 at 17 significant digits; its shortest exact form is 3.58246.
    frame = pd.DataFrame({"zone_id": ["a,b", 'say "hi"'], "value": [3.58246, np.nan]})
    write_csv(frame, tmp_path / "b.csv")
    text = (tmp_path / "b.csv").read_text(encoding="utf-8")
    assert "3.58246\n" in text and "3.5824600000000002" not in text
    back = pd.read_csv(tmp_path / "b.csv")
    assert back["zone_id"].tolist() == ["a,b", 'say "hi"'] and back["value"][0] == 3.58246


def test_atomic_outputs_leave_old_files_when_the_block_fails(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_outputs(target) as (tmp,):
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("stage failed")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from zonetrack import io

    folder = Path(sys.argv[1])
    when = sys.argv[2]
    renames = 0
    real_replace = os.replace

    def replace(source, target):
        # The commit renames the journal into place, then a.txt, then b.txt: die before the third.
        global renames
        renames += 1
        if when == "between" and renames == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return real_replace(source, target)

    io.os.replace = replace
    with io.atomic_outputs(folder / "a.txt", folder / "b.txt") as (a, b):
        a.write_text("new a")
        b.write_text("new b")
        if when == "before":
            os.kill(os.getpid(), signal.SIGKILL)  # while writing: nothing committed
    """
)


def _kill(folder, when):
    env = dict(os.environ)
    result = subprocess.run([sys.executable, "-c", KILLER, str(folder), when], env=env, check=False)
    assert result.returncode == -signal.SIGKILL


def _state(folder):
    return {p.name: p.read_text() for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_kill_between_renames_is_finished_by_the_next_run(tmp_path):
    (tmp_path / "a.txt").write_text("old a")
    (tmp_path / "b.txt").write_text("old b")
    _kill(tmp_path, "between")
    state = _state(tmp_path)
    # The kill came after the commit point: the journal says what is still to be renamed.
    assert [n for n in state if n.startswith(".zt-commit-")]
    assert state["a.txt"] == "new a" and state["b.txt"] == "old b"  # mixed, but marked incomplete
    recover_outputs(tmp_path)  # what a reader, or the next run of the stage, does first
    assert _state(tmp_path) == {"a.txt": "new a", "b.txt": "new b"}


def test_a_kill_before_the_commit_leaves_the_old_outputs_and_the_next_run_cleans_up(tmp_path):
    (tmp_path / "a.txt").write_text("old a")
    (tmp_path / "b.txt").write_text("old b")
    _kill(tmp_path, "before")
    leftovers = [n for n in _state(tmp_path) if ".zt-tmp-" in n]
    assert len(leftovers) == 2  # the partial outputs of the killed run
    with atomic_outputs(tmp_path / "a.txt", tmp_path / "b.txt") as (a, b):
        a.write_text("next a")
        b.write_text("next b")
    assert _state(tmp_path) == {"a.txt": "next a", "b.txt": "next b"}


def test_a_folder_output_is_replaced_whole(tmp_path):
    folder = tmp_path / "reports"
    (folder / "2019").mkdir(parents=True)
    (folder / "2019" / "old.html").write_text("old")
    with atomic_outputs(folder, folders=True) as (staging,):
        (staging / "2020").mkdir()
        (staging / "2020" / "new.html").write_text("new")
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == ["2020", "2020/new.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]


def test_a_journal_cut_while_written_is_ignored(tmp_path):
    (tmp_path / "a.txt").write_text("old a")
    (tmp_path / ".zt-commit-0123456789abcdef.json").write_text('[["/no/such', encoding="utf-8")
    recover_outputs(tmp_path)
    assert _state(tmp_path) == {"a.txt": "old a"}


# ---------------------------------------------------------------- the same bytes on any machine


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from zonetrack.io import stated_precision, write_json  # noqa: E402


@settings(max_examples=2000, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e30, max_value=1e30))
def test_stated_precision_is_the_nearest_binary64_to_twelve_digits(value):
    # The vectorised rounding gives exactly what Python's decimal formatting gives.
    assert stated_precision([value])[0] == float(f"{value:.12g}")


@settings(max_examples=500, deadline=None)
@given(st.floats(min_value=1e-6, max_value=1e12), st.integers(min_value=1, max_value=4))
def test_a_few_ulps_change_nothing_written_unless_on_a_rounding_boundary(value, ulps):
    # A pow or a log one to four ulps off on another machine: the same twelve digits, except where
    # the value lies within those ulps of a boundary of the twelfth digit.
    moved = value
    for _ in range(ulps):
        moved = np.nextafter(moved, np.inf)
    decimal = float(f"{value:.12g}")
    step = 10.0 ** (np.floor(np.log10(abs(value))) - 11)
    near_a_boundary = abs(abs(value - decimal) - step / 2) <= (moved - value) * 2
    if not near_a_boundary:
        assert stated_precision([moved])[0] == stated_precision([value])[0]


def test_json_floats_are_stated_and_nan_is_null(tmp_path):
    write_json({"share": 2 / 3, "alpha": float("nan"), "n": 3, "list": [0.1 + 0.2]}, tmp_path / "a.json")
    # 2/3 → 0.666666666667; 0.1 + 0.2 = 0.30000000000000004 → 0.3; NaN has no JSON form: null.
    assert (tmp_path / "a.json").read_text(encoding="utf-8") == (
        '{\n  "alpha": null,\n  "list": [\n    0.3\n  ],\n  "n": 3,\n  "share": 0.666666666667\n}\n'
    )


def test_tidy_finishes_journalled_commits_and_removes_every_leftover(tmp_path, capsys):
    import json as json_module

    from zonetrack.cli import main
    from zonetrack.io import JOURNAL, TEMPORARY, TRASH

    reports = tmp_path / "reports"
    staging = reports / f".hunan-2017-2019{TEMPORARY}abc"  # a report stage killed while rendering
    (staging / "2019").mkdir(parents=True)
    (reports / f"{TRASH}hunan-2017-2019.4242").mkdir()  # an old folder moved aside, never removed
    processed = tmp_path / "processed"
    processed.mkdir()
    # A commit killed after its journal: the new scorecard is still a temporary.
    new = processed / f".scorecard.csv{TEMPORARY}x"
    new.write_text("new\n", encoding="utf-8")
    (processed / "scorecard.csv").write_text("old\n", encoding="utf-8")
    journal = processed / f"{JOURNAL}0123.json"
    journal.write_text(json_module.dumps([[str(new), str(processed / "scorecard.csv")]]), encoding="utf-8")
    kept = reports / "index.html"
    kept.write_text("<html>", encoding="utf-8")
    assert main(["tidy", str(reports), str(processed), str(tmp_path / "absent")]) == 0
    assert (processed / "scorecard.csv").read_text(encoding="utf-8") == "new\n"  # finished, not undone
    assert sorted(p.name for p in reports.iterdir()) == ["index.html"]
    assert sorted(p.name for p in processed.iterdir()) == ["scorecard.csv"]
    err = capsys.readouterr().err
    assert err.count("left by a run that was stopped") == 2  # the staging folder and the old folder
