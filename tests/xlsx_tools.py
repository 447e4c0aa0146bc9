"""Build small workbooks in tests, and damage them the way programs and careless hands do."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    """A workbook with one sheet per entry, rows appended as given."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite(data: bytes, changes: dict[str, bytes | None]) -> bytes:
    """The same workbook with some parts replaced (bytes) or removed (None)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename in changes:
                if changes[item.filename] is None:
                    continue
                target.writestr(item.filename, changes[item.filename])
            else:
                target.writestr(item, source.read(item.filename))
    return out.getvalue()


def sheet_xml(data: bytes, part: str = SHEET) -> bytes:
    """The XML of one sheet part."""
    return zipfile.ZipFile(io.BytesIO(data)).read(part)


def with_sheet_data(data: bytes, rows_xml: str, dimension: str | None = None, part: str = SHEET) -> bytes:
    """Replace a sheet's <sheetData> (and optionally its declared dimension) with raw XML."""
    xml = sheet_xml(data, part).decode("utf-8")
    xml = re.sub(r"<sheetData>.*</sheetData>|<sheetData\s*/>", f"<sheetData>{rows_xml}</sheetData>", xml, flags=re.S)
    if dimension is not None:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', xml)
        if "<dimension" not in xml:
            xml = xml.replace("<sheetViews>", f'<dimension ref="{dimension}"/><sheetViews>', 1)
    return rewrite(data, {part: xml.encode("utf-8")})


def inline_row(row: int, values: list[object]) -> str:
    """One <row> of inline strings and numbers, from column A."""
    cells = []
    for index, value in enumerate(values):
        ref = f"{chr(ord('A') + index)}{row}"
        if value is None:
            continue
        if isinstance(value, str):
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
        else:
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
    return f'<row r="{row}">{"".join(cells)}</row>'


def save(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
