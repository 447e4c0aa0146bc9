"""A year's scorecard as a workbook people can filter and print: one sheet per view (headline,
zones, gaps) in the plan's order of targets and the registry's order of zones, each header in
Chinese over its column id (labels.csv, group `column`), a unit column, statuses in Chinese and
English, number formats by unit, frozen headers, filters. Text that could read as a formula is
written as text."""

from __future__ import annotations

import io

import pandas as pd

from zonetrack.engine.rules import ALL
from zonetrack.io import stable_xlsx, starts_like_formula
from zonetrack.report import formatting as fmt
from zonetrack.report.data import PlanReport, in_plan_order
from zonetrack.report.labels import pair


def header(column: str) -> str:
    """A column's header: its Chinese name over its id (`目标代码` / `target_id`), so that a reader
    reads Chinese and a script still finds the column by its id on the header's second line."""
    zh, _ = pair("column", column)
    return column if zh == column else f"{zh}\n{column}"


def column_id(header_cell: str) -> str:
    """The id of a column from its header (its last line)."""
    return str(header_cell).rsplit("\n", 1)[-1]


def _number_format(target, column: str) -> str:
    if column in ("coverage", "share"):
        return "0.0%"
    if column.endswith("rate"):
        return "0.0%"
    if target is not None and target.display == "percent":
        return "0.00%"
    if target is not None and target.display == "integer":
        return "#,##0"
    return "#,##0.00"


def write_frame(sheet, frame: pd.DataFrame, headers: list[str], number_format, widths=(10, 40), after_row=None) -> None:
    """A frame onto a sheet: bold wrapped headers, missing values as empty cells, text that could read
    as a formula written as text (never evaluated), each number in `number_format(row, column, value)`
    (None: the default), column widths by the headers' longest line within `widths`, filters;
    `after_row(number, row)` styles a row once written."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    names = list(frame.columns)
    # The row's number counted here: openpyxl's max_row scans every cell, once a row would be quadratic.
    for number, values in enumerate(frame.itertuples(index=False), start=2):
        row = [None if (isinstance(v, float) and pd.isna(v)) else v for v in values]
        sheet.append(row)
        for column, name in enumerate(names, start=1):
            cell = sheet.cell(row=number, column=column)  # sheet[number] would scan every cell for its width
            if starts_like_formula(cell.value):
                cell.data_type = "s"  # written as a string, never evaluated as a formula
                continue
            form = number_format(row, name, cell.value)
            if form:
                cell.number_format = form
        if after_row is not None:
            after_row(number, row)
    sheet.auto_filter.ref = sheet.dimensions
    low, high = widths
    for index, text in enumerate(headers, start=1):
        widest = max(len(line) for line in text.split("\n"))
        sheet.column_dimensions[get_column_letter(index)].width = min(max(widest + 2, low), high)


def _sheet(
    book, title: str, frame: pd.DataFrame, targets: dict, formats: dict[str, str | None], totals: bool = False
) -> None:
    """One sheet of a frame, each figure in its target's number format; on a sheet of ALL rows
    (`totals`), an each-target's value and target are shares of the zones (0.375 → 37.5%, never 0);
    the status cell in the status's colour."""
    from openpyxl.styles import PatternFill

    sheet = book.create_sheet(title)
    names = list(frame.columns)
    status_column = names.index("status_en") + 1 if "status_en" in names else None
    target_column = names.index("target_id") if "target_id" in names else None
    code_column = names.index("status") if "status" in names else None

    def number_format(row, name, value):
        if not isinstance(value, float) or name not in formats:
            return None
        target = targets.get(row[target_column]) if target_column is not None else None
        if totals and name in ("value", "target_value") and getattr(target, "scope", "") == "each":
            return "0.0%"
        return formats[name] or _number_format(target, name)

    fills: dict[str, PatternFill] = {}  # one per colour: openpyxl keeps one style per distinct fill anyway

    def status_fill(number, row):
        if status_column:
            code = row[code_column] if code_column is not None else None
            colour = fmt.STATUS.get(code, {}).get("colour", "#FFFFFF").lstrip("#").upper()
            if colour not in fills:
                fills[colour] = PatternFill("solid", start_color=colour, end_color=colour)
            sheet.cell(row=number, column=status_column).fill = fills[colour]

    write_frame(sheet, frame, [header(c) for c in names], number_format, after_row=status_fill)
    sheet.freeze_panes = "A2"


SHARE_OF_ZONES = "园区占比 share of zones"


def workbook(report: PlanReport, year: int) -> bytes:
    """The year's workbook: headline (ALL), zones, gaps."""
    from openpyxl import Workbook

    targets = report.plan.targets
    names = report.zone_names
    card = in_plan_order(report, report.scorecard[report.scorecard["year"] == year])
    card["target_zh"] = [targets[t].name_zh for t in card["target_id"]]
    # An each-target's value for the zones as a whole is the share of them meeting it, not its unit.
    each = {t for t, target in targets.items() if getattr(target, "scope", "") == "each"}
    card["unit"] = [
        SHARE_OF_ZONES if z == ALL and t in each else targets[t].unit
        for t, z in zip(card["target_id"], card["zone_id"], strict=True)
    ]
    card["status_zh"] = card["status"].map(fmt.status_zh)
    card["status_en"] = card["status"].map(fmt.status_en)
    value_columns = ["value", "base_value", "target_value", "actual_rate", "required_rate", "ratio", "coverage"]
    formats = {c: None for c in value_columns} | {"ratio": "0.00"}
    headline = card[card["zone_id"] == ALL][
        ["target_id", "target_zh", "unit", *value_columns, "status", "status_zh", "status_en"]
    ]
    zones = card[card["zone_id"] != ALL].copy()
    part = zones["target_id"].isin(report.part_targets)
    zones.loc[part, "status"] = fmt.PART
    zones.loc[part, "status_zh"] = fmt.PART_ZH
    zones.loc[part, "status_en"] = fmt.PART_EN
    zones.insert(0, "zone_name", [names.get(z, z) for z in zones["zone_id"]])
    zones = zones[
        [
            "zone_id",
            "zone_name",
            "target_id",
            "target_zh",
            "unit",
            *value_columns[:-1],
            "status",
            "status_zh",
            "status_en",
        ]
    ]
    gaps = in_plan_order(report, report.gaps[report.gaps["year"] == year])
    gaps.insert(2, "target_zh", [targets[t].name_zh for t in gaps["target_id"]])
    gaps.insert(3, "unit", [targets[t].unit for t in gaps["target_id"]])
    gaps.insert(5, "zone_name", [names.get(z, "全部 all zones") for z in gaps["zone_id"]])
    named = ("year", "target_id", "target_zh", "unit", "zone_id", "zone_name")
    gap_formats = {c: None for c in gaps.columns if c not in named}
    gap_formats |= {"reach_year": "0", "achieved_rate": "0.0%", "required_rate_remaining": "0.0%"}
    book = Workbook()
    book.remove(book.active)
    _sheet(
        book,
        "headline 总览",
        headline.drop(columns=["status"]).assign(status=headline["status"]),
        targets,
        formats,
        totals=True,
    )
    _sheet(book, "zones 分园区", zones, targets, formats)
    _sheet(book, "gaps 差距", gaps.drop(columns=["year"]), targets, gap_formats)
    buffer = io.BytesIO()
    book.save(buffer)
    return stable_xlsx(buffer.getvalue())
