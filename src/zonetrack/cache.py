"""A content-addressed cache of work whose inputs did not change (the reports' charts, the
evaluation's Monte Carlo per class and year): an entry is kept under the SHA-256 of everything that
makes it (its inputs and the code that computes it), so any run, stage, year or experiment that needs
the same result reads it instead of computing it again.

It lives outside DVC's outputs and the temporary folders of `dvc exp run --temp`: `~/.cache/zonetrack`
(`$XDG_CACHE_HOME/zonetrack`), or the folder `ZONETRACK_CACHE` names (`off`: no cache). An entry is
written to a temporary file and moved into place, so a reader beside a writer sees a whole entry or
none; an entry that does not read back as its kind is computed again. It is bounded: `prune` removes
the least recently used entries beyond `ZONETRACK_CACHE_MB` (256 MB), and the stages call it when
done. Entries are data (PNG, NumPy .npz read without pickle), never code."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

DEFAULT_MB = 256


def root() -> Path | None:
    """The cache's folder, or None when it is turned off."""
    setting = os.environ.get("ZONETRACK_CACHE", "")
    if setting.lower() == "off":
        return None
    if setting:
        return Path(setting)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "zonetrack"


def limit_bytes() -> int:
    """The cache's bound in bytes."""
    return int(float(os.environ.get("ZONETRACK_CACHE_MB", DEFAULT_MB)) * 1024 * 1024)


def feed(digest, value) -> None:
    """A value into a hash, with its type: a frame by its columns, dtypes, index and values; a mapping
    by its sorted items. Anything else is refused, so that no input can go unhashed and a changed
    result be read from the cache. (A frame or an array can only be given where pandas or numpy is
    imported: a key of text alone, such as a font's cut, imports neither.)"""
    pd, np = sys.modules.get("pandas"), sys.modules.get("numpy")
    if pd is not None and isinstance(value, pd.DataFrame):
        digest.update(b"frame" + repr((list(value.columns), [str(t) for t in value.dtypes])).encode())
        digest.update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
    elif pd is not None and isinstance(value, pd.Series):
        digest.update(b"series" + repr((value.name, str(value.dtype))).encode())
        digest.update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
    elif np is not None and isinstance(value, np.ndarray):
        if value.dtype.kind == "O":
            feed(digest, value.tolist())
        else:
            digest.update(b"array" + repr((value.dtype.str, value.shape)).encode())
            digest.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, dict):
        digest.update(b"dict%d" % len(value))
        for key in sorted(value, key=repr):
            feed(digest, key)
            feed(digest, value[key])
    elif isinstance(value, (list, tuple)):
        digest.update(b"list%d" % len(value))
        for item in value:
            feed(digest, item)
    elif value is None or isinstance(value, (str, bool, int, float)) or _numpy_scalar(np, value):
        digest.update(type(value).__name__.encode() + b":" + repr(value).encode() + b";")
    else:
        raise TypeError(f"a value of type {type(value).__name__} cannot be hashed for the cache")


def _numpy_scalar(np, value) -> bool:
    return np is not None and isinstance(value, (np.integer, np.floating, np.bool_))


def fingerprint(*files: Path, versions: tuple[str, ...] = ()) -> str:
    """What computes an entry besides its inputs: source files (or data files) and library versions."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + Path(path).read_bytes())
    for version in versions:
        digest.update(version.encode() + b"\0")
    return digest.hexdigest()


def key(code: str, *parts) -> str:
    """The name of an entry: the hash of its code's fingerprint and every part of its inputs."""
    digest = hashlib.sha256(code.encode())
    feed(digest, list(parts))
    return digest.hexdigest()


def _path(kind: str, name: str, suffix: str) -> Path | None:
    where = root()
    return None if where is None else where / kind / name[:2] / f"{name}{suffix}"


def read(kind: str, name: str, suffix: str, valid: Callable[[bytes], bool]) -> bytes | None:
    """An entry's bytes, or None (no cache, no entry, or one that is not valid)."""
    path = _path(kind, name, suffix)
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not valid(data):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept longest by prune
    return data


def write(kind: str, name: str, suffix: str, data: bytes) -> None:
    """An entry into place whole, or not at all (a full disk or a read-only cache never fails a run)."""
    path = _path(kind, name, suffix)
    if path is None:
        return
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, written = tempfile.mkstemp(dir=path.parent, prefix=f".{name[:16]}.", suffix=".tmp")
        temporary = Path(written)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def through(kind: str, name: str, suffix: str, valid: Callable[[bytes], bool], make: Callable[[], bytes]) -> bytes:
    """An entry's bytes: read where it is kept and valid, else made by make() and kept."""
    kept = read(kind, name, suffix, valid)
    if kept is not None:
        return kept
    made = make()
    write(kind, name, suffix, made)
    return made


def prune(limit: int | None = None) -> int:
    """Remove the least recently used entries beyond the bound; the number removed."""
    where = root()
    if where is None or not where.is_dir():
        return 0
    limit = limit_bytes() if limit is None else limit
    entries = []
    for path in where.glob("*/*/*"):
        if path.name.endswith(".tmp"):
            continue
        try:
            stat = path.stat()
        except OSError:
            continue
        entries.append((stat.st_mtime, stat.st_size, path))
    total = sum(size for _, size, _ in entries)
    removed = 0
    for _, size, path in sorted(entries):
        if total <= limit:
            break
        path.unlink(missing_ok=True)
        total -= size
        removed += 1
    return removed
