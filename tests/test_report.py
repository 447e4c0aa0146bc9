"""Report helpers: escaping, the Excel scorecard, the scenario banner."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import load_workbook

from zonetrack.publish import scorecard_workbook, strip_volatile
from zonetrack.report import ReportData, esc, headline_html, title_html, zone_table_html

XSS = "<script>alert(1)</script>"


def _data(registry_names: list[str], changes=None) -> ReportData:
    registry = pd.DataFrame(
        {
            "zone_id": ["x", "y"],
            "name_zh": registry_names,
            "name_en": ["X", "Y"],
            "city": ["c", "c"],
            "provincial_since": pd.array([None, None], dtype="Int64"),
            "national_since": pd.array([None, None], dtype="Int64"),
            "source": ["s", "s"],
        }
    )
    card = pd.DataFrame(
        {
            "year": [2019] * 3,
            "target_id": ["t", "t", "t"],
            "zone_id": ["ALL", "x", "y"],
            "value": [0.5, 3.0, 1.0],
            "base_value": [None, 1.0, 1.0],
            "target_value": [1.0, 2.0, 2.0],
            "actual_rate": None,
            "required_rate": None,
            "ratio": None,
            "status": ["not_met", "met", "not_met"],
            "coverage": [1.0, None, None],
        }
    )
    params = {
        "plan": {"name_zh": XSS, "base_year": 2016, "target_year": 2019},
        "status": {"on_track": 0.95, "needs_acceleration": 0.6},
        "targets": {"t": {"rule": "count", "scope": "each", "min": 2, "text_zh": XSS, "text_en": "e"}},
    }
    return ReportData(
        2019,
        params,
        changes or [],
        card,
        card,
        {"files": [XSS], "illustrative": True, "illustrative_share": 1.0},
        registry,
        pd.DataFrame(),
        "abc",
    )


def test_strings_from_data_are_escaped():
    data = _data([XSS, "乙"], changes=[("targets.t.min", 2, XSS)])
    page = title_html(data) + headline_html(data) + zone_table_html(data)
    assert XSS not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert esc('"&') == "&quot;&amp;"


def test_banners_for_illustrative_data_and_scenario():
    page = title_html(_data(["甲", "乙"], changes=[("targets.t.min", 2, 3)]))
    assert "Illustrative data" in page
    assert "targets.t.min" in page and "<td>2</td><td>3</td>" in page
    assert "Scenario" not in title_html(_data(["甲", "乙"]))


def test_headline_shows_the_scorecard_status_with_symbol_and_colour():
    page = headline_html(_data(["甲", "乙"]))
    assert "✘ 未达标 not met" in page and "#a50026" in page
    assert "50.00%" in page  # each: share of assessed zones met, 1 of 2


def test_excel_scorecard_keeps_formula_like_text_as_text():
    card = pd.DataFrame(
        {
            "year": [2019, 2019, 2019, 2019],
            "target_id": ["t"] * 4,
            "zone_id": ["=1+1", "+cmd", "-2+3", "@SUM(A1)"],
            "value": [1.0, -2.0, None, 4.0],
            "status": ["met", "not_met", "no_data", "on_track"],
        }
    )
    book = load_workbook(io.BytesIO(scorecard_workbook(card, {"t": {"text_zh": '=HYPERLINK("x")'}}, {})))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    zone_col = header.index("zone_id") + 1
    for row, expected in zip(range(2, 6), ["=1+1", "+cmd", "-2+3", "@SUM(A1)"], strict=True):
        cell = sheet.cell(row=row, column=zone_col)
        assert cell.value == expected and cell.data_type == "s"
    target_zh = sheet.cell(row=2, column=header.index("target_zh") + 1)
    assert target_zh.data_type == "s" and target_zh.value == '=HYPERLINK("x")'
    value_col = header.index("value") + 1
    assert sheet.cell(row=3, column=value_col).value == -2.0  # numbers stay numbers
    assert sheet.cell(row=4, column=value_col).value is None  # missing stays empty, never 0
    status_col = header.index("status") + 1
    assert sheet.cell(row=2, column=status_col).fill.start_color.rgb.endswith("1A9850")


def test_strip_volatile_makes_ids_and_timings_stable():
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["papermill"] = {"start_time": "x", "duration": 1.0, "parameters": {"year": 2019}}
    cell = nbformat.v4.new_code_cell("1")
    cell.metadata["execution"] = {"iopub.status.busy": "t"}
    notebook.cells = [cell]
    stripped = strip_volatile(notebook)
    assert stripped.metadata["papermill"] == {"parameters": {"year": 2019}}
    assert stripped.cells[0]["id"] == "cell-00" and "execution" not in stripped.cells[0].metadata
