"""Writing outputs: CSV that round-trips, atomic replacement."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from zonetrack.io import atomic_outputs, write_csv


def test_csv_keeps_every_digit_and_leaves_missing_empty(tmp_path):
    frame = pd.DataFrame(
        {"zone_id": pd.Categorical(["ALL", "changsha"]), "value": [1 / 3, np.nan], "year": [2017, 2018]}
    )
    write_csv(frame, tmp_path / "a.csv")
    text = (tmp_path / "a.csv").read_text(encoding="utf-8")
    assert text.splitlines() == ["zone_id,value,year", "ALL,0.3333333333333333,2017", "changsha,,2018"]
    back = pd.read_csv(tmp_path / "a.csv")
    assert back["value"][0] == 1 / 3 and math.isnan(back["value"][1])


def test_csv_quotes_text_that_needs_it(tmp_path):
    frame = pd.DataFrame({"zone_id": ["a,b", 'say "hi"'], "value": [1.5, 2.0]})
    write_csv(frame, tmp_path / "b.csv")
    back = pd.read_csv(tmp_path / "b.csv")
    assert back["zone_id"].tolist() == ["a,b", 'say "hi"']


def test_atomic_outputs_leave_old_files_when_the_block_fails(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_outputs(target) as (tmp,):
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("stage failed")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
