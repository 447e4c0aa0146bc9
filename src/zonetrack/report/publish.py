"""Executed notebook → a reader's HTML (no code, no network needed) and a byte-stable notebook; the
bundled CJK font embedded in any page, cut down to the characters it uses."""

from __future__ import annotations

import base64
import io
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # nbformat's types only: the index embeds its font without it
    import nbformat

VOLATILE_NOTEBOOK_KEYS = (
    "start_time",
    "end_time",
    "duration",
    "input_path",
    "output_path",
    "environment_variables",
    "version",
)


EXPLORE_TAG = "explore"


def strip_volatile(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove timings and random ids that papermill and the kernel write, so reruns are byte-stable."""
    papermill = notebook.metadata.get("papermill", {})
    for key in VOLATILE_NOTEBOOK_KEYS:
        papermill.pop(key, None)
    notebook.metadata.pop("widgets", None)
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index:02d}"
        cell.metadata.pop("execution", None)
        cell.metadata.get("papermill", {}).clear()
        if cell.cell_type == "code":
            cell.execution_count = index
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = index
    return notebook


def notebook_blocks(notebook: nbformat.NotebookNode) -> list[dict]:
    """What a reader sees of an executed notebook, in order: markdown cells and every code cell's
    outputs (HTML, a PNG, or plain text), never the code, and no cell tagged `explore` (the tables
    an analyst who opens the notebook finds after the report's cells). The HTML outputs are the report's own
    sections, made by its autoescaping templates; text (a warning, a printed value) stays text."""
    import mistune
    from markupsafe import Markup

    blocks: list[dict] = []
    for cell in notebook.cells:
        if EXPLORE_TAG in cell.metadata.get("tags", []):
            continue  # the analyst's tables, in the notebook only
        if cell.cell_type == "markdown":
            # Markdown cells come from the template in notebooks/ (code under review, not data).
            blocks.append({"kind": "html", "content": Markup(mistune.html(cell.source))})
            continue
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            kind = output.get("output_type")
            if kind == "stream":
                blocks.append({"kind": f"stream {output.get('name', 'stdout')}", "content": output.get("text", "")})
            elif kind == "error":
                blocks.append({"kind": "stream stderr", "content": f"{output.get('ename')}: {output.get('evalue')}"})
            else:
                data = output.get("data", {})
                if "text/html" in data:
                    blocks.append({"kind": "html", "content": Markup(_text(data["text/html"]))})
                elif "image/png" in data:
                    blocks.append({"kind": "image", "content": _text(data["image/png"]).strip()})
                elif "text/plain" in data:
                    blocks.append({"kind": "text", "content": _text(data["text/plain"])})
    return blocks


def _text(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else value


def notebook_html(notebook: nbformat.NotebookNode, title: str) -> str:
    """The notebook as a reader's HTML page (outputs without code, no network needed to read it):
    one Jinja2 template over the outputs. The CJK font is embedded afterwards (embed_cjk_font: each
    page its own cut, so that a page's bytes depend on that page alone)."""
    from zonetrack.report.html import render

    return render("notebook.html.j2", title=title, blocks=notebook_blocks(notebook))


def embed_cjk_font(page: str) -> str:
    """Embed the bundled CJK font, cut down to the characters the page uses, so that Chinese text
    renders on a machine without Chinese fonts (the whole font is 16 MB; a page needs ~100 KB)."""
    return _with_style(page, cjk_font_style(_characters(page)))


def _characters(page: str) -> set[str]:
    # set(page) first: a page is megabytes of base64 charts, and a set of its characters is built in C.
    return {c for c in set(page) if ord(c) > 127}


FONT_KIND = "fonts"


@cache
def _font_fingerprint() -> str:
    """What cuts the font besides the characters: the font file and fontTools' version."""
    import fontTools

    from zonetrack import cache as store
    from zonetrack.report.fonts import font_path

    return store.fingerprint(font_path(), Path(__file__), versions=(fontTools.version,))


def font_cut(characters: set[str]) -> bytes:
    """The bundled font cut down to `characters` (OpenType bytes), read from the cache
    (zonetrack/cache.py) when the same characters were cut before: cutting costs ~0.7 s a time,
    and a rerun's pages mostly hold the characters of the run before."""
    from zonetrack import cache as store

    text = "".join(sorted(characters))
    name = store.key(_font_fingerprint(), text)
    return store.through(
        FONT_KIND, name, ".otf", lambda data: data[:4] in (b"OTTO", b"\x00\x01\x00\x00"), lambda: _cut(text)
    )


def _cut(text: str) -> bytes:
    from fontTools import subset

    from zonetrack.report.fonts import font_path

    options = subset.Options()
    options.name_IDs = ["*"]
    font = subset.load_font(str(font_path()), options)
    buffer = io.BytesIO()
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        subset.save_font(font, buffer, options)
    finally:
        font.close()
    return buffer.getvalue()


def cjk_font_style(characters: set[str]) -> str:
    """A <style> with the bundled font cut down to `characters`, first in the pages' font stack
    ("" when there is none to draw)."""
    if not characters:
        return ""
    encoded = base64.b64encode(font_cut(characters)).decode("ascii")
    # The cut holds only non-ASCII characters, so it comes first in the stack: Latin text falls
    # through to the reader's own sans-serif font.
    return (
        '<style>@font-face { font-family: "zonetrack CJK"; src: url(data:font/otf;base64,'
        + encoded
        + ') format("opentype"); }\nbody, .zt { font-family: "zonetrack CJK", '
        'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }</style>'
    )


def _with_style(page: str, style: str) -> str:
    head_end = page.find("</head>")
    return page[:head_end] + style + page[head_end:] if head_end >= 0 else style + page
