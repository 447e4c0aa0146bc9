"""Reading raw files into sheets of located cells (CSV in any accepted encoding, XLSX), and finding
the table on each sheet: its header (one row or two), what stands above it, and its data rows.

Files are read by what they hold, never by what they declare: an XLSX sheet that declares a
million rows is read by the rows it has, and every cap below is an error at a place, not a crash.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from zonetrack.io import UnreadableFile, decode
from zonetrack.problems import ERROR, WARNING, Problem

HEADER_SEARCH_ROWS = 30
# Caps (README, "What ingest accepts"): Excel's own row limit, and far more columns than any
# zone table has. Beyond them a file is refused at the first cell past the cap.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 1_000
MAX_SHEET_XML_BYTES = 1 << 30
# Table formats an analyst may receive that ingest does not read: refusing them beats skipping them.
UNSUPPORTED_TABLES = frozenset({".xls", ".xlsm", ".xlsb", ".ods", ".tsv", ".txt", ".dbf", ".json"})

csv.field_size_limit(1 << 30)  # a long cell is data to report, not a reason to crash


@dataclass
class Sheet:
    """The non-empty rows of one CSV file or workbook sheet, each with its row number in the file.

    `rows` holds lists of cell values (str, float, int, bool or None); `merges` the merged ranges as
    (first row, first column, last row, last column), 1-based; `problems` what was wrong with cells
    while reading them (a formula without a saved value, a damaged number).
    """

    label: str
    name: str | None
    numbers: list[int]
    rows: list[list[object]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    hidden: frozenset[int] = frozenset()  # 0-based indices of the columns the workbook hides
    body: Callable[[int, int], tuple[pd.DataFrame, np.ndarray, list[Problem]]] | None = None


@dataclass
class RawTable:
    """A table found on a sheet: header, data rows (with their row numbers), and what stood above.

    `groups` holds, for a header over two rows, the upper row's text over each column (merged
    group headers spread over the columns they cover); `preamble` the texts above the header with
    their row numbers (titles, unit lines); `sheet` the sheet's name (None for a CSV file).
    """

    label: str
    header: list[str]
    header_row: int
    frame: pd.DataFrame
    rows: np.ndarray
    groups: list[str] | None = None
    preamble: list[tuple[int, str]] = field(default_factory=list)
    sheet: str | None = None
    hidden: frozenset[int] = frozenset()  # 0-based indices of the columns the workbook hides
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # as Sheet.merges


@dataclass
class Untabled:
    """A file or sheet in whose first rows no header row was found; its first rows, for diagnosis."""

    label: str
    head: list[list[str]]
    numbers: list[int] = field(default_factory=list)


def cell_text(value: object) -> str:
    """A cell as header text: strip spaces; a whole float as an integer (2020.0 → 2020)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---------------------------------------------------------------------------------------- CSV


