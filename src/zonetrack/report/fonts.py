"""The bundled CJK font (Noto Sans CJK SC, from the mplfonts package), without importing matplotlib:
the charts draw with it and every published page embeds the part of it the page uses."""

from __future__ import annotations

import importlib.util
from pathlib import Path

FONT_FILE = "NotoSansCJKsc-Regular.otf"
FONT_NAME = "Noto Sans CJK SC"


def font_path() -> Path:
    """The font file in the mplfonts package of the project's environment (found, not imported:
    importing it imports matplotlib)."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or spec.origin is None:
        raise RuntimeError("the mplfonts package is missing from the environment: run `make setup`")
    return Path(spec.origin).parent / "fonts" / FONT_FILE
