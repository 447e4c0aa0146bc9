"""The data-collection workbook the department sends to the zones for a year: one row per zone that
exists that year, one column per indicator with its Chinese name and unit, checks on every cell,
and headers that cannot be edited. Filled in, it ingests with no edit."""

from __future__ import annotations

import io

import pandas as pd

from zonetrack.indicators import WHOLE_NUMBER_KINDS
from zonetrack.io import stable_xlsx, starts_like_formula
from zonetrack.registry import short_name_zh, zone_levels

INSTRUCTIONS = [
    ("填报说明", "Instructions"),
    (
        "请在“{sheet}”工作表中填写本园区{year}年的数据,每个园区一行。",
        "Fill in the sheet '{sheet}' with each zone's figures for {year}, one row per zone.",
    ),
    (
        "表头(指标名称和单位)已锁定,请勿修改、增删列或改动园区名称。",
        "Headers (names and units) are locked: do not edit, add or remove columns, or rename zones.",
    ),
    (
        "金额按表头所示单位填写(如亿元),人数按万人填写;如按其他单位填报,请在数字后写明单位,如 1.2万 或 34.0亿。",
        "Amounts in the header's unit (亿元, 万人); a figure in another unit carries it in the cell, "
        "e.g. 1.2万 or 34.0亿.",
    ),
    (
        "数量(家、个、件)填写整数;比例按百分比填写,如 3.2 表示 3.2%。",
        "Counts are whole numbers; shares are percentages: 3.2 means 3.2 %.",
    ),
    (
        "没有数据的请留空,不要填 0;0 表示确实为零。",
        "Leave a cell blank when there is no figure: never 0. A 0 means zero.",
    ),
    (
        "请勿在表中使用公式;如用公式计算,请“选择性粘贴为数值”后再发回。",
        "No formulas: paste values before sending it back.",
    ),
    (
        "填好后用 zonetrack check 检查,再放入 data/raw/stats/。",
        "Check it with `zonetrack check`, then put it in data/raw/stats/.",
    ),
]


def indicator_header(row) -> str:
    """A column header as ingest reads it: the Chinese name and the unit it is filled in."""
    return f"{row.name_zh}({row.unit})"


def figure_rule(cell: str, minimum: int, whole: bool) -> str:
    """Excel's data validation for a figure cell: a number ≥ minimum (whole for counts), or what the
    instructions tell people to type, a number with 万 or 亿 (1.2万, 34.0亿). IF, not AND, so that Excel
    never evaluates the text branch of a number (AND evaluates every argument; an error fails the cell)."""
    number = f"AND({cell}>={minimum},{cell}=INT({cell}))" if whole else f"{cell}>={minimum}"
    stem = f"VALUE(LEFT({cell},LEN({cell})-1))"
    with_unit = f'IF(OR(RIGHT({cell},1)="万",RIGHT({cell},1)="亿"),IFERROR({stem}>={minimum},FALSE),FALSE)'
    return f"IF(ISNUMBER({cell}),{number},{with_unit})"


def template_workbook(year: int, registry: pd.DataFrame, dictionary: pd.DataFrame, indicators: list[str]) -> bytes:
    """The workbook for `year` with the given indicators (dictionary ids, in this order)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    levels = zone_levels(registry, [year])
    existing = levels[levels["level"].notna()]["zone_id"]
    zones = registry[registry["zone_id"].isin(set(existing))]
    entries = dictionary.set_index("id").loc[indicators].reset_index()
    sheet_name = f"{year}年数据"
    book = Workbook()
    guide = book.active
    guide.title = "说明 Instructions"
    for zh, en in INSTRUCTIONS:
        guide.append([zh.format(sheet=sheet_name, year=year), en.format(sheet=sheet_name, year=year)])
    guide["A1"].font = guide["B1"].font = Font(bold=True, size=13)
    guide.column_dimensions["A"].width = 70
    guide.column_dimensions["B"].width = 80
    sheet = book.create_sheet(sheet_name)
    width = 2 + len(entries)
    sheet.append([f"{year}年高新区统计数据填报表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A1"].font = Font(bold=True, size=14)
    headers = ["序号", "高新区", *[indicator_header(r) for r in entries.itertuples()]]
    sheet.append(headers)
    header_fill = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for index, zone in enumerate(zones.itertuples(), start=1):
        sheet.append([index, short_name_zh(zone.name_zh)])
        name = sheet.cell(row=sheet.max_row, column=2)
        if starts_like_formula(name.value):
            name.data_type = "s"  # text, never a formula in the workbook sent to every zone
    first, last = 3, 2 + len(zones)
    for column, entry in enumerate(entries.itertuples(), start=3):
        letter = get_column_letter(column)
        whole = entry.kind in WHOLE_NUMBER_KINDS
        minimum = 1 if entry.kind == "rank" else 0
        check = DataValidation(
            type="custom",
            formula1=figure_rule(f"{letter}{first}", minimum, whole),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="数值有误 Not a valid figure",
            error=(
                f"{entry.name_zh}: {'整数' if whole else '数值'} ≥ {minimum}, 如 1.2万 或 34.0亿, 或留空 "
                f"(a {'whole ' if whole else ''}number ≥ {minimum}, or one with 万/亿 such as 1.2万, or blank)"
            ),
        )
        check.add(f"{letter}{first}:{letter}{last}")
        sheet.add_data_validation(check)
        sheet.column_dimensions[letter].width = max(12, min(len(headers[column - 1]) * 2, 28))
        for row in range(first, last + 1):
            sheet.cell(row=row, column=column).protection = Protection(locked=False)
    sheet.column_dimensions["B"].width = 22
    sheet.freeze_panes = "C3"
    # Headers, zone names and 序号 are locked; the figures are not. No password: a guard, not a lock.
    sheet.protection.sheet = True
    sheet.protection.formatCells = False
    sheet.protection.formatColumns = False
    buffer = io.BytesIO()
    book.save(buffer)
    return stable_xlsx(buffer.getvalue())