def read_csv_sheet(path: Path, label: str) -> Sheet:
    """A CSV file as a sheet whose head rows are parsed now and whose body is parsed on demand."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UnreadableFile(error.strerror or str(error)) from error
    text = decode(raw)
    if "\r" in text:  # CR-only (old Mac) and CRLF line ends alike
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(io.StringIO(text))
    numbers, ends, rows = [], [], []
    while len(rows) < HEADER_SEARCH_ROWS:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise UnreadableFile(f"line {start}: cannot parse as CSV: {error}") from None
        if any(f.strip() for f in fields):
            numbers.append(start)
            ends.append(reader.line_num)
            rows.append(list(fields))
    sheet = Sheet(label, None, numbers, rows)
    sheet.body = lambda index, width: _csv_body(text, label, ends[index], width)
    return sheet


def _csv_body(text: str, label: str, header_end: int, width: int) -> tuple[pd.DataFrame, np.ndarray, list[Problem]]:
    """The data rows below the header's last line as text columns, with their line numbers.

    pyarrow parses the body; rows whose field count differs from the header's are handed back and
    judged here: a blank or whitespace-only line is no row, trailing empty fields are dropped, and
    any other mismatch is an error at that line.
    """
    body = text[_offset_after_line(text, header_end) :]
    if _has_multiline_quotes(body):
        return _csv_body_python(body, label, header_end, width)
    names = [f"c{i}" for i in range(width)]
    invalid: list[tuple[int | None, str]] = []

    def handler(row) -> str:
        invalid.append((row.number, row.text))
        return "skip"

    table = _arrow_read(body, names, handler, threads=True)
    if invalid and any(number is None for number, _ in invalid):
        invalid.clear()
        table = _arrow_read(body, names, handler, threads=False)
    # Arrow-backed strings (pandas' own string dtype): no Python object per cell.
    frame = pd.DataFrame({name: pd.arrays.ArrowStringArray(table.column(name)) for name in names})
    numbers = np.arange(1, len(frame) + len(invalid) + 1, dtype="int64")
    if invalid:
        numbers = numbers[~np.isin(numbers, [number for number, _ in invalid])]
    numbers += header_end
    problems, extra_rows, extra_numbers = [], [], []
    for number, row_text in invalid:
        line = header_end + number
        if not row_text.strip():
            continue
        fields = next(csv.reader([row_text]))
        if _readable_short_or_long(fields, width):
            extra_rows.append(_pad(fields, width)[:width])
            extra_numbers.append(line)
            continue
        problems.append(_field_count_problem(label, line, len(fields), width))
    if extra_rows:
        frame = pd.concat([frame, pd.DataFrame(extra_rows, columns=names, dtype="string")], ignore_index=True)
        numbers = np.concatenate([numbers, np.array(extra_numbers, dtype="int64")])
        order = np.argsort(numbers, kind="stable")
        frame, numbers = frame.iloc[order].reset_index(drop=True), numbers[order]
    return frame, numbers, problems


def _field_count_problem(label: str, line: int, count: int, width: int) -> Problem:
    message = f"row has {count} fields, the header has {width} (a missing or extra comma?); the row is not read"
    return Problem(label, line, None, ERROR, message)


def _readable_short_or_long(fields: list[str], width: int) -> bool:
    """A row whose field count differs from the header's but which is still whole: only trailing
    empty fields past the header, or a single text (a note under the table, 注：…), which the cells
    set aside and report. Any other mismatch is an error at the row."""
    if len(fields) > width:
        return not any(f.strip() for f in fields[width:])
    return sum(1 for f in fields if f.strip()) == 1 and bool(fields[0].strip())


def _offset_after_line(text: str, line: int) -> int:
    """Character offset just after the given (1-based) line."""
    offset = 0
    for _ in range(line):
        found = text.find("\n", offset)
        if found < 0:
            return len(text)
        offset = found + 1
    return offset


def _has_multiline_quotes(body: str) -> bool:
    """Whether a quoted field spans lines (then line numbers need the Python parser)."""
    if '"' not in body:
        return False
    return any(line.count('"') % 2 for line in body.split("\n") if '"' in line)


def _arrow_read(body: str, names: list[str], handler, threads: bool):
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    if not body.strip():  # a header and no rows (clusters.csv of a year with no cluster): no rows
        return pa.table({name: pa.array([], type=pa.string()) for name in names})
    try:
        return pa_csv.read_csv(
            io.BytesIO(body.encode("utf-8")),
            read_options=pa_csv.ReadOptions(column_names=names, use_threads=threads),
            parse_options=pa_csv.ParseOptions(
                invalid_row_handler=handler, ignore_empty_lines=False, newlines_in_values=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as error:
        raise UnreadableFile(f"cannot parse as CSV: {str(error).splitlines()[0]}") from None


def _csv_body_python(body: str, label: str, header_end: int, width: int):
    """The body with Python's parser, for files whose quoted fields hold line breaks."""
    reader = csv.reader(io.StringIO(body))
    rows, numbers, problems = [], [], []
    while True:
        start = header_end + reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Problem(label, start, None, ERROR, f"cannot parse as CSV: {error}"))
            break
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != width and not _readable_short_or_long(fields, width):
            problems.append(_field_count_problem(label, start, len(fields), width))
            continue
        rows.append(_pad(fields, width)[:width])
        numbers.append(start)
    frame = pd.DataFrame(rows, columns=[f"c{i}" for i in range(width)], dtype=object)
    return frame, np.array(numbers, dtype="int64"), problems


# --------------------------------------------------------------------------------------- XLSX


