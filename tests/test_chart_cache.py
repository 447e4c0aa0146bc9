"""The chart cache: a chart read from it is the chart drawn, any change to what a chart draws draws
it again, a damaged file is redrawn, concurrent runs never see half a file, and it stays bounded."""

from __future__ import annotations

import base64
import io
import os
from concurrent.futures import ProcessPoolExecutor

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zonetrack import cache as store
from zonetrack.report import chart_cache, plots

CALLS = {"n": 0}


def bars(rows: pd.DataFrame, title: str, names: dict) -> object:
    """A chart as the reports draw one (a zone's bar each), counting how often it is drawn."""
    CALLS["n"] += 1
    rows = rows.assign(contribution=rows["value"])
    return plots.contribution_bars(rows, title, "亿元", names, False)


ROWS = pd.DataFrame({"zone_id": ["a", "b", "c"], "value": [3.0, -1.0, 2.0]})
NAMES = {"a": "甲", "b": "乙", "c": "丙"}


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ZONETRACK_CACHE", str(tmp_path / "cache"))
    CALLS["n"] = 0
    return tmp_path / "cache" / "charts"


def test_a_chart_read_from_the_cache_is_the_chart_drawn(cache):
    first = chart_cache.png(bars, ROWS, "标题", NAMES)
    assert CALLS["n"] == 1 and len(list(cache.glob("*/*.png"))) == 1
    again = chart_cache.png(bars, ROWS, "标题", NAMES)
    assert CALLS["n"] == 1  # read, not drawn
    assert again == first == plots.png(bars(ROWS, "标题", NAMES))  # the same bytes as drawing it now


def test_any_change_to_what_a_chart_draws_draws_it_again(cache):
    chart_cache.png(bars, ROWS, "标题", NAMES)
    chart_cache.png(bars, ROWS.assign(value=[3.0, -1.0, 2.5]), "标题", NAMES)  # one value
    chart_cache.png(bars, ROWS, "标题 ", NAMES)  # the title
    chart_cache.png(bars, ROWS, "标题", NAMES | {"c": "丁"})  # a zone's name
    chart_cache.png(bars, ROWS.iloc[[0, 2, 1]], "标题", NAMES)  # the order of the rows
    assert CALLS["n"] == 5 and len(list(cache.glob("*/*.png"))) == 5


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(allow_nan=True, allow_infinity=False, width=32), min_size=1, max_size=6),
    st.integers(min_value=0, max_value=5),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)
def test_two_frames_differing_in_one_value_never_share_a_key(values, at, other):
    at %= len(values)
    changed = list(values)
    if changed[at] == other or (pd.isna(changed[at]) and pd.isna(other)):
        return
    changed[at] = other
    one = chart_cache.key(bars, (pd.DataFrame({"value": values}), "t", {}), {})
    two = chart_cache.key(bars, (pd.DataFrame({"value": changed}), "t", {}), {})
    assert one != two
    assert one == chart_cache.key(bars, (pd.DataFrame({"value": list(values)}), "t", {}), {})


def test_an_argument_the_cache_cannot_hash_is_refused_not_ignored():
    with pytest.raises(TypeError, match="cannot be hashed"):
        chart_cache.key(bars, (object(),), {})


def test_a_damaged_file_is_drawn_again_and_the_cache_can_be_turned_off(cache, monkeypatch):
    first = chart_cache.png(bars, ROWS, "标题", NAMES)
    (path,) = cache.glob("*/*.png")
    path.write_bytes(b"not a png")
    assert chart_cache.png(bars, ROWS, "标题", NAMES) == first and CALLS["n"] == 2
    assert path.read_bytes() == base64.b64decode(first)
    monkeypatch.setenv("ZONETRACK_CACHE", "off")
    assert chart_cache.png(bars, ROWS, "标题", NAMES) == first and CALLS["n"] == 3


def _draw_in_a_process(folder: str) -> str:
    os.environ["ZONETRACK_CACHE"] = folder
    return chart_cache.png(bars, ROWS, "并发", NAMES)


