"""The registry: a zone's level in each year, and the zone × year grid the engine works on."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# ---------------------------------------------------------- every national zone, each plan's zones

RAW = __import__("pathlib").Path(__file__).resolve().parents[1] / "data" / "raw"


def test_every_national_zone_joins_hunans_registry_once():
    from zonetrack.registry import load_national, load_zones

    national = load_national(RAW / "national_zones.csv")
    zones = load_zones(RAW)
    # 175 national zones in all, 9 of them in 湖南省 (already in zones.csv under their ids), so the
    # registry holds zones.csv's 40 Hunan zones and 175 − 9 = 166 national zones of other provinces.
    assert len(national) == 175
    assert (national["province"] == "湖南省").sum() == 9
    assert len(zones) == 40 + 166
    assert zones["zone_id"].is_unique
    # The published counts the national registry reproduces (its README): 27 in 1991, 53 by 1997,
    # 88 at the end of 2011, 105 at the end of 2012, 129 after the 2015-02 batch, 156 after 2017-02,
    # 168 after 2018-02, 172 after 2022-06.
    # 许昌's approval is known by its year only (2022, "late 2022"): read as December.
    month = national["approved"].str[:7].where(national["approved"].str.len() > 4, national["approved"] + "-12")
    points = ["1991-12", "1997-12", "2011-12", "2012-12", "2015-02", "2017-02", "2018-03", "2022-06"]
    assert [int((month <= m).sum()) for m in points] == [27, 53, 88, 105, 129, 156, 168, 172]


def test_a_zone_in_both_registries_must_agree(tmp_path):
    from zonetrack.registry import load_zones

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "zones.csv").write_bytes((RAW / "zones.csv").read_bytes())
    text = (RAW / "national_zones.csv").read_text(encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if row.startswith("huaihua,"))
    (raw / "national_zones.csv").write_text(text.replace("湖南省,2018-02-28,2018", "湖南省,2018-02-28,2019"), "utf-8")
    with pytest.raises(ProblemsError) as caught:
        load_zones(raw)
    assert f"national_zones.csv:{line}:national_since: error: huaihua national since 2019 here but 2018" in str(
        caught.value
    )


def test_an_alias_an_analyst_confirmed_names_the_zone():
    from zonetrack.indicators import normalise
    from zonetrack.registry import zone_lookup

    lookup = zone_lookup(load_registry(RAW / "zones.csv"))
    assert lookup[normalise("长沙麓谷高新区")] == "changsha"


def _refused(tmp_path, line: int, old: str, new: str, pattern: str) -> None:
    """zones.csv with one change on a line (1-based) is refused with a message matching pattern."""
    path = tmp_path / "zones.csv"
    rows = (RAW / "zones.csv").read_text(encoding="utf-8").splitlines()
    rows[line - 1] = rows[line - 1].replace(old, new, 1)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ProblemsError, match=pattern):
        load_registry(path)


def test_a_zone_without_a_province_is_refused_when_the_registry_has_provinces(tmp_path):
    _refused(tmp_path, 3, ",湖南省,", ",,", r"zones.csv:3:province: error: no province")  # line 3: zhuzhou


def test_count_bounds_where_the_registry_is_complete_counted_or_unknown():
    from zonetrack.registry import count_bounds, load_coverage

    coverage = load_coverage(RAW / "registry_coverage.csv")
    listed = np.array([168.0, 174.0, 175.0])
    upper, known = count_bounds(coverage, "全国", "national", [2021, 2022, 2025], listed)
    # 2021: complete (168 = 168); 2022: nothing says (unknown); 2025: 175 listed of 178 published.
    assert upper[0] == 168 and np.isinf(upper[1]) and upper[2] == 178
    assert known[0] == 1.0 and np.isnan(known[1]) and known[2] == pytest.approx(175 / 178)
    # A province's national zones are complete where the whole country's are.
    upper, known = count_bounds(coverage, "湖北省", "national", [2021], np.array([12.0]))
    assert (upper[0], known[0]) == (12.0, 1.0)
    # Provincial zones are declared complete for 湖南省 only.
    upper, known = count_bounds(coverage, "湖北省", "provincial", [2021], np.array([3.0]))
    assert np.isinf(upper[0]) and np.isnan(known[0])


def test_a_name_that_starts_like_a_formula_is_refused_at_its_row(tmp_path):
    # Line 4: xiangtan.
    _refused(tmp_path, 4, "湘潭高新技术产业开发区", "=1+1", r"zones.csv:4:name_zh: error: .* starts like a formula")


def test_the_collection_template_writes_a_formula_like_name_as_text():
    import io as bytes_io

    from openpyxl import load_workbook

    from zonetrack.collection import template_workbook
    from zonetrack.indicators import load_dictionary

    registry = load_registry(RAW / "zones.csv")
    registry.loc[registry["zone_id"] == "changsha", "name_zh"] = "=1+1"
    book = load_workbook(
        bytes_io.BytesIO(template_workbook(2027, registry, load_dictionary(RAW / "indicators.csv"), ["revenue"]))
    )
    sheet = book["2027年数据"]
    names = {
        sheet.cell(row=r, column=2).value: sheet.cell(row=r, column=2).data_type for r in range(3, sheet.max_row + 1)
    }
    assert names["=1+1"] == "s"


_since = st.one_of(st.none(), st.integers(1988, 2030))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(_since, _since), min_size=0, max_size=12),
    st.lists(st.integers(1985, 2032), min_size=0, max_size=6),
)
def test_a_zones_level_follows_its_two_years_one_row_per_zone_and_year_zone_major(sinces, years):
    registry = pd.DataFrame(
        {
            "zone_id": pd.array([f"z{i}" for i in range(len(sinces))], dtype="string"),
            "provincial_since": pd.array([p for p, _ in sinces], dtype="Int64"),
            "national_since": pd.array([n for _, n in sinces], dtype="Int64"),
        }
    )
    levels = zone_levels(registry, years)
    # Zone-major: every zone's rows together in the registry's order, its years as given.
    assert list(zip(levels["zone_id"], levels["year"], strict=True)) == [
        (f"z{i}", y) for i in range(len(sinces)) for y in years
    ]
    for (zone, year, level), (provincial, national) in zip(
        levels.itertuples(index=False), [s for s in sinces for _ in years], strict=True
    ):
        # The definition: national from national_since on; else provincial from provincial_since on,
        # or always when provincial_since is blank (approved before records); else not yet a zone.
        if national is not None and national <= year:
            expected = "national"
        elif provincial is None or provincial <= year:
            expected = "provincial"
        else:
            expected = None
        assert (None if pd.isna(level) else level) == expected, (zone, year)