class _Fault:
    """A cell whose value cannot be used; the reason is reported where the cell is (a date, only
    below the table's header: a title or a note may carry one)."""

    __slots__ = ("below_header_only", "reason")

    def __init__(self, reason: str, below_header_only: bool = False):
        self.reason = reason
        self.below_header_only = below_header_only


def _sheet_parser_class():
    """openpyxl's own sheet parser, told to report bad cells instead of raising on them."""
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class SheetParser(WorkSheetParser):
        def parse_cell(self, element):
            formula = element.find(FORMULA_TAG) is not None
            saved = element.findtext(VALUE_TAG)
            try:
                cell = super().parse_cell(element)
            except (ValueError, TypeError, IndexError, KeyError, OverflowError):
                coordinate = element.get("r")
                row, column = coordinate_to_tuple(coordinate) if coordinate else (self.row_counter, self.col_counter)
                shown = (saved or "")[:40]
                reason = (
                    f"Excel error value '{shown}' (a formula that failed): fix the formula or enter the value"
                    if shown.startswith("#")
                    else f"damaged cell value '{shown}' for its type: re-export the workbook"
                )
                return {"row": row, "column": column, "value": _Fault(reason), "data_type": "e", "style_id": 0}
            # A program's writer (openpyxl's among them) saves a formula with an empty result,
            # <v/>: as missing a saved value as no <v> at all.
            if formula and not saved:
                cell["value"] = _Fault(
                    "formula without a saved value (the file was written by a program and never saved in "
                    "Excel): open it in Excel and save it, or export the values"
                )
            elif cell["data_type"] == "e":
                cell["value"] = _Fault(
                    f"Excel error value '{cell['value']}' (a formula that failed): fix the formula or enter the value"
                )
            elif isinstance(cell["value"], float) and not np.isfinite(cell["value"]):
                cell["value"] = _Fault(f"'{saved}' is not a finite number")
            elif isinstance(cell["value"], datetime.date | datetime.time | datetime.timedelta):
                # Excel turns 5-1 or 3/4 into a date by itself; its serial number is no figure.
                cell["value"] = _Fault(
                    f"a date or time ({cell['value']}, Excel's serial {saved}) where a figure belongs: Excel turns "
                    "entries like 5-1 or 3/4 into dates; format the cell as a number (or text) and enter the figure",
                    below_header_only=True,
                )
            return cell

    return SheetParser


def read_xlsx_sheets(path: Path, label: str) -> tuple[list[Sheet], list[Problem]]:
    """Every worksheet of a workbook as a sheet of the cells it holds; problems with missing parts."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    try:
        reader = ExcelReader(str(path), read_only=True, data_only=True)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        # The styles say which numbers are dates (a serial number in a figure cell is an error).
        apply_stylesheet(reader.archive, reader.wb)
        declared = list(reader.parser.find_sheets())
    except Exception as error:  # openpyxl raises many kinds for a damaged package
        raise UnreadableFile(f"cannot open as XLSX: {type(error).__name__}: {error}".splitlines()[0]) from None
    parser_class = _sheet_parser_class()
    sheets, problems = [], []
    try:
        for sheet, rel in declared:
            sheet_label = f"{label}[{sheet.name}]"
            if "chartsheet" in (rel.Type or ""):
                continue
            if rel.target not in reader.valid_files:
                problems.append(
                    Problem(
                        sheet_label,
                        None,
                        None,
                        ERROR,
                        f"the workbook declares this sheet but its part {rel.target} is missing: the file is "
                        "damaged; re-export it from the program that made it",
                    )
                )
                continue
            if reader.archive.getinfo(rel.target).file_size > MAX_SHEET_XML_BYTES:
                problems.append(Problem(sheet_label, None, None, ERROR, "sheet too large to read (over 1 GiB of XML)"))
                continue
            sheets.append(_read_sheet(reader, rel.target, sheet.name, sheet_label, parser_class))
    finally:
        reader.archive.close()
    if not declared:
        problems.append(Problem(label, None, None, ERROR, "the workbook has no sheets: re-export it"))
    return sheets, problems


def _date_styles(reader) -> set[int]:
    """The workbook's cell styles that show a number as a date or time, as openpyxl's stylesheet
    reader (applied when the workbook was opened) found them."""
    return set(getattr(reader.wb, "_date_formats", set())) | set(getattr(reader.wb, "_timedelta_formats", set()))


def _read_sheet(reader, part: str, name: str, label: str, parser_class) -> Sheet:
    from xml.etree.ElementTree import ParseError

    numbers, rows, problems = [], [], []
    last = 0
    try:
        with reader.archive.open(part) as source:
            parser = parser_class(source, reader.shared_strings, data_only=True, date_formats=_date_styles(reader))
            for number, cells in parser.parse():
                last = number
                values = _row_values(cells, number, label, problems)
                if values is not None:
                    numbers.append(number)
                    rows.append(values)
            merges = [
                (r.min_row, r.min_col, r.max_row, r.max_col)
                for r in (parser.merged_cells.mergeCell if parser.merged_cells is not None else [])
            ]
            hidden = _hidden_columns(parser.column_dimensions.values())
    except (ParseError, zipfile.BadZipFile, EOFError, ValueError) as error:
        where = f"after row {last}" if last else "before its first row"
        problems.append(
            Problem(
                label,
                None,
                None,
                ERROR,
                f"the sheet's XML is damaged or truncated {where} ({type(error).__name__}): re-export the workbook",
            )
        )
        return Sheet(label, name, [], [], [], problems)
    return Sheet(label, name, numbers, rows, merges, problems, hidden)


def _hidden_columns(dimensions) -> frozenset[int]:
    """The 0-based indices of the columns a sheet's <col min max hidden> elements hide."""
    hidden = set()
    for attributes in dimensions:
        if str(attributes.get("hidden", "")).lower() in ("1", "true"):
            first, last = int(attributes.get("min", 0)), int(attributes.get("max", 0))
            hidden.update(range(first - 1, min(last, MAX_COLUMNS)))
    return frozenset(hidden)


