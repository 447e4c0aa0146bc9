"""Reading raw tables (CSV in any of the accepted encodings, XLSX) and writing outputs atomically."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from zonetrack.indicators import MISSING_TOKENS

ENCODINGS = ("utf-8-sig", "gb18030")
HEADER_SEARCH_ROWS = 30


class UnreadableFile(Exception):
    """A file that cannot be read as a table at all."""


@dataclass
class RawTable:
    """A table found in a file: its header row and data rows, with their row numbers in the file."""

    label: str
    header: list[str]
    header_row: int
    frame: pd.DataFrame
    rows: np.ndarray


@dataclass
class Untabled:
    """A file or sheet in whose first rows no header row was found; its first rows, for diagnosis."""

    label: str
    head: list[list[str]]


def decode(raw: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), else GB18030 (which covers GBK)."""
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("not UTF-8 or GB18030 text")


def _header_index(rows: list[list[str]], is_header: Callable[[list[str]], bool]) -> int | None:
    for index, fields in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if is_header(fields):
            return index
    return None


def _clean_header(fields: list[object]) -> list[str]:
    return ["" if value is None else str(value).strip() for value in fields]


def read_csv_table(path: Path, label: str, is_header: Callable[[list[str]], bool]) -> RawTable | Untabled:
    """The table in a CSV file, or its first rows when no header row is found among them."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UnreadableFile(str(error)) from error
    if b"\x00" in raw[:4096]:
        raise UnreadableFile("binary content, not a CSV text file")
    text, _ = decode(raw)
    head = list(itertools.islice(io.StringIO(text), HEADER_SEARCH_ROWS))
    head_rows = [_clean_header(r) for r in csv.reader(head)]
    header_index = _header_index(head_rows, is_header)
    if header_index is None:
        return Untabled(label, head_rows)
    header = head_rows[header_index]
    body = text.encode("utf-8")
    options = {
        "skiprows": header_index,
        "keep_default_na": False,
        "na_values": sorted(MISSING_TOKENS),
    }
    try:
        if "\n\n" in text or "\r\n\r\n" in text:
            # The C engine keeps blank lines, so row numbers stay true to the file.
            frame = pd.read_csv(io.BytesIO(body), skip_blank_lines=False, dtype=str, **options)
        else:
            frame = pd.read_csv(io.BytesIO(body), engine="pyarrow", **options)
    except Exception as error:
        raise UnreadableFile(f"cannot parse as CSV: {error}".splitlines()[0]) from error
    frame.columns = header[: len(frame.columns)] + [f"column {i + 1}" for i in range(len(header), len(frame.columns))]
    rows = header_index + 2 + np.arange(len(frame))
    return _drop_empty_rows(RawTable(label, header, header_index + 1, frame, rows))


def read_xlsx_tables(
    path: Path, label: str, is_header: Callable[[list[str]], bool]
) -> tuple[list[RawTable], list[Untabled]]:
    """Every sheet of a workbook that holds a table; and the sheets without one."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:
        raise UnreadableFile(f"cannot open as XLSX: {error}") from error
    tables, skipped = [], []
    try:
        for sheet in workbook.worksheets:
            cells = [list(row) for row in sheet.iter_rows(min_row=1, values_only=True)]
            head_rows = [_clean_header(r) for r in cells[:HEADER_SEARCH_ROWS]]
            header_index = _header_index(head_rows, is_header)
            if header_index is None:
                skipped.append(Untabled(f"{label}[{sheet.title}]", head_rows))
                continue
            header = _clean_header(cells[header_index])
            width = len(header)
            body = [(row + [None] * width)[:width] for row in cells[header_index + 1 :]]
            frame = pd.DataFrame(body, columns=header, dtype=object)
            rows = header_index + 2 + np.arange(len(frame))
            table = RawTable(f"{label}[{sheet.title}]", header, header_index + 1, frame, rows)
            tables.append(_drop_empty_rows(table))
    finally:
        workbook.close()
    return tables, skipped


def _blank(column: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(column.dtype):
        return column.isna().to_numpy()
    return column.astype("string").str.strip().fillna("").eq("").to_numpy()


def _drop_empty_rows(table: RawTable) -> RawTable:
    frame = table.frame
    if frame.empty:
        return table
    keep = ~np.logical_and.reduce([_blank(frame.iloc[:, i]) for i in range(frame.shape[1])])
    if keep.all():
        return table
    return RawTable(table.label, table.header, table.header_row, frame[keep].reset_index(drop=True), table.rows[keep])


@contextmanager
def atomic_outputs(*paths: Path) -> Iterator[list[Path]]:
    """Yield temporary paths to write; replace the real ones only if the block succeeds."""
    temporaries = []
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.close(handle)
        temporaries.append(Path(name))
    try:
        yield temporaries
        umask = os.umask(0)
        os.umask(umask)
        for temporary, path in zip(temporaries, paths, strict=True):
            # mkstemp creates files readable by the owner only; outputs get the usual permissions.
            os.chmod(temporary, 0o666 & ~umask)
            os.replace(temporary, path)
    finally:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)


def read_scorecard(processed: Path) -> pd.DataFrame:
    """scorecard.csv of a processed folder, ids and statuses read as text."""
    return pd.read_csv(processed / "scorecard.csv", dtype={"zone_id": str, "target_id": str, "status": str})


def write_json(data: object, path: Path) -> None:
    """Write JSON as UTF-8 with sorted keys and a final newline (stable across runs)."""
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


_XLSX_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def stable_xlsx(data: bytes) -> bytes:
    """Rewrite a workbook with fixed timestamps (zip entries, document properties), so that the
    same content always gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = _XLSX_TIMES.sub(rb"\g<1>2020-01-01T00:00:00Z\g<2>", content)
            info = zipfile.ZipInfo(item.filename, date_time=_FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return out.getvalue()


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a table as UTF-8 CSV: empty cells for missing values, floats in their shortest exact form.

    pyarrow's writer is about ten times faster than pandas' on millions of rows; it runs unquoted
    when no text cell needs quotes, and falls back to pandas' quoting writer when one does.
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    text_columns = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c].dtype)]
    needs_quotes = any(
        _NEEDS_QUOTES.search(str(value)) for c in text_columns for value in pd.unique(frame[c].dropna().astype(str))
    ) or any(_NEEDS_QUOTES.search(str(c)) for c in frame.columns)
    if needs_quotes:
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format="%.17g")
        return
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.cast(
        pa.schema([pa.field(f.name, pa.string()) if pa.types.is_dictionary(f.type) else f for f in table.schema])
    )
    with Path(path).open("wb") as handle:
        # Arrow quotes header names whatever the style; the header is written here, unquoted.
        handle.write((",".join(map(str, frame.columns)) + "\n").encode("utf-8"))
        pa_csv.write_csv(table, handle, pa_csv.WriteOptions(include_header=False, quoting_style="none"))
