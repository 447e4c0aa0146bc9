"""A content-addressed cache of the reports' charts: a chart's PNG is kept under the hash of what it
draws (the drawing function, every argument it is given, the charts' code and number formats,
matplotlib's version, the font file and the status colours), so that a chart whose inputs did not
change is read, not drawn again, by any run, stage, year or experiment.

It lives outside DVC's outputs and outside the temporary folders of `dvc exp run --temp` (by default
`~/.cache/zonetrack/charts`; `ZONETRACK_CHART_CACHE` names another folder, or `off`). A chart is
written to a temporary file and moved into place (a reader sees a whole PNG or none, whoever runs
beside it); one that does not read as a PNG is drawn again. The cache is bounded: `prune` removes
the least recently used charts beyond `ZONETRACK_CHART_CACHE_MB` (256 MB by default), and the stages
call it once they are done. The same inputs draw the same bytes, so a page is byte-identical whether
its charts were read or drawn."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DEFAULT_MB = 256


def folder() -> Path | None:
    """The cache's folder, or None when it is turned off."""
    setting = os.environ.get("ZONETRACK_CHART_CACHE", "")
    if setting.lower() == "off":
        return None
    if setting:
        return Path(setting)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "zonetrack" / "charts"


def limit_bytes() -> int:
    """The cache's bound in bytes."""
    return int(float(os.environ.get("ZONETRACK_CHART_CACHE_MB", DEFAULT_MB)) * 1024 * 1024)


def _feed(digest, value) -> None:
    """Every argument a chart is drawn from, into the hash, with its type: a frame by its columns,
    dtypes, index and values; a mapping by its sorted items. Anything else is refused, so that no
    input can go unhashed and a changed chart be read from the cache."""
    if isinstance(value, pd.DataFrame):
        digest.update(b"frame" + repr((list(value.columns), [str(t) for t in value.dtypes])).encode())
        digest.update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
    elif isinstance(value, pd.Series):
        digest.update(b"series" + repr((value.name, str(value.dtype))).encode())
        digest.update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
    elif isinstance(value, np.ndarray):
        digest.update(b"array" + repr((value.dtype.str, value.shape)).encode() + np.ascontiguousarray(value).tobytes())
    elif isinstance(value, dict):
        digest.update(b"dict%d" % len(value))
        for key in sorted(value, key=repr):
            _feed(digest, key)
            _feed(digest, value[key])
    elif isinstance(value, (list, tuple)):
        digest.update(b"list%d" % len(value))
        for item in value:
            _feed(digest, item)
    elif value is None or isinstance(value, (str, bool, int, float, np.integer, np.floating)):
        digest.update(type(value).__name__.encode() + b":" + repr(value).encode() + b";")
    else:
        raise TypeError(f"a chart's argument of type {type(value).__name__} cannot be hashed for the chart cache")


@cache
def code_fingerprint() -> str:
    """What draws a chart besides its arguments: the charts' code, matplotlib's version, the font
    file and the status colours."""
    import matplotlib

    from zonetrack.engine.status import STATUS_FILE
    from zonetrack.report import fonts, formatting, plots

    digest = hashlib.sha256()
    for module in (plots, formatting, fonts):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(matplotlib.__version__.encode())
    digest.update(fonts.font_path().read_bytes())
    digest.update(STATUS_FILE.read_bytes())
    return digest.hexdigest()


def key(draw: Callable, args: tuple, kwargs: dict) -> str:
    """The hash of a chart: its function, its arguments and the code that draws it."""
    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(f"{draw.__module__}.{draw.__qualname__}".encode())
    _feed(digest, list(args))
    _feed(digest, dict(kwargs))
    return digest.hexdigest()


def _read(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(PNG_SIGNATURE):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept longest by prune
    return data


def _write(path: Path, data: bytes) -> None:
    """Into place whole, or not at all (a full disk or a read-only cache never fails a report)."""
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem[:16]}.", suffix=".tmp")
        temporary = Path(name)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def png(draw: Callable, *args, **kwargs) -> str:
    """The chart draw(*args, **kwargs) as base64 PNG: read from the cache, or drawn and kept."""
    from zonetrack.report import plots

    where = folder()
    if where is None:
        return plots.png(draw(*args, **kwargs))
    name = key(draw, args, kwargs)
    path = where / name[:2] / f"{name}.png"
    data = _read(path)
    if data is None:
        drawn = plots.png(draw(*args, **kwargs))
        _write(path, base64.b64decode(drawn))
        return drawn
    return base64.b64encode(data).decode("ascii")


def prune(limit: int | None = None) -> int:
    """Remove the least recently used charts beyond the bound; the number removed."""
    where = folder()
    if where is None or not where.is_dir():
        return 0
    limit = limit_bytes() if limit is None else limit
    files = []
    for path in where.glob("*/*.png"):
        try:
            stat = path.stat()
        except OSError:
            continue
        files.append((stat.st_mtime, stat.st_size, path))
    total = sum(size for _, size, _ in files)
    removed = 0
    for _, size, path in sorted(files):
        if total <= limit:
            break
        path.unlink(missing_ok=True)
        total -= size
        removed += 1
    return removed