def _row_values(cells: list[dict], number: int, label: str, problems: list[Problem]) -> list[object] | None:
    """A parsed row as a list of values from column A; None when it holds nothing."""
    present = [
        c for c in cells if c["value"] is not None and not (isinstance(c["value"], str) and not c["value"].strip())
    ]
    if not present:
        return None
    if number > MAX_ROWS:
        problems.append(Problem(label, number, None, ERROR, f"row beyond Excel's limit of {MAX_ROWS:,}"))
        return None
    beyond = [c for c in present if c["column"] > MAX_COLUMNS]
    if beyond:
        first = column_letter(beyond[0]["column"] - 1)
        problems.append(
            Problem(
                label, number, first, ERROR, f"data beyond column {MAX_COLUMNS:,} is not read (cell {first}{number})"
            )
        )
        present = [c for c in present if c["column"] <= MAX_COLUMNS]
    width = max(c["column"] for c in present)
    values: list[object] = [None] * width
    for cell in present:
        values[cell["column"] - 1] = cell["value"]
    return values


# ------------------------------------------------------------------------------ header search


def find_header(
    sheet: Sheet, zone_column: Callable[[list[str]], int | None]
) -> tuple[int, list[str], list[str] | None] | None:
    """(index in sheet.rows, header texts, group texts or None) of the table's header, if any.

    The header is the first row that names a zone column. When the row right below it leaves the
    zone column empty (or merged) and holds only text, the header spans two rows: the upper one
    names groups (技术合同, merged over its columns), the lower one the columns or their units.
    """
    head = [[cell_text(v) for v in row] for row in sheet.rows[:HEADER_SEARCH_ROWS]]
    spread = _spread_merges(sheet, head)
    for index, fields in enumerate(spread):
        zone = zone_column(fields)
        if zone is None:
            continue
        if index + 1 < len(spread) and sheet.numbers[index + 1] == sheet.numbers[index] + 1:
            below = spread[index + 1]
            texts = [t for t in below if t]
            zone_free = zone >= len(below) or not below[zone] or below[zone] == fields[zone]
            if texts and zone_free and not any(looks_numeric(t) for t in texts):
                width = max(len(fields), len(below))
                return index + 1, _pad(below, width), _pad(fields, width)
        if index > 0 and sheet.numbers[index - 1] == sheet.numbers[index] - 1:
            groups = _group_row(sheet, index - 1, spread[index - 1], len(fields))
            if groups is not None:
                width = max(len(fields), len(groups))
                return index, _pad(fields, width), _pad(groups, width)
        return index, fields, None
    return None


