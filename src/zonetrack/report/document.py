"""What the Word documents share (python-docx): an A4 document with its title and margins, a table
whose header row repeats on every printed page and whose rows are never split, a chart at a width
that fits the page, and the bytes, the same for the same content."""

from __future__ import annotations

import base64
import io
import struct

from zonetrack.io import stable_xlsx

TABLE_STYLES = ("Normal Table", "Table Grid")  # the table styles a document keeps


def new_document(title: str, landscape: bool = False):
    """An A4 document (1.5 cm margins) titled `title`, its body in 10 pt."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Cm, Pt

    doc = Document()
    paper = doc.sections[0]
    if landscape:
        paper.orientation = WD_ORIENT.LANDSCAPE
        paper.page_width, paper.page_height = Cm(29.7), Cm(21.0)
    else:
        paper.page_width, paper.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(paper, side, Cm(1.5))
    doc.core_properties.title = title
    doc.core_properties.author = "zonetrack"
    doc.styles["Normal"].font.size = Pt(10)
    # python-docx's template defines 100 table styles, of which the documents use one ("Table Grid",
    # and "Normal Table" that it is based on). Each style set by name is found by a scan over all the
    # styles, so the other 98 go: the lookups of a year's document took 0.34 s, now 0.14 s (Word
    # offers its built-in table styles whether or not a document defines them).
    for style in [s for s in doc.styles if s.type == WD_STYLE_TYPE.TABLE and s.name not in TABLE_STYLES]:
        style.delete()
    return doc


def _row_property(row, name: str) -> None:
    """Set a row property: w:tblHeader (repeated on every printed page), w:cantSplit (kept whole)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(f"w:{name}")
    element.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(element)


def add_table(doc, headers: list[str], rows: list[list[str]], widths_cm: list[float], header: bool = True):
    """A grid table: the header row bold and repeated on every page, each row kept on one page, the
    columns at the widths given (the grid LibreOffice and Word lay out by). Text is set as text."""
    from copy import deepcopy

    from docx.shared import Cm

    table = doc.add_table(rows=1 if header else 0, cols=len(widths_cm))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)

    def fill(row, values, bold: bool) -> None:
        # row.cells walks the row's grid each time it is read (python-docx): read once per row.
        for cell, text, width in zip(row.cells, values, widths_cm, strict=True):
            cell.width = Cm(width)
            cell.text = str(text)
            if bold:
                cell.paragraphs[0].runs[0].bold = True

    if header:
        _row_property(table.rows[0], "tblHeader")
        fill(table.rows[0], headers, True)
    # The first row through python-docx's API; every other row a copy of it (its properties, each cell's
    # width, paragraph and run) with its own text set in the run as the API's cell.text sets it: the
    # same XML, without the API's walk over the table's grid and each cell's properties per row
    # (the 2019 document's 44 tables: 0.32 s -> 0.20 s).
    blank = None
    for values in rows:
        if blank is None:
            row = table.add_row()
            _row_property(row, "cantSplit")
            fill(row, values, False)
            blank = deepcopy(row._tr)
            for tc in blank.tc_lst:
                tc.p_lst[0].r_lst[0].text = ""
            continue
        tr = deepcopy(blank)
        for tc, text in zip(tr.tc_lst, values, strict=True):
            tc.p_lst[0].r_lst[0].text = str(text)
        table._tbl.append(tr)
    return table


def add_chart(doc, png_base64: str, max_width_cm: float, max_height_cm: float) -> None:
    """A chart (base64 PNG) as large as fits both bounds, its proportions kept."""
    from docx.shared import Cm

    picture = base64.b64decode(png_base64)
    width, height = struct.unpack(">II", picture[16:24])  # the PNG's IHDR: pixels wide and high
    doc.add_picture(io.BytesIO(picture), width=Cm(min(max_width_cm, max_height_cm * width / height)))


def add_notice(doc, text: str) -> None:
    """A notice a reader must not miss (illustrative data, a scenario): a bold paragraph."""
    doc.add_paragraph().add_run(text).bold = True


def saved(doc) -> bytes:
    """The document's bytes, the same for the same content (fixed timestamps)."""
    buffer = io.BytesIO()
    doc.save(buffer)
    return stable_xlsx(buffer.getvalue())
