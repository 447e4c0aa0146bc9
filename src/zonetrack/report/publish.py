"""Executed notebook → a reader's HTML (no code, no network needed) and a byte-stable notebook; the
bundled CJK font embedded in any page, cut down to the characters it uses."""

from __future__ import annotations

import base64
import io
import re

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
_CDN_SCRIPT = re.compile(r'<script[^>]*src="https?://[^"]*"[^>]*>\s*</script>\s*', re.IGNORECASE)


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


def notebook_html(notebook: nbformat.NotebookNode, title: str) -> str:
    """The notebook as HTML with inputs hidden and outputs kept, needing no network to read."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": title}})
    # The template loads require.js and MathJax from a CDN; the report uses neither (formulas are
    # plain HTML), and an offline reader would wait for them.
    return embed_cjk_font(_CDN_SCRIPT.sub("", body))


def embed_cjk_font(page: str) -> str:
    """Embed the bundled CJK font, cut down to the characters the page uses, so that Chinese text
    renders on a machine without Chinese fonts (the whole font is 16 MB; a page needs ~100 KB)."""
    from fontTools import subset

    from zonetrack.report.fonts import font_path

    characters = "".join(sorted(c for c in set(page) if ord(c) > 127))
    if not characters:
        return page
    options = subset.Options()
    options.name_IDs = ["*"]
    font = subset.load_font(str(font_path()), options)
    buffer = io.BytesIO()
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=characters)
        subsetter.subset(font)
        subset.save_font(font, buffer, options)
    finally:
        font.close()
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    # The subset holds only the page's non-ASCII characters, so it comes first in the stack:
    # Latin text falls through to the reader's own sans-serif font.
    style = (
        '<style>@font-face { font-family: "zonetrack CJK"; src: url(data:font/otf;base64,'
        + encoded
        + ') format("opentype"); }\nbody, .jp-RenderedHTMLCommon, .zt { font-family: "zonetrack CJK", '
        'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }</style>'
    )
    head_end = page.find("</head>")
    return page[:head_end] + style + page[head_end:] if head_end >= 0 else style + page