def _group_row(sheet: Sheet, index: int, fields: list[str], width: int) -> list[str] | None:
    """The row right above a header as group headers over its columns, if it is one: in a workbook,
    a row with a merged cell over some (not all) of the table's columns; in a CSV file, a row of two
    or more text cells, each spread over the empty cells to its right."""
    number = sheet.numbers[index]
    texts = [t for t in fields if t]
    if not texts or any(looks_numeric(t) for t in texts):
        return None
    if sheet.merges:
        spans = [m for m in sheet.merges if m[0] == number and m[3] > m[1] and (m[3] - m[1] + 1) < width]
        return fields if spans else None
    if len(texts) < 2:
        return None
    filled, last = [], ""
    for text in fields:
        last = text or last
        filled.append(last)
    return filled


_NUMERIC = re.compile(r"^[+-]?[\d,]*\.?\d+(e[+-]?\d+)?\s*[万亿]?$", re.IGNORECASE)


def looks_numeric(text: str) -> bool:
    """Whether a cell's text is a number (as data rows hold), not a header."""
    return bool(_NUMERIC.match(unicodedata.normalize("NFKC", text).strip()))


def _pad(fields: list[str], width: int) -> list[str]:
    return fields + [""] * (width - len(fields))


def _spread_merges(sheet: Sheet, head: list[list[str]]) -> list[list[str]]:
    """Head rows with each merged range's text spread over the columns it covers in its first row,
    and a vertically merged header cell repeated in the rows below it."""
    if not sheet.merges:
        return head
    position = {number: i for i, number in enumerate(sheet.numbers[: len(head)])}
    spread = [list(fields) for fields in head]
    for first_row, first_col, last_row, last_col in sheet.merges:
        top = position.get(first_row)
        if top is None or first_col - 1 >= len(spread[top]):
            continue
        text = spread[top][first_col - 1]
        for number in range(first_row, last_row + 1):
            at = position.get(number)
            if at is None:
                continue
            row = spread[at] = _pad(spread[at], last_col)
            for column in range(first_col - 1, last_col):
                if number == first_row or column == first_col - 1:
                    row[column] = row[column] or text
    return spread


def header_width(header: list[str], groups: list[str] | None) -> int:
    """The table's width: up to the last column with a header (empty styled cells do not count)."""
    width = len(header)
    while width and not header[width - 1] and not (groups and width <= len(groups) and groups[width - 1]):
        width -= 1
    return width


def sheet_table(
    sheet: Sheet, zone_column: Callable[[list[str]], int | None]
) -> tuple[RawTable | Untabled, list[Problem]]:
    """The table of a sheet: header, data rows below it, and the texts above it."""
    found = find_header(sheet, zone_column)
    if found is None:
        head = [[cell_text(v) for v in row] for row in sheet.rows[:HEADER_SEARCH_ROWS]]
        return Untabled(sheet.label, head, sheet.numbers[:HEADER_SEARCH_ROWS]), []
    index, header, groups = found
    header_row = sheet.numbers[index]
    width = header_width(header, groups)
    problems: list[Problem] = []
    if width > MAX_COLUMNS:
        message = f"the header has {width:,} columns; tables of more than {MAX_COLUMNS:,} columns are not read"
        return Untabled(sheet.label, []), [Problem(sheet.label, header_row, column_letter(MAX_COLUMNS), ERROR, message)]
    header = _pad(header, width)[:width]
    groups = _pad(groups, width)[:width] if groups else None
    above = index - (1 if groups else 0)
    preamble = [
        (number, cell_text(v))
        for number, row in zip(sheet.numbers[:above], sheet.rows[:above], strict=True)
        for v in row
        if cell_text(v)
    ]
    if sheet.body is not None:
        frame, numbers, body_problems = sheet.body(index, width)
        problems += body_problems
    else:
        body_rows = sheet.rows[index + 1 :]
        numbers = np.array(sheet.numbers[index + 1 :], dtype="int64")
        beyond = [(n, row) for n, row in zip(numbers, body_rows, strict=True) if any(_filled(v) for v in row[width:])]
        for number, row in beyond:
            column = next(i for i in range(width, len(row)) if _filled(row[i]))
            problems.append(
                Problem(
                    sheet.label,
                    int(number),
                    column_letter(column),
                    ERROR,
                    f"a value in column {column_letter(column)}, which has no header",
                )
            )
        frame = pd.DataFrame([_pad_values(row, width) for row in body_rows], columns=range(width), dtype=object)
        if frame.empty:
            frame = pd.DataFrame({i: pd.Series(dtype=object) for i in range(width)})
    frame.columns = [header[i] or f"column {column_letter(i)}" for i in range(width)]
    table = RawTable(
        sheet.label, header, header_row, frame, numbers, groups, preamble, sheet.name, sheet.hidden, sheet.merges
    )
    return _drop_empty_rows(table), problems


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _pad_values(row: list[object], width: int) -> list[object]:
    return (row + [None] * (width - len(row)))[:width]


