"""data/raw/layout.csv: the words offices write around their figures are data; a new spelling is one
row, and every mistake in the file is an error at its row."""

from __future__ import annotations

import pytest
from openpyxl import Workbook
from tests.conftest import RAW

from zonetrack.cli import main
from zonetrack.ingest import load_layout
from zonetrack.problems import ProblemsError


def _office_workbook(path, zone_header: str, hidden: str | None = None, extra: str | None = None) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "2027年"
    sheet.append(["2027年高新区主要指标"])
    sheet.append(["单位：亿元"])
    sheet.append(["序号", zone_header, "营业收入", extra or "高新技术企业数"])
    sheet.append([1, "长沙高新区", 9818.7, 1200])
    sheet.append([2, "株洲高新区", 4896.5, 600])
    if hidden:
        sheet.column_dimensions[hidden].hidden = True
    book.save(path)


def test_a_new_zone_header_is_one_row_of_layout_csv(raw_copy, tmp_path, capsys):
    book = tmp_path / "2027.xlsx"
    _office_workbook(book, "开发区名称")
    assert main(["check", str(book), "--raw", str(raw_copy), "--alone"]) == 1
    err = capsys.readouterr().err
    assert "missing required column: no header row naming a zone" in err
    assert "`zone` row in data/raw/layout.csv" in err
    with (raw_copy / "layout.csv").open("a", encoding="utf-8") as layout:
        layout.write("zone,开发区名称,\n")
    assert main(["check", str(book), "--raw", str(raw_copy), "--alone"]) == 0
    # Two zones × two indicators, 9818.7 and 4896.5 亿元, 1200 and 600 家.
    assert "OK: 4 values" in capsys.readouterr().err


def test_an_unknown_column_names_its_cell_and_says_it_is_hidden(raw_copy, tmp_path, capsys):
    book = tmp_path / "2027.xlsx"
    _office_workbook(book, "高新区", hidden="D", extra="土地出让金(万元)")
    assert main(["check", str(book), "--raw", str(raw_copy), "--alone"]) == 1
    err = capsys.readouterr().err
    assert ":3:土地出让金(万元): error: unknown indicator '土地出让金' at cell D3, a hidden column:" in err
    assert "`descriptive` or `derived` row in data/raw/layout.csv" in err


def test_a_derived_column_is_set_aside_only_when_no_indicator_matches(raw_copy, tmp_path, capsys):
    # 营业收入增速 carries the derived word 增速 and names no indicator: set aside, with a note at D3.
    book = tmp_path / "2027.xlsx"
    _office_workbook(book, "高新区", extra="营业收入增速(%)")
    assert main(["check", str(book), "--raw", str(raw_copy), "--alone"]) == 0
    err = capsys.readouterr().err
    assert "column '营业收入增速(%)' (cell D3) set aside: it is derived from other figures" in err
    assert "OK: 2 values" in err  # the two revenues only
    # An indicator whose own spelling holds the word stays an indicator: alias 高企增速 for a count.
    text = (raw_copy / "indicators.csv").read_text(encoding="utf-8").replace("高企数|", "高企数|高企增速|", 1)
    assert text != (raw_copy / "indicators.csv").read_text(encoding="utf-8")
    (raw_copy / "indicators.csv").write_text(text, encoding="utf-8")
    _office_workbook(book, "高新区", extra="高企增速")
    assert main(["check", str(book), "--raw", str(raw_copy), "--alone"]) == 0
    assert "OK: 4 values" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("zon,开发区名称,", "layout.csv:{n}:role: error: unknown role 'zon'; did you mean `zone`?"),
        ("zone,,", "layout.csv:{n}:spelling: error: a zone row without a spelling"),
        ("zone,高新区,", "layout.csv:{n}:spelling: error: '高新区' is given twice as zone"),
        (
            "year,园区,",
            ("layout.csv:{n}:spelling: error: '园区' is already a zone header (row 5): a header has one role"),
        ),
    ],
)
def test_a_mistake_in_layout_csv_is_an_error_at_its_row(tmp_path, row, message):
    text = (RAW / "layout.csv").read_text(encoding="utf-8")
    n = len(text.splitlines()) + 1  # the header is line 1; the appended row comes after every line
    path = tmp_path / "layout.csv"
    path.write_text(text + row + "\n", encoding="utf-8")
    with pytest.raises(ProblemsError) as raised:
        load_layout(path)
    assert [str(p).split("/")[-1] for p in raised.value.problems] == [message.format(n=n)]


def test_without_layout_csv_ingest_says_what_is_missing(raw_copy, capsys):
    (raw_copy / "layout.csv").unlink()
    assert main(["ingest", "--raw", str(raw_copy), "--out", str(raw_copy.parent / "out")]) == 2  # a file people edit
    assert "layout.csv:-:-: error: missing: the words offices write around their figures" in capsys.readouterr().err