def test_concurrent_runs_see_a_whole_chart_or_none(cache):
    with ProcessPoolExecutor(max_workers=4) as pool:
        drawn = list(pool.map(_draw_in_a_process, [str(cache.parent)] * 8))
    assert len(set(drawn)) == 1
    assert [p.name for p in cache.rglob("*") if p.is_file() and p.suffix != ".png"] == []  # no temporaries left
    (path,) = cache.glob("*/*.png")
    assert path.read_bytes() == base64.b64decode(drawn[0])


def test_prune_keeps_the_most_recently_used_within_the_bound(cache):
    for k in range(4):
        chart_cache.png(bars, ROWS, f"图{k}", NAMES)
    files = sorted(cache.glob("*/*.png"))
    for age, path in enumerate(sorted(files, key=lambda p: p.name)):
        os.utime(path, (1_000_000 + age, 1_000_000 + age))
    newest = max(files, key=lambda p: p.stat().st_mtime)
    sizes = sum(p.stat().st_size for p in files)
    assert store.prune(limit=sizes) == 0
    # A bound of one chart: the three least recently used go, the newest stays.
    assert store.prune(limit=newest.stat().st_size) == 3
    assert list(cache.glob("*/*.png")) == [newest]


def test_a_font_cut_read_from_the_cache_is_the_cut_made(tmp_path, monkeypatch):
    # The pages' font cut (publish.font_cut) is kept by its characters: a rerun whose pages hold the
    # same characters reads the cut; other characters cut again; a damaged entry is cut again.
    from fontTools.ttLib import TTFont

    from zonetrack.report import publish

    monkeypatch.setenv("ZONETRACK_CACHE", "off")
    made = publish.font_cut({"高", "新", "区"})
    monkeypatch.setenv("ZONETRACK_CACHE", str(tmp_path / "cache"))
    assert publish.font_cut({"高", "新", "区"}) == made  # cut, kept
    entries = list((tmp_path / "cache" / publish.FONT_KIND).glob("*/*.otf"))
    assert len(entries) == 1
    assert publish.font_cut({"区", "高", "新"}) == made  # read: the same characters in any order
    other = publish.font_cut({"高", "新", "区", "湖"})
    assert other != made and len(list((tmp_path / "cache" / publish.FONT_KIND).glob("*/*.otf"))) == 2
    entries[0].write_bytes(b"not a font")
    assert publish.font_cut({"高", "新", "区"}) == made
    cmap = TTFont(io.BytesIO(made)).getBestCmap()
    assert {ord(c) for c in "高新区"} <= set(cmap) and ord("湖") not in cmap


DRAW_OR_READ = """
import hashlib, sys
import pandas as pd
from zonetrack.report import chart_cache, plots
chart = chart_cache.png(plots.status_counts_chart, pd.DataFrame({"met": [2, 3], "not_met": [1, 0]}, index=[2018, 2019]))
print(hashlib.sha256(chart.encode()).hexdigest(), "matplotlib" in sys.modules)
"""


def test_a_chart_read_from_the_cache_imports_no_matplotlib_and_one_drawn_without_theme_is_the_same(tmp_path):
    # Two fresh processes on one cache, neither calling plots.theme(): the first draws the chart
    # (figure() puts the theme on) and imports matplotlib; the second reads the same base64 without
    # importing it (a stage whose charts are all cached pays nothing for matplotlib).
    import subprocess
    import sys

    env = dict(os.environ, ZONETRACK_CACHE=str(tmp_path / "cache"))
    drawn, read = (
        subprocess.run(
            [sys.executable, "-c", DRAW_OR_READ], env=env, capture_output=True, text=True, check=True
        ).stdout.split()
        for _ in range(2)
    )
    assert drawn[1] == "True" and read[1] == "False"
    assert drawn[0] == read[0]
    # And the same bytes as a chart drawn in this process, where the tests put the theme on first.
    import hashlib

    plots.theme()
    counts = pd.DataFrame({"met": [2, 3], "not_met": [1, 0]}, index=[2018, 2019])
    assert hashlib.sha256(plots.png(plots.status_counts_chart(counts)).encode()).hexdigest() == drawn[0]