def fault_problems(sheet: Sheet, table: RawTable | None) -> list[Problem]:
    """Located errors for cells whose value cannot be used (formula errors, missing saved values)."""
    problems = []
    header_row = table.header_row if table is not None else 0
    for number, row in zip(sheet.numbers, sheet.rows, strict=True):
        for index, value in enumerate(row):
            if isinstance(value, _Fault) and not (value.below_header_only and number <= header_row):
                column = (
                    table.header[index]
                    if table is not None and number > header_row and index < len(table.header)
                    else ""
                )
                problems.append(Problem(sheet.label, number, column or column_letter(index), ERROR, value.reason))
    return problems


def without_faults(frame: pd.DataFrame) -> pd.DataFrame:
    """Faulty cells (already reported) become missing."""
    if frame.empty:
        return frame
    return frame.map(lambda v: None if isinstance(v, _Fault) else v)


def _blank(column: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(column.dtype):
        return column.isna().to_numpy()
    return column.astype("string").str.strip().fillna("").eq("").to_numpy()


def _drop_empty_rows(table: RawTable) -> RawTable:
    frame = table.frame
    if frame.empty or frame.shape[1] == 0:
        return table
    # Column by column, looking only at the rows still blank so far (most rows stop at column 1).
    blank = np.ones(len(frame), dtype=bool)
    for i in range(frame.shape[1]):
        rows = np.flatnonzero(blank)
        if not len(rows):
            break
        blank[rows] = _blank(frame.iloc[rows, i])
    keep = ~blank
    if keep.all():
        return table
    return rows_of(table, np.flatnonzero(keep))


def rows_of(table: RawTable, rows: np.ndarray) -> RawTable:
    """Some rows of a table, with their row numbers."""
    return replace(table, frame=table.frame.iloc[rows].reset_index(drop=True), rows=table.rows[rows])


def read_file(
    path: Path, label: str, zone_column: Callable[[list[str]], int | None]
) -> tuple[list[RawTable], list[Problem], list[Untabled]]:
    """The tables of one raw file, every problem reading it, and its sheets without a table."""
    suffix = path.suffix.lower()
    if suffix in UNSUPPORTED_TABLES:
        message = f"unreadable file: {suffix} files are not read; save it as .xlsx or UTF-8 .csv"
        return [], [Problem(label, None, None, ERROR, message)], []
    if suffix not in (".csv", ".xlsx"):
        return [], [Problem(label, None, None, WARNING, "ignored: not a .csv or .xlsx file")], []
    try:
        if suffix == ".csv":
            sheets, problems = [read_csv_sheet(path, label)], []
        else:
            sheets, problems = read_xlsx_sheets(path, label)
        tables, untabled = [], []
        for sheet in sheets:
            problems += sheet.problems
            table, table_problems = sheet_table(sheet, zone_column)
            problems += table_problems
            if isinstance(table, Untabled):
                untabled.append(table)
                problems += fault_problems(sheet, None)
            else:
                faults = fault_problems(sheet, table)
                if faults:
                    problems += faults
                    table.frame = without_faults(table.frame)
                tables.append(table)
    except UnreadableFile as error:
        return [], [Problem(label, None, None, ERROR, f"unreadable file: {error}")], []
    return tables, problems, untabled
