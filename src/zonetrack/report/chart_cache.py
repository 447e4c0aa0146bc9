"""The reports' charts through the cache (zonetrack/cache.py): a chart's PNG is kept under the hash
of what it draws (the drawing function, every argument it is given, the source of the charts' code
and number formats, matplotlib's version, the font file and the status colours), so that a chart
whose inputs did not change is read, not drawn again. The same inputs draw the same bytes, so a page
is byte-identical whether its charts were read or drawn."""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import cache

from zonetrack import cache as store

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KIND = "charts"


@cache
def code_fingerprint() -> str:
    """What draws a chart besides its arguments."""
    from importlib.metadata import version
    from pathlib import Path

    from zonetrack.engine.status import STATUS_FILE
    from zonetrack.report import fonts, formatting, plots

    files = [Path(m.__file__) for m in (plots, formatting, fonts)] + [fonts.font_path(), STATUS_FILE]
    return store.fingerprint(*files, versions=(version("matplotlib"),))


def key(draw: Callable, args: tuple, kwargs: dict) -> str:
    """The hash of a chart: its function, its arguments and the code that draws it."""
    return store.key(code_fingerprint(), f"{draw.__module__}.{draw.__qualname__}", list(args), dict(kwargs))


def png(draw: Callable, *args, **kwargs) -> str:
    """The chart draw(*args, **kwargs) as base64 PNG: read from the cache, or drawn and kept."""
    from zonetrack.report import plots

    if store.root() is None:
        return plots.png(draw(*args, **kwargs))
    data = store.through(
        KIND,
        key(draw, args, kwargs),
        ".png",
        lambda data: data.startswith(PNG_SIGNATURE),
        lambda: base64.b64decode(plots.png(draw(*args, **kwargs))),
    )
    return base64.b64encode(data).decode("ascii")
