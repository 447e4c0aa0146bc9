"""Broken and hostile raw files (issue 8, items 2-6 and 15): each is named at its place, never a
traceback, never "OK: 0 values". Every input is built here, small."""

from __future__ import annotations

import codecs

import pytest
from tests.conftest import RAW
from tests.xlsx_tools import inline_row, rewrite, save, sheet_xml, with_sheet_data, workbook_bytes

from zonetrack.cli import main
from zonetrack.ingest import files as stages
from zonetrack.ingest.tables import MAX_COLUMNS

HEADER = ["zone", "year", "revenue"]


def _check(capsys, *paths) -> tuple[int, list[str]]:
    status = main(["check", *map(str, paths), "--raw", str(RAW), "--alone"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return status, captured.err.splitlines()


def _panel(path):
    vocab, _, _ = stages.load_vocabulary(RAW)
    result = stages.ingest_files([path], [], vocab, path.parent)
    values = {
        (z, int(y), i): v
        for z, y, i, v in zip(
            result.panel["zone_id"], result.panel["year"], result.panel["indicator"], result.panel["value"], strict=True
        )
    }
    return values, result.problems


# Item 2: a sheet is read by the cells it holds, not by the size it declares.
@pytest.mark.parametrize("dimension", ["A1:XFD1048576", "A1:XFD5000"])
def test_declared_dimension_is_not_trusted(tmp_path, dimension):
    rows = inline_row(1, HEADER) + inline_row(2, ["changsha", 2017, 5]) + inline_row(1048576, ["zhuzhou", 2017, 7])
    path = save(tmp_path / "bomb.xlsx", with_sheet_data(workbook_bytes({"data": [HEADER]}), rows, dimension))
    values, problems = _panel(path)
    # Two data rows, nothing padded: no problem at all, and row 1,048,576 keeps its number.
    assert [str(p) for p in problems] == []
    assert values == {("changsha", 2017, "revenue"): 5.0, ("zhuzhou", 2017, "revenue"): 7.0}


def test_cells_beyond_the_column_cap_are_a_located_error(tmp_path, capsys):
    far = '<c r="ALN2" t="inlineStr"><is><t>stray</t></is></c>'  # ALN = column 1,028 > 1,000
    rows = inline_row(1, HEADER) + inline_row(2, ["changsha", 2017, 5]).replace("</row>", far + "</row>")
    path = save(tmp_path / "wide.xlsx", with_sheet_data(workbook_bytes({"data": [HEADER]}), rows))
    status, lines = _check(capsys, path)
    assert status == 1
    assert any(f"wide.xlsx[data]:2:ALN: error: data beyond column {MAX_COLUMNS:,}" in line for line in lines)


# Item 3: tracebacks become located errors, or the file is simply read.
def test_csv_with_cr_only_line_ends_is_read(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(b"zone,year,revenue\rchangsha,2017,5\rzhuzhou,2017,7\r")
    values, problems = _panel(path)
    assert problems == []
    assert values == {("changsha", 2017, "revenue"): 5.0, ("zhuzhou", 2017, "revenue"): 7.0}


def test_a_cell_over_the_csv_field_limit_is_reported_short(tmp_path, capsys):
    huge = "x" * 140_000  # over the csv module's default 131,072
    path = tmp_path / "huge.csv"
    path.write_text(f"zone,year,revenue\n{huge},2017,5\n", encoding="utf-8")
    status, lines = _check(capsys, path)
    assert status == 1
    error = next(line for line in lines if ":2:zone: error: unknown zone" in line)
    assert "140,000 characters" in error and len(error) < 400


def test_a_huge_cell_in_the_header_rows_is_not_a_crash(tmp_path, capsys):
    path = tmp_path / "title.csv"
    path.write_text(f"{'t' * 140_000}\nzone,year,revenue\nchangsha,2017,5\n", encoding="utf-8")
    status, lines = _check(capsys, path)
    assert status == 0, lines


def test_truncated_sheet_xml_is_named(tmp_path, capsys):
    data = workbook_bytes({"data": [HEADER, ["changsha", 2017, 5], ["zhuzhou", 2017, 7]]})
    xml = sheet_xml(data)
    path = save(tmp_path / "cut.xlsx", rewrite(data, {"xl/worksheets/sheet1.xml": xml[: len(xml) * 2 // 3]}))
    status, lines = _check(capsys, path)
    assert status == 1
    assert any("cut.xlsx[data]:-:-: error: the sheet's XML is damaged or truncated" in line for line in lines)


def test_error_value_without_error_type_is_located_and_the_rest_is_checked(tmp_path, capsys):
    rows = (
        inline_row(1, HEADER)
        + '<row r="2"><c r="A2" t="inlineStr"><is><t>changsha</t></is></c><c r="B2"><v>2017</v></c>'
        '<c r="C2"><f>1/0</f><v>#DIV/0!</v></c></row>' + inline_row(3, ["atlantis", 2017, 5])
    )
    path = save(tmp_path / "div.xlsx", with_sheet_data(workbook_bytes({"data": [HEADER]}), rows))
    status, lines = _check(capsys, path)
    assert status == 1
    assert any("div.xlsx[data]:2:revenue: error: Excel error value '#DIV/0!'" in line for line in lines)
    # The check went on: the unknown zone on the next row is reported too.
    assert any("div.xlsx[data]:3:zone: error: unknown zone 'atlantis'" in line for line in lines)


def test_ragged_rows_and_whitespace_lines(tmp_path, capsys):
    path = tmp_path / "ragged.csv"
    path.write_text(
        "zone,year,revenue\nchangsha,2017,5\n   \nzhuzhou,2017\nxiangtan,2017,3,,\nyiyang,2017,4,9\n",
        encoding="utf-8",
    )
    status, lines = _check(capsys, path)
    assert status == 1
    # Line 3 is whitespace: no row. Line 4 is short and line 6 has a value past the header: errors
    # at their lines. Line 5 only has trailing empty fields: read.
    errors = [line for line in lines if ": error: " in line]
    assert [e.split(": error: ")[0] for e in errors] == [f"{path.as_posix()}:4:-", f"{path.as_posix()}:6:-"]
    assert "row has 2 fields, the header has 3" in errors[0]
    values, _ = _panel(path)
    assert values == {("changsha", 2017, "revenue"): 5.0, ("xiangtan", 2017, "revenue"): 3.0}


def test_a_note_under_the_table_is_read_alike_when_a_quoted_cell_spans_lines(tmp_path, capsys):
    # A quoted note over two lines sends the file to the line-by-line parser; its rows are judged by
    # the same rule as the fast parser's: the one-text footnote at line 5 is set aside, not refused,
    # and the short row at line 6 is an error at its line. Lines: 1 header, 2-3 changsha (its note
    # spans them), 4 zhuzhou, 5 the footnote, 6 xiangtan missing a field.
    path = tmp_path / "multiline.csv"
    path.write_text(
        'zone,year,revenue,note\nchangsha,2017,5,"first line\nsecond line"\nzhuzhou,2017,7,\n'
        "注：示例数据\nxiangtan,2017\n",
        encoding="utf-8",
    )
    status, lines = _check(capsys, path)
    assert status == 1
    errors = [line for line in lines if ": error: " in line]
    assert errors == [
        f"{path.as_posix()}:6:-: error: row has 2 fields, the header has 4 (a missing or extra comma?); "
        "the row is not read"
    ]
    assert any(f"{path.as_posix()}:5:-: note: footnote row set aside" in line for line in lines)
    values, _ = _panel(path)
    assert values == {("changsha", 2017, "revenue"): 5.0, ("zhuzhou", 2017, "revenue"): 7.0}


@pytest.mark.parametrize("bom", [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])
def test_utf16_with_a_byte_order_mark_is_read(tmp_path, bom):
    encoding = "utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be"
    path = tmp_path / "utf16.csv"
    path.write_bytes(bom + "高新区,年份,营业收入(亿元)\n长沙高新区,2017,5\n".encode(encoding))
    values, problems = _panel(path)
    assert problems == [] and values == {("changsha", 2017, "revenue"): 5.0}


def test_utf16_without_a_byte_order_mark_says_so(tmp_path, capsys):
    path = tmp_path / "nobom.csv"
    path.write_bytes("zone,year,revenue\nchangsha,2017,5\n".encode("utf-16-le"))
    status, lines = _check(capsys, path)
    assert status == 1
    assert any("nobom.csv:-:-: error: unreadable file: binary content" in line and "UTF-16" in line for line in lines)


def _raw_with_zones(tmp_path, text: str, encoding: str = "utf-8"):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "indicators.csv").write_bytes((RAW / "indicators.csv").read_bytes())
    (raw / "layout.csv").write_bytes((RAW / "layout.csv").read_bytes())
    (raw / "zones.csv").write_bytes(text.encode(encoding))
    return raw


ZONES = "zone_id,name_zh,name_en,city,provincial_since,national_since,source\n"


def test_zones_csv_with_a_year_in_words_is_located(tmp_path, capsys):
    raw = _raw_with_zones(tmp_path, ZONES + "changsha,长沙高新技术产业开发区,Changsha,长沙市,2010年,,src\n")
    data = tmp_path / "a.csv"
    data.write_text("zone,year,revenue\nchangsha,2017,5\n", encoding="utf-8")
    assert main(["check", str(data), "--raw", str(raw)]) == 2
    err = capsys.readouterr().err
    assert f"{(raw / 'zones.csv').as_posix()}:2:provincial_since: error: '2010年' is not a whole year" in err
    assert "Traceback" not in err


def test_zones_csv_in_gb18030_is_read(tmp_path, capsys):
    raw = _raw_with_zones(tmp_path, ZONES + "changsha,长沙高新技术产业开发区,Changsha,长沙市,,1991,src\n", "gb18030")
    data = tmp_path / "a.csv"
    data.write_text("高新区,年份,营业收入\n长沙高新区,2017,5\n", encoding="utf-8")
    assert main(["check", str(data), "--raw", str(raw)]) == 0


# Item 4: what would be lost silently is an error that says what to do.
def test_formulas_without_saved_values_are_errors(tmp_path, capsys):
    rows = (
        inline_row(1, HEADER)
        + '<row r="2"><c r="A2" t="inlineStr"><is><t>changsha</t></is></c><c r="B2"><v>2017</v></c>'
        '<c r="C2"><f>SUM(D2:E2)</f></c></row>'
    )
    path = save(tmp_path / "nocache.xlsx", with_sheet_data(workbook_bytes({"data": [HEADER]}), rows))
    status, lines = _check(capsys, path)
    assert status == 1
    assert any(
        "nocache.xlsx[data]:2:revenue: error: formula without a saved value" in line and "open it in Excel" in line
        for line in lines
    )
    assert not any("OK: 0 values" in line for line in lines)


def test_a_missing_sheet_part_is_an_error(tmp_path, capsys):
    data = workbook_bytes({"data": [HEADER, ["changsha", 2017, 5]]})
    path = save(tmp_path / "nopart.xlsx", rewrite(data, {"xl/worksheets/sheet1.xml": None}))
    status, lines = _check(capsys, path)
    assert status == 1
    assert any("nopart.xlsx[data]:-:-: error: the workbook declares this sheet but its part" in line for line in lines)
    assert any("re-export" in line for line in lines)


# Item 5: inf, -inf and nan are not numbers a statistics office writes.
@pytest.mark.parametrize("token", ["inf", "-inf", "nan", "NaN", "Infinity"])
def test_non_finite_numbers_are_located_errors(tmp_path, capsys, token):
    path = tmp_path / "inf.csv"
    path.write_text(f"zone,year,revenue\nchangsha,2017,5\nzhuzhou,2017,{token}\n", encoding="utf-8")
    status, lines = _check(capsys, path)
    assert status == 1
    assert any(f"inf.csv:3:revenue: error: unparseable number '{token}'" in line for line in lines), lines


def test_non_finite_numbers_in_a_workbook(tmp_path, capsys):
    rows = inline_row(1, HEADER) + '<row r="2"><c r="A2" t="inlineStr"><is><t>changsha</t></is></c>'
    rows += '<c r="B2"><v>2017</v></c><c r="C2"><v>1E999</v></c></row>'
    path = save(tmp_path / "inf.xlsx", with_sheet_data(workbook_bytes({"data": [HEADER]}), rows))
    status, lines = _check(capsys, path)
    assert status == 1
    assert any("inf.xlsx[data]:2:revenue: error: '1E999' is not a finite number" in line for line in lines)


# Item 6: empty styled header cells are no columns; a file name cannot forge a line of output.
def test_empty_styled_header_cells_are_not_unknown_headers(tmp_path):
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "data"
    sheet.append(HEADER)
    sheet.append(["changsha", 2017, 5])
    for column in ("D", "E", "F"):
        sheet[f"{column}1"].fill = PatternFill("solid", start_color="FFFF00")
    book.save(tmp_path / "styled.xlsx")
    values, problems = _panel(tmp_path / "styled.xlsx")
    assert problems == [] and values == {("changsha", 2017, "revenue"): 5.0}


def test_a_newline_in_a_file_name_cannot_forge_output(tmp_path, capsys):
    path = tmp_path / "a\nOK: 0 values.csv"
    path.write_text("zone,year,revenue\natlantis,2017,5\n", encoding="utf-8")
    status, lines = _check(capsys, path)
    assert status == 1
    assert not any(line.startswith("OK: 0 values") for line in lines)
    assert any("a\\nOK: 0 values.csv:2:zone: error" in line for line in lines)


# Item 15: many empty header columns are read in linear time, and a cap is an error, not a stall.
def test_twenty_thousand_empty_header_columns(tmp_path):
    path = tmp_path / "empty_columns.csv"
    pad = "," * 20_000
    path.write_text(f"zone,year,revenue{pad}\nchangsha,2017,5{pad}\nzhuzhou,2017,7\n", encoding="utf-8")
    values, problems = _panel(path)
    assert problems == []
    assert values == {("changsha", 2017, "revenue"): 5.0, ("zhuzhou", 2017, "revenue"): 7.0}


def test_more_columns_than_the_cap_is_one_error(tmp_path, capsys):
    path = tmp_path / "too_wide.csv"
    names = ",".join(f"x{i}" for i in range(MAX_COLUMNS + 5))
    path.write_text(f"zone,year,{names}\nchangsha,2017\n", encoding="utf-8")
    status, lines = _check(capsys, path)
    assert status == 1
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 1 and f"more than {MAX_COLUMNS:,} columns are not read" in errors[0]


def test_thousands_of_copies_of_one_row_are_one_bounded_message(tmp_path, capsys):
    # 6,000 copies of one row (144 KB): one error, at the last copy, naming the first three places
    # and how many there are (the message listed all 6,000 places for each of the 6,000 rows before).
    path = tmp_path / "copies.csv"
    path.write_text("zone,year,revenue\n" + "changsha,2017,100\n" * 6000, encoding="utf-8")
    status, lines = _check(capsys, path)
    errors = [line for line in lines if ": error: " in line]
    assert status == 1 and len(errors) == 1
    assert errors[0].startswith(f"{path.as_posix()}:6001:revenue: error: duplicate zone_id-year-indicator")
    assert errors[0].endswith(f"{path.as_posix()}:4:revenue and 5,997 more (6,000 in all)")
    # Bounded: the location and the first three places (five copies of the path), whatever the count.
    assert len(errors[0]) < 5 * len(path.as_posix()) + 200


def test_a_comma_that_does_not_group_digits_by_three_is_an_error_never_dropped(tmp_path, capsys):
    # "1,23" was read as 123 (every comma dropped). 12,345,678.9 and the full-width １，２３４ group
    # their digits by three and stay numbers (revenue, in 亿元 as the header names no unit).
    path = tmp_path / "commas.csv"
    path.write_text(
        'zone,year,revenue\nchangsha,2017,"1,23"\nzhuzhou,2017,"12,345,678.9"\nxiangtan,2017,"１，２３４"\n',
        encoding="utf-8",
    )
    status, lines = _check(capsys, path)
    errors = [line for line in lines if ": error: " in line]
    assert status == 1 and len(errors) == 1
    assert errors[0] == (
        f"{path.as_posix()}:2:revenue: error: unparseable number (a comma stands between groups of three digits, "
        "as in 1,234.5): '1,23'"
    )
    path.write_text('zone,year,revenue\nzhuzhou,2017,"12,345,678.9"\nxiangtan,2017,"１，２３４"\n', encoding="utf-8")
    found, _ = _panel(path)
    assert found[("zhuzhou", 2017, "revenue")] == 12345678.9
    assert found[("xiangtan", 2017, "revenue")] == 1234.0


def test_a_clusters_file_with_a_header_and_no_rows_is_no_clusters(tmp_path, capsys):
    folder = tmp_path / "raw"
    folder.mkdir()
    path = folder / "clusters.csv"
    path.write_text("zone,year,cluster,revenue\n", encoding="utf-8")
    status, lines = _check(capsys, path)
    assert status == 0
    assert f"{path.as_posix()}:1:-: warning: no data rows below the header" in lines
