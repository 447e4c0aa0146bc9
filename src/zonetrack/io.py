"""Writing outputs atomically, reading what the stages wrote, and decoding the text files people send."""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import math
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the annotations only
    import numpy as np
    import pandas as pd

# numpy and pandas are imported by the functions that use them: a command that reads no table (the
# index) never imports them.

ENCODINGS = ("utf-8-sig", "gb18030")


class UnreadableFile(Exception):
    """A file that cannot be read as a table at all."""


def decode(raw: bytes) -> str:
    """Text of a CSV file: UTF-16 with a byte-order mark, UTF-8 (with or without BOM), else GB18030."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as error:
            raise UnreadableFile(f"damaged UTF-16 text at byte {error.start}") from None
    if b"\x00" in raw[:4096]:
        hint = "UTF-16 text without a byte-order mark? " if raw[1:4096:2].count(0) > len(raw[:4096]) // 4 else ""
        raise UnreadableFile(f"binary content, not a CSV text file ({hint}save it as UTF-8 CSV or .xlsx)")
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("not UTF-8, UTF-16 or GB18030 text: save it as UTF-8 CSV or .xlsx")


TEMPORARY = ".zt-tmp-"
TRASH = ".zt-old-"
JOURNAL = ".zt-commit-"


def _journal_path(paths: tuple[Path, ...]) -> Path:
    """Where the commit of a set of outputs is journalled: beside the first, named by the set."""
    key = hashlib.sha256("\0".join(str(p.resolve()) for p in paths).encode("utf-8")).hexdigest()[:16]
    return paths[0].parent / f"{JOURNAL}{key}.json"


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _install(temporary: Path, path: Path) -> None:
    """Put a finished output in place: a file by one rename; a folder by moving the old one aside."""
    if temporary.is_dir():
        if path.exists():
            trash = path.parent / f"{TRASH}{path.name}.{os.getpid()}"
            _remove(trash)
            os.replace(path, trash)
            _remove(trash)
        os.replace(temporary, path)
    else:
        os.replace(temporary, path)


def _replay(journal: Path) -> None:
    """Redo the renames of a journalled commit whose temporaries are still there, then drop it."""
    try:
        pending = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pending = []  # unreadable: the journal is written by a rename, so this is not ours to redo
    for temporary, path in pending:
        if Path(temporary).exists():
            _install(Path(temporary), Path(path))
    journal.unlink(missing_ok=True)


def recover(paths: tuple[Path, ...]) -> None:
    """Finish an earlier commit of these outputs that was interrupted (redo the journalled renames,
    so every output is new), then remove what interrupted runs left: temporaries and old folders."""
    journal = _journal_path(paths)
    if journal.exists():
        _replay(journal)
    journal.with_name(journal.name + TEMPORARY).unlink(missing_ok=True)
    for path in paths:
        if path.parent.is_dir():
            for leftover in path.parent.glob(f".{path.name}{TEMPORARY}*"):
                _remove(leftover)
            for leftover in path.parent.glob(f"{TRASH}{path.name}.*"):
                _remove(leftover)


def recover_outputs(folder: Path) -> None:
    """Finish every interrupted commit journalled in a folder, before reading what it holds."""
    if folder.is_dir():
        for journal in folder.glob(f"{JOURNAL}*.json"):
            _replay(journal)


def tidy(folders: list[Path]) -> list[Path]:
    """What killed runs left under these folders, when no stage runs: journalled commits finished,
    then every temporary and old folder removed (DVC may restore a stage from its cache without
    running it, so a stage's own clean-up would never see them). The paths removed, sorted."""
    removed = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for journal in sorted(folder.rglob(f"{JOURNAL}*.json")):
            _replay(journal)
        leftovers = [p for p in folder.rglob("*") if TEMPORARY in p.name or p.name.startswith(TRASH)]
        for leftover in sorted(leftovers, key=lambda p: len(p.parts)):
            if leftover.exists() or leftover.is_symlink():
                _remove(leftover)
                removed.append(leftover)
    return sorted(removed)


@contextmanager
def atomic_outputs(*paths: Path, folders: bool = False) -> Iterator[list[Path]]:
    """Yield temporary paths (files, or empty folders with `folders`) to write; when the block
    succeeds, replace the real outputs together.

    The replacement is journalled: a run killed between two renames leaves a journal, and the next
    run (or a reader calling `recover`) finishes the renames, so the outputs are all old or all
    new. A run killed before the commit leaves temporaries, which the next run removes.
    """
    paths = tuple(paths)
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
    recover(paths)
    temporaries = []
    for path in paths:
        if folders:
            temporaries.append(Path(tempfile.mkdtemp(prefix=f".{path.name}{TEMPORARY}", dir=path.parent)))
        else:
            handle, name = tempfile.mkstemp(prefix=f".{path.name}{TEMPORARY}", dir=path.parent)
            os.close(handle)
            temporaries.append(Path(name))
    try:
        yield temporaries
        umask = os.umask(0)
        os.umask(umask)
        for temporary in temporaries:
            # mkstemp creates files readable by the owner only; outputs get the usual permissions.
            os.chmod(temporary, (0o777 if folders else 0o666) & ~umask)
        journal = _journal_path(paths)
        pending = journal.with_name(journal.name + TEMPORARY)
        pending.write_text(json.dumps([[str(t), str(p)] for t, p in zip(temporaries, paths, strict=True)]))
        os.replace(pending, journal)  # the commit point: from here on the outputs will all be new
        for temporary, path in zip(temporaries, paths, strict=True):
            _install(temporary, path)
        journal.unlink()
    finally:
        for temporary in temporaries:
            if temporary.exists() and not _journal_path(paths).exists():
                _remove(temporary)


def write_outputs(writers: dict[Path, Callable[[Path], None]]) -> None:
    """Write outputs together, each by its name: {path: how to write it to a given path}; all are
    replaced at once (atomic_outputs), or none."""
    with atomic_outputs(*writers) as temporaries:
        for write, temporary in zip(writers.values(), temporaries, strict=True):
            write(temporary)


def read_output_csv(source) -> pd.DataFrame:
    """A table the assess stage wrote (scorecard.csv, gaps.csv, …; a path or a text buffer), with
    ids and statuses read as text."""
    import pandas as pd

    return pd.read_csv(source, dtype={"zone_id": str, "target_id": str, "status": str})


def write_text(text: str, path: Path) -> None:
    """Write text as UTF-8."""
    path.write_text(text, encoding="utf-8")


# A text cell that starts like this is a formula to a spreadsheet: every workbook writes it as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def starts_like_formula(text: object) -> bool:
    """Whether a text would be read as a formula by a spreadsheet (leading blanks included)."""
    return isinstance(text, str) and (text.startswith(FORMULA_PREFIXES) or text.lstrip().startswith(FORMULA_PREFIXES))


# Every float an output holds is written to this many significant digits: the last digits of a pow,
# a log or a reduction differ between CPUs, BLAS kernels and libm versions; what is written does not.
SIGNIFICANT_DIGITS = 12
_EXACT_POWERS = 22  # 10**k is exact in binary64 for k ≤ 22


def stated_precision(values) -> np.ndarray:
    """Floats rounded to SIGNIFICANT_DIGITS significant digits: the binary64 nearest to the
    decimal with that many digits, exactly as float(f"{v:.12g}") gives, computed without a Python
    loop for all but a few (a mantissa of 12 digits, exact in binary64, divided or multiplied by an
    exact power of ten, each step correctly rounded, so every machine computes it alike). NaN, ±inf
    and 0 stay as they are."""
    import numpy as np

    v = np.array(values, dtype="float64", copy=True)
    finite = np.isfinite(v) & (v != 0)
    x = v[finite]
    if not len(x):
        return v
    digits = SIGNIFICANT_DIGITS - 1
    with np.errstate(divide="ignore"):
        exponent = np.floor(np.log10(np.abs(x))).astype("int64")
    # log10 may be off by one at a power of ten on some machines: settle the exponent on the
    # mantissa itself, 10^11 ≤ |q| < 10^12, which every machine computes alike.
    for _ in range(2):
        q = np.round(_scaled(x, digits - exponent))
        exponent = exponent + (np.abs(q) >= 10.0 ** (digits + 1)) - (np.abs(q) < 10.0**digits)
    shift = digits - exponent
    scaled = _scaled(x, shift)
    q = np.round(scaled)
    # Where the scaled value lies within rounding of a half (…5 in the thirteenth digit), the scaling
    # itself may have rounded it onto the half: those few take Python's exact decimal rounding.
    exact = (np.abs(shift) <= _EXACT_POWERS) & ~(np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) < 1e-3)
    power = 10.0 ** np.minimum(np.abs(shift), _EXACT_POWERS)
    with np.errstate(over="ignore", invalid="ignore"):
        rounded = np.where(shift >= 0, q / power, q * power)
    # Beyond the exact powers (below 1e-11 or above 1e33) and near a half, Python's decimal rounding.
    rounded[~exact] = [float(f"{value:.{SIGNIFICANT_DIGITS}g}") for value in x[~exact]]
    v[finite] = rounded
    return v


