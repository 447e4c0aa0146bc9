"""Writing outputs atomically, and reading what the stages wrote."""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd


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
