"""The registry: a zone's level in each year, and the zone × year grid the engine works on."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from zonetrack.problems import ProblemsError
from zonetrack.registry import load_registry, make_grid, short_name_zh, zone_levels


def _levels(registry, years):
    levels = zone_levels(registry, years)
    return {(z, y): (None if pd.isna(lv) else lv) for z, y, lv in levels.itertuples(index=False)}


def test_levels_of_the_real_registry(registry):
    levels = _levels(registry, [2016, 2017, 2018, 2019])
    # 怀化: provincial since 2016, national since 2018.
    assert [levels[("huaihua", y)] for y in (2016, 2017, 2018, 2019)] == [
        "provincial",
        "provincial",
        "national",
        "national",
    ]
    # 常德: national since 2017.
    assert levels[("changde", 2016)] == "provincial" and levels[("changde", 2017)] == "national"
    # 望城: approved 2018, so not a zone in 2016-2017.
    assert [levels[("wangcheng", y)] for y in (2016, 2017, 2018)] == [None, None, "provincial"]
    # 平江: approval year not found (blank) is read as approved before records.
    assert levels[("pingjiang", 2016)] == "provincial"
    # 长沙: national since 1991, no provincial year recorded.
    assert levels[("changsha", 2016)] == "national"


def test_short_chinese_name():
    assert short_name_zh("长沙高新技术产业开发区") == "长沙高新区"


def test_grid_rows_are_zone_major_and_mark_what_is_off_the_grid():
    registry = pd.DataFrame(
        {
            "zone_id": ["b", "a"],
            "provincial_since": pd.array([2000, 2018], dtype="Int64"),
            "national_since": pd.array([None, None], dtype="Int64"),
        }
    )
    grid = make_grid(zone_levels(registry, [2017, 2018]))
    # Zones sorted by id (a, b), years within: a-2017 = 0, a-2018 = 1, b-2017 = 2, b-2018 = 3.
    assert grid.zones.tolist() == ["a", "b"] and grid.years.tolist() == [2017, 2018]
    assert grid.level.tolist() == [None, "provincial", "provincial", "provincial"]
    rows = grid.rows(pd.Series(["b", "a", "zz", "a"]), pd.Series([2018, 2017, 2017, 2016]))
    assert rows.tolist() == [3, 0, -1, -1]  # an unknown zone and a year off the grid are −1
    assert np.array_equal(grid.zone_of_row, [0, 0, 1, 1]) and np.array_equal(grid.year_of_row, [2017, 2018, 2017, 2018])


@pytest.mark.parametrize(
    "zone_id",
    ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)", "\t=1+1", "\r=1+1", "changsha\n", "Changsha", "1zone"],
)
def test_an_id_that_could_read_as_a_formula_is_refused_at_its_row(tmp_path, zone_id):
    # Issue 8, item 7: zone ids reach scorecard.csv, which Excel opens; an id is a slug or an error.
    path = tmp_path / "zones.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["zone_id", "name_zh", "name_en", "city", "provincial_since", "national_since", "source"])
        writer.writerow(["zhuzhou", "株洲高新区", "Zhuzhou", "株洲市", "", "1992", "src"])
        writer.writerow([zone_id, "某高新区", "Some zone", "某市", "2010", "", "src"])
    with pytest.raises(ProblemsError) as caught:
        load_registry(path)
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (3, "zone_id")
    assert "is not a zone id: ids are slugs of a-z, 0-9 and _" in problem.message