def _scaled(x: np.ndarray, shift: np.ndarray) -> np.ndarray:
    import numpy as np

    power = 10.0 ** np.minimum(np.abs(shift), _EXACT_POWERS)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(shift >= 0, x * power, x / power)


def _stated(data: object) -> object:
    """Every float of a JSON document at the stated precision; NaN and ±inf as null (JSON has none)."""
    if isinstance(data, float):
        return float(stated_precision([data])[0]) if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: _stated(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_stated(value) for value in data]
    return data


def write_json(data: object, path: Path) -> None:
    """Write JSON as UTF-8 with sorted keys, floats at the stated precision (NaN as null) and a final
    newline: the same bytes on any machine."""
    text = json.dumps(_stated(data), ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


_XLSX_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def stable_xlsx(data: bytes) -> bytes:
    """Rewrite an Office Open XML file (a workbook, a Word document) with fixed timestamps (zip
    entries, document properties), so that the same content always gives the same bytes. Images are
    stored as they are (a PNG is compressed already: deflating it again costs time and saves nothing)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = _XLSX_TIMES.sub(rb"\g<1>2020-01-01T00:00:00Z\g<2>", content)
            info = zipfile.ZipInfo(item.filename, date_time=_FIXED_ZIP_TIME)
            stored = item.filename.lower().endswith((".png", ".jpeg", ".jpg", ".gif"))
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return out.getvalue()


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a table as UTF-8 CSV: empty cells for missing values, floats at the stated precision
    (12 significant digits) in their shortest form.

    pyarrow's writer is about ten times faster than pandas' on millions of rows; it runs unquoted
    when no text cell needs quotes, and falls back to pandas' quoting writer when one does.
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    frame = frame.assign(
        **{c: stated_precision(frame[c]) for c in frame.columns if pd.api.types.is_float_dtype(frame[c].dtype)}
    )
    text_columns = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c].dtype)]
    needs_quotes = any(
        _NEEDS_QUOTES.search(str(value)) for c in text_columns for value in pd.unique(frame[c].dropna().astype(str))
    ) or any(_NEEDS_QUOTES.search(str(c)) for c in frame.columns)
    if needs_quotes:
        # Floats as their shortest exact form (repr), as the unquoted path writes them.
        text = frame.copy()
        for column in frame.columns:
            if pd.api.types.is_float_dtype(frame[column].dtype):
                text[column] = [("" if np.isnan(v) else repr(float(v))) for v in frame[column].to_numpy()]
        text.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        return
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.cast(
        pa.schema([pa.field(f.name, pa.string()) if pa.types.is_dictionary(f.type) else f for f in table.schema])
    )
    with Path(path).open("wb") as handle:
        # Arrow quotes header names whatever the style; the header is written here, unquoted.
        handle.write((",".join(map(str, frame.columns)) + "\n").encode("utf-8"))
        pa_csv.write_csv(table, handle, pa_csv.WriteOptions(include_header=False, quoting_style="none"))
