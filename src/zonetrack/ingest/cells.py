"""Tables → cells: each value with its zone id, year, indicator id and value in the stored unit.

What a statistics office's table holds besides zone rows is recognised and set aside, never read
as data: row-number columns (序号), total rows (合计, checked against the zones' sum), footnotes
(注：…), a unit line above the table (单位：万元), a year named only in the title or the sheet name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from zonetrack.indicators import (
    KINDS,
    MULTIPLIERS,
    UNITS,
    WHOLE_NUMBER_KINDS,
    cell_unit_factor,
    normalise,
    parse_cells,
    parse_numbers,
    split_header_unit,
    unit_factor,
)
from zonetrack.ingest.layout import BRACKETS, Layout, named_year, unicodedata_nfkc, unit_line
from zonetrack.ingest.tables import RawTable, column_letter, rows_of
from zonetrack.ingest.vocabulary import Vocabulary, resolve_zones
from zonetrack.problems import ERROR, NOTE, WARNING, Problem, plain_number, shown
from zonetrack.registry import YEAR_RANGE

CLUSTER_REVENUE_UNIT = "亿元"


@dataclass
class Cells:
    """Resolved cells of one or more tables, before the cross-file checks."""

    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)


def column_roles(table: RawTable, vocab: Vocabulary) -> list[str | None]:
    """Each column's role (zone, year, indicator, value, unit, note, source, row_number, descriptive,
    derived) or None for an indicator's column. A header over two rows takes its group's role where it
    has none; a column is derived (营业收入增速) when a `derived` word is in its header and no
    indicator's spelling matches it."""
    layout = vocab.layout
    groups = table.groups or [""] * len(table.header)
    roles = []
    for title, group in zip(table.header, groups, strict=True):
        role = layout.header_role(title) or (layout.header_role(group) if not title or title == group else None)
        if role is None and layout.derived(group + title) and _header_indicator(title, group, vocab)[0] is None:
            role = "derived"
        roles.append(role)
    return roles


def _first(roles: list[str | None], role: str) -> int | None:
    return roles.index(role) if role in roles else None


def stripped(values: pd.Series) -> pd.Series:
    return values.astype("string").str.strip()


def _lookup(values: pd.Series, lookup: dict[str, str]) -> np.ndarray:
    """Map each value's normalised spelling through lookup (unknown → None), one call per distinct value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.array([lookup.get(normalise(u)) for u in uniques] + [None], dtype=object)
    return mapped[codes]


def _years(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse years (``2017`` or ``2017年``); return (years, invalid mask)."""
    if not pd.api.types.is_numeric_dtype(values.dtype):
        values = stripped(values).str.removesuffix("年")
    numbers, _ = parse_numbers(values)
    numbers = numbers.to_numpy()
    with np.errstate(invalid="ignore"):
        invalid = (
            np.isnan(numbers) | (numbers != np.round(numbers)) | (numbers < YEAR_RANGE[0]) | (numbers > YEAR_RANGE[1])
        )
    return np.where(invalid, 0, numbers).astype("int64"), invalid


def _years_against_title(table: RawTable, years: np.ndarray, rows: np.ndarray, column: str) -> list[Problem]:
    """An error at each row whose year column contradicts the one year the title or sheet name names
    (a 2027 table whose rows say 2026): which is right, only the office knows."""
    named, place, _ = named_year(table)
    wrong = rows & (years != named) if named is not None else np.zeros(len(years), dtype=bool)
    return [
        Problem(
            table.label,
            int(r),
            column,
            ERROR,
            f"year {int(y)} in the year column, but the {place} names {named}: correct the one that is wrong",
        )
        for r, y in zip(table.rows[wrong], years[wrong], strict=True)
    ]


def _row_kinds(table: RawTable, zone_col: int, layout: Layout) -> tuple[np.ndarray, np.ndarray, list[Problem]]:
    """Which rows are footnotes and which are totals ('total', 'subtotal' or ''), with a note for each
    footnote set aside."""
    frame = table.frame
    zone_text = stripped(frame.iloc[:, zone_col]).fillna("")
    first_text = _first_texts(frame)  # a merged note starts in column A, under 序号
    footnote = (zone_text.str.match(layout.footnote) | first_text.str.match(layout.footnote)).to_numpy()
    # A total's label merged across 序号 and the name column (合计 in A, merged A:B) stands left of
    # the zone column, which is empty on that row: it labels the row all the same.
    left_text = _first_texts(frame.iloc[:, :zone_col]) if zone_col > 0 else pd.Series("", index=frame.index)

    def kind(text: str) -> str:
        return layout.total_kind(BRACKETS.sub("", normalise(text)))

    zone_text = zone_text.where(zone_text != "", left_text.where(left_text.map(kind) != "", ""))
    codes, distinct = pd.factorize(zone_text)
    kinds = np.array([kind(t) for t in distinct] + [""], dtype=object)[codes]
    kinds[footnote] = ""
    notes = [
        Problem(table.label, int(r), None, NOTE, f"footnote row set aside: '{shown(t or z, 50)}'")
        for r, t, z in zip(table.rows[footnote], first_text[footnote], zone_text[footnote], strict=True)
    ]
    notes += [
        Problem(
            table.label, int(r), None, NOTE, f"total row '{shown(z, 30)}' set aside (checked against the zones' sum)"
        )
        for r, z in zip(table.rows[kinds != ""], zone_text[kinds != ""], strict=True)
    ]
    return footnote, kinds, notes


def _first_texts(frame: pd.DataFrame) -> pd.Series:
    """Each row's first non-empty text, whatever its column."""
    first = pd.Series("", index=frame.index, dtype="string")
    for index in range(frame.shape[1]):
        first = first.where(first != "", stripped(frame.iloc[:, index]).fillna(""))
    return first


def _label_rows(table: RawTable, roles: list[str | None]) -> np.ndarray:
    """Rows that hold a name but no value in any other column (a section heading such as
    一、国家级高新区): nothing in them is data."""
    no_value = ("zone", "row_number", "note", "source", "descriptive", "derived")
    other = [i for i, r in enumerate(roles) if r not in no_value]
    if not other:
        return np.zeros(len(table.frame), dtype=bool)
    filled = np.zeros(len(table.frame), dtype=bool)
    for index in other:
        filled |= stripped(table.frame.iloc[:, index]).fillna("").ne("").to_numpy()
    return ~filled


def _merged_zone(table: RawTable, zone_col: int, row: int) -> str | None:
    """Why a row has no zone name when its zone cell is merged with the one above (a zone over two
    rows), or None."""
    for first_row, first_col, last_row, last_col in table.merges:
        if first_col <= zone_col + 1 <= last_col and first_row < row <= last_row:
            return (
                f"the zone's cell is merged over rows {first_row}-{last_row} ({column_letter(zone_col)}{first_row}:"
                f"{column_letter(zone_col)}{last_row}): a zone has one row a year; sum those rows' figures into "
                "one row (or give each row its own zone)"
            )
    return None


def row_keys(table: RawTable, vocab: Vocabulary, roles: list[str | None]) -> tuple[pd.DataFrame, list[Problem]]:
    """Each data row's zone, year, illustrative flag and kind (zone row, total, footnote), with errors
    for unknown zones and bad years."""
    frame = table.frame
    zone_col = _first(roles, "zone")
    year_col = _first(roles, "year")
    zone_raw = stripped(frame.iloc[:, zone_col])
    zone_ids, reasons = resolve_zones(zone_raw, vocab)
    zone_codes = pd.Categorical(zone_ids, categories=vocab.zone_ids)
    # Only a row whose zone does not resolve can be a total, a footnote or a heading.
    unresolved = np.flatnonzero(zone_codes.codes < 0)
    footnote = np.zeros(len(frame), dtype=bool)
    totals = np.full(len(frame), "", dtype=object)
    label = np.zeros(len(frame), dtype=bool)
    problems: list[Problem] = []
    if len(unresolved):
        part = rows_of(table, unresolved)
        footnote[unresolved], totals[unresolved], problems = _row_kinds(part, zone_col, vocab.layout)
        label[unresolved] = _label_rows(part, roles) & ~footnote[unresolved] & (totals[unresolved] == "")
    if label.any():
        labels = _first_texts(rows_of(table, np.flatnonzero(label)).frame)
        problems += [
            Problem(table.label, int(r), None, NOTE, f"row without values set aside: '{shown(z, 30)}'")
            for r, z in zip(table.rows[label], labels, strict=True)
        ]
    data_row = ~footnote & (totals == "") & ~label
    unknown_zone = (zone_codes.codes < 0) & data_row
    problems += [
        Problem(
            table.label, int(r), table.header[zone_col] or "zone", ERROR, _merged_zone(table, zone_col, int(r)) or m
        )
        for r, m in zip(table.rows[unknown_zone], reasons[unknown_zone], strict=True)
    ]
    if year_col is not None:
        years, bad_year = _years(frame.iloc[:, year_col])
        bad_year &= ~footnote & ~label
        year_text = stripped(frame.iloc[:, year_col])[bad_year].fillna("")
        problems += [
            Problem(
                table.label,
                int(r),
                table.header[year_col],
                ERROR,
                f"year '{shown(y)}' is not a whole year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}",
            )
            for r, y in zip(table.rows[bad_year], year_text, strict=True)
        ]
        problems += _years_against_title(table, years, data_row & ~bad_year, table.header[year_col])
    else:
        year, place, year_problems = named_year(table)
        problems += year_problems
        years = np.full(len(frame), year or 0, dtype="int64")
        bad_year = np.full(len(frame), year is None)
        if year is not None:
            problems.append(Problem(table.label, table.header_row, "year", NOTE, f"year {year} taken from the {place}"))
    # A table whose title (or sheet name) says it is illustrative marks every row.
    titles = " ".join([t for _, t in table.preamble] + [table.sheet or ""]).casefold()
    illustrative = np.full(len(frame), vocab.layout.illustrative(titles), dtype=bool)
    # A remark (备注: 税收数据未报送) stays with the row's values and is shown where one is missing.
    remark = pd.Series("", index=frame.index, dtype="string")
    for col in [i for i, r in enumerate(roles) if r == "note"]:
        text = stripped(frame.iloc[:, col]).fillna("")
        marks = text.map(vocab.layout.illustrative).to_numpy(dtype=bool)
        illustrative |= marks
        # A remark that only marks the figures illustrative is the `illustrative` flag, not a remark.
        text = text.where(~marks, "")
        remark = remark.where(text == "", remark.where(remark == "", remark + "; ") + text)
    keys = pd.DataFrame(
        {
            "zone_id": zone_codes,
            "year": years,
            "source_row": table.rows,
            "illustrative": illustrative,
            "valid": data_row & ~unknown_zone & ~bad_year,
            "total": np.where(footnote | label, "footnote", totals),
            "remark": pd.Categorical(remark.fillna("")),
        }
    )
    return keys, problems


@dataclass
class Column:
    """A wide table's indicator column: which indicator, the unit its header or the unit line sets."""

    index: int
    indicator: str
    title: str
    factor: float
    unit: str = ""  # the unit its header or the unit line names ('' where the dictionary's is taken)


def _indicator_columns(
    table: RawTable, vocab: Vocabulary, roles: list[str | None]
) -> tuple[list[Column], list[Problem]]:
    line_units, problems = unit_line(table)
    groups = table.groups or [""] * len(table.header)
    columns, seen = [], {}
    for index, (title, group) in enumerate(zip(table.header, groups, strict=True)):
        if roles[index] is not None:
            continue
        if not title and not group:
            continue  # an empty column (a styled cell, a spacer): no header and no data to read
        indicator, unit, shown_title = _header_indicator(title, group, vocab)
        location = shown_title or f"column {index + 1}"
        factor = None
        if indicator is None:
            message = (
                f"unknown indicator '{shown(split_header_unit(title or group)[0])}' at {_cell(table, index)}: "
                "an indicator spelled a new way is an alias in data/raw/indicators.csv; a column that is no "
                "indicator (a city, a type, a growth rate) is a `descriptive` or `derived` row in "
                "data/raw/layout.csv"
            )
        elif indicator in seen:
            message = f"second column for {indicator} (also '{seen[indicator]}')"
        else:
            seen[indicator] = shown_title
            if unit is None:
                unit = line_units.get(KINDS[vocab.kinds[indicator]])
            named = unit or ""  # the unit the header or the unit line names, if any
            unit = unit or vocab.units[indicator]
            factor = unit_factor(unit, vocab.stored(indicator))
            message = f"unknown unit '{shown(unit)}' for {indicator} (its unit is {vocab.units[indicator]})"
        if factor is None:
            problems.append(Problem(table.label, table.header_row, location, ERROR, message))
            continue
        columns.append(Column(index, indicator, shown_title, factor, named))
    return columns, problems


def _header_indicator(title: str, group: str, vocab: Vocabulary) -> tuple[str | None, str | None, str]:
    """The indicator a column's header names, the unit it names (None if none) and the header text that
    matched (the header itself where none did)."""
    for candidate in _header_candidates(title, group):
        indicator = vocab.indicators.get(normalise(candidate))
        if indicator is not None:
            return indicator, None, candidate
        name, unit = split_header_unit(candidate)
        indicator = vocab.indicators.get(normalise(name))
        if indicator is not None:
            return indicator, unit, candidate
    return None, None, title


def _cell(table: RawTable, index: int) -> str:
    """A header cell's address (L4), and whether its column is hidden."""
    address = f"cell {column_letter(index)}{table.header_row}"
    return f"{address}, a hidden column" if index in table.hidden else address


def set_aside_notes(table: RawTable, roles: list[str | None]) -> list[Problem]:
    """A note for each column set aside as no indicator: what it is, at its cell."""
    why = {
        "descriptive": "it describes the zone (a `descriptive` spelling of data/raw/layout.csv)",
        "derived": "it is derived from other figures (a `derived` word of data/raw/layout.csv), not read",
    }
    groups = table.groups or [""] * len(table.header)
    return [
        Problem(
            table.label,
            table.header_row,
            title or group,
            NOTE,
            f"column '{shown(title or group, 40)}' ({_cell(table, index)}) set aside: {why[role]}",
        )
        for index, (title, group, role) in enumerate(zip(table.header, groups, roles, strict=True))
        if role in why
    ]


def _header_candidates(title: str, group: str) -> list[str]:
    """The names a column header may mean: the header itself, then with its group header in front
    (技术合同 + 成交额(万元)), or the group with the header as its unit (技术合同成交额 over 万元)."""
    if not title:
        return [group]
    candidates = [title]
    if group and group != title:
        candidates.append(group + title)
        if title in UNITS:
            candidates.append(f"{group}({title})")
    return candidates


@dataclass
class Converted:
    """A column's values in the stored unit; which cells are wrong and why; half the unit of each
    value's last written digit (its rounding), in the stored unit."""

    stored: np.ndarray
    bad: np.ndarray
    reasons: np.ndarray
    rounding: np.ndarray
    numbers: np.ndarray | None = None  # as written, without a cell's own unit
    cell_units: np.ndarray | None = None  # the unit written in each cell ('' for none)


def _rounding(raw: pd.Series, numbers: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Half the unit of the last digit written (1,234.5 → 0.05), scaled like the value."""
    if pd.api.types.is_numeric_dtype(raw.dtype):
        return np.zeros(len(raw))
    text = raw.astype("string").str.strip().fillna("")
    decimals = text.str.extract(r"\.(\d+)")[0].str.len().fillna(0).to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(numbers != 0, np.abs(values / numbers), 0.0)
    return np.nan_to_num(0.5 * 10.0**-decimals * scale)


def _unparseable_reason(value: object, misplaced_comma: bool) -> str:
    """Why a cell is no number, with a hint where the slip is a usual one."""
    text = unicodedata_nfkc(str(value)).strip()
    if misplaced_comma:
        return "unparseable number (a comma stands between groups of three digits, as in 1,234.5):"
    place = re.fullmatch(r"第?\s*(\d+)\s*[位名]", text)
    if place:
        return f"unparseable number (a place is written as the number alone: {place.group(1)}):"
    if re.search(r"\d", text) and re.fullmatch(r"[\d.,]*[lIoO][\d.,lIoO]*", text):
        return "unparseable number (a letter among the digits: l or I for 1, O for 0?):"
    return "unparseable number"


def convert(
    raw: pd.Series, indicator: str, factor: np.ndarray | float, vocab: Vocabulary, rounding: bool = False
) -> Converted:
    """A column's values in the stored unit, the cells that are not numbers of this indicator, and why.

    A unit written in a cell (34.0亿, 1.2万, 3.2%) is that cell's unit, whatever the header says.
    """
    cells = parse_cells(raw)
    values = cells.numbers * factor
    bad = cells.bad.copy()
    reasons = np.where(bad, "unparseable number", "").astype(object)
    for position in np.flatnonzero(bad):
        reasons[position] = _unparseable_reason(raw.iloc[position], bool(cells.misplaced_comma[position]))
    with_unit = np.flatnonzero(cells.units != "")
    if len(with_unit):
        target = vocab.stored(indicator)
        cell_factors = {u: cell_unit_factor(u, target) for u in set(cells.units[with_unit])}
        for position in with_unit:
            f = cell_factors[cells.units[position]]
            if f is None:
                bad[position] = True
                reasons[position] = f"unit '{cells.units[position]}' does not fit {indicator} in"
                values[position] = np.nan
            else:
                values[position] = cells.numbers[position] * f
    kind = vocab.kinds[indicator]
    with np.errstate(invalid="ignore"):
        if kind in WHOLE_NUMBER_KINDS:
            fractional = (
                ~bad & ~np.isnan(values) & (np.abs(values - np.round(values)) > 1e-6 * np.maximum(1, np.abs(values)))
            )
            bad |= fractional
            reasons[fractional] = f"not a whole number for a count ({indicator}):"
        if indicator not in vocab.may_be_negative:
            negative = ~bad & (values < 0)
            bad |= negative
            reasons[negative] = f"negative value for {indicator}, which cannot be negative:"
    # The rounding of the written figures is needed only to check total rows against their zones.
    unit = _rounding(raw, cells.numbers, values) if rounding else np.zeros(len(values))
    return Converted(values, bad, reasons, unit, cells.numbers, cells.units)


def _value_problems(
    table: RawTable, rows: np.ndarray, column: str, raw: pd.Series, bad: np.ndarray, reasons
) -> list[Problem]:
    if not bad.any():
        return []
    texts = stripped(raw[bad]).fillna("")
    return [
        Problem(table.label, int(r), column, ERROR, f"{why} '{shown(t)}'")
        for r, t, why in zip(rows[bad], texts, np.asarray(reasons, dtype=object)[bad], strict=True)
    ]


def _wide_cells(table: RawTable, keys: pd.DataFrame, vocab: Vocabulary, roles: list[str | None]) -> Cells:
    columns, problems = _indicator_columns(table, vocab, roles)
    if not columns:
        return Cells(empty_cells(), problems)
    n = len(keys)
    checked = (keys["total"] != "footnote").to_numpy()
    has_totals = bool(keys["total"].isin(["total", "subtotal"]).any())
    zone_rows = keys["valid"].to_numpy()
    values, bad = [], []
    for column in columns:
        raw = table.frame.iloc[:, column.index]
        converted = convert(raw, column.indicator, column.factor, vocab, rounding=has_totals)
        wrong = converted.bad & checked
        problems += _value_problems(table, table.rows, column.title, raw, wrong, converted.reasons)
        problems += _cell_unit_warnings(table, column, raw, converted, checked & ~wrong, vocab)
        values.append(converted.stored)
        bad.append(wrong)
        problems += _total_problems(table, keys, converted, column.title)
    repeat = len(columns)
    names = [c.indicator for c in columns]
    frame = pd.DataFrame(
        {
            "zone_id": pd.Categorical.from_codes(np.tile(keys["zone_id"].cat.codes, repeat), categories=vocab.zone_ids),
            "year": np.tile(keys["year"].to_numpy(), repeat),
            "indicator": pd.Categorical.from_codes(
                np.repeat(vocab.indicator_ids.get_indexer(names), n), categories=vocab.indicator_ids
            ),
            "value": np.concatenate(values),
            "source_file": constant(table.label, n * repeat),
            "source_row": np.tile(table.rows, repeat),
            "source_column": pd.Categorical.from_codes(
                np.repeat(np.arange(repeat), n), categories=[c.title for c in columns]
            ),
            "illustrative": np.tile(keys["illustrative"].to_numpy(), repeat),
            "remark": pd.Categorical.from_codes(
                np.tile(keys["remark"].cat.codes, repeat), categories=keys["remark"].cat.categories
            ),
            "valid": np.tile(zone_rows, repeat) & ~np.concatenate(bad),
        }
    )
    return Cells(frame, problems)


def _cell_unit_warnings(
    table: RawTable, column: Column, raw: pd.Series, converted: Converted, rows: np.ndarray, vocab: Vocabulary
) -> list[Problem]:
    """A cell whose own unit differs from its column's (1.2万 under 技术合同成交额(万元)) is read as the
    cell says, as documented; a warning at the cell names both readings and the value taken, for a
    clerk may have meant 1.2万 of the column's unit."""
    if not column.unit or converted.cell_units is None:
        return []
    stored = vocab.stored(column.indicator)
    own = rows & (converted.cell_units != "") & (converted.cell_units != column.unit)
    problems = []
    for position in np.flatnonzero(own):
        cell_unit = str(converted.cell_units[position])
        taken = float(converted.stored[position])
        multiplier = MULTIPLIERS.get(cell_unit)
        if multiplier is None or np.isnan(taken):
            continue
        other = float(converted.numbers[position]) * multiplier * column.factor
        if abs(other - taken) <= 1e-9 * max(abs(taken), abs(other)):
            continue  # 75.83万 under (人) is 75.83 万人 whichever way it is read: nothing to say
        problems.append(
            Problem(
                table.label,
                int(table.rows[position]),
                column.title,
                WARNING,
                f"'{shown(raw.iloc[position])}' carries its own unit ({cell_unit}) under a column in {column.unit}: "
                f"read as {plain_number(taken)} {stored} (a unit in the cell wins); if it means "
                f"{shown(raw.iloc[position])} {column.unit}, it is {plain_number(other)} {stored}: write the figure "
                f"in {column.unit} without 万/亿",
                "cell_unit",
            )
        )
    return problems


def _total_problems(table: RawTable, keys: pd.DataFrame, column: Converted, title: str, group=None) -> list[Problem]:
    """Total rows (合计) against the sum of the zone rows they total: a mismatch beyond the rounding of
    the written figures is a warning at the total row. A 小计 totals the zone rows since the previous
    total row; a table may hold several years (or indicators, `group`), each totalled on its own."""
    kinds = keys["total"].to_numpy()
    totals = np.flatnonzero((kinds == "total") | (kinds == "subtotal"))
    if not len(totals):
        return []
    values, rounding = column.stored, column.rounding
    zone_rows = keys["valid"].to_numpy()
    years = keys["year"].to_numpy()
    group = np.zeros(len(keys), dtype="int64") if group is None else group
    position_of = np.arange(len(keys))
    problems, previous = [], -1
    for position in totals:
        since = previous
        previous = position
        if np.isnan(values[position]) or (group[position] < 0):
            continue
        same = zone_rows & (years == years[position]) & (group == group[position])
        if kinds[position] == "subtotal":
            same &= (position_of > since) & (position_of < position)
        parts = values[same]
        if not len(parts) or np.isnan(parts).any():
            continue
        total, summed = values[position], parts.sum()
        tolerance = rounding[position] + rounding[same].sum() + 1e-9 * abs(total)
        if abs(summed - total) > tolerance:
            problems.append(
                Problem(
                    table.label,
                    int(table.rows[position]),
                    title,
                    WARNING,
                    f"the total row says {plain_number(total)} but the {len(parts)} zone rows it totals sum to "
                    f"{plain_number(summed)}",
                    "total_mismatch",
                )
            )
    return problems


def _long_cells(table: RawTable, keys: pd.DataFrame, vocab: Vocabulary, roles: list[str | None]) -> Cells:
    header, frame = table.header, table.frame
    indicator_col, value_col, unit_col = _first(roles, "indicator"), _first(roles, "value"), _first(roles, "unit")
    names = stripped(frame.iloc[:, indicator_col])
    indicators = _lookup(names, vocab.indicators)
    data_row = keys["valid"].to_numpy()
    unknown = pd.isna(indicators) & data_row
    problems = [
        Problem(
            table.label,
            int(r),
            header[indicator_col],
            ERROR,
            f"unknown indicator '{shown(n)}' (add the spelling as an alias in indicators.csv)",
        )
        for r, n in zip(table.rows[unknown], names[unknown].fillna(""), strict=True)
    ]
    line_units, line_problems = unit_line(table)
    problems += line_problems
    units = stripped(frame.iloc[:, unit_col]).fillna("") if unit_col is not None else pd.Series("", index=frame.index)
    pairs = pd.DataFrame({"unit": units.to_numpy(), "indicator": indicators})
    factors = np.full(len(frame), np.nan)
    bad_unit = np.zeros(len(frame), dtype=bool)
    for (unit, indicator), index in pairs.groupby(["unit", "indicator"], dropna=True).groups.items():
        written = unit or line_units.get(KINDS[vocab.kinds[indicator]], vocab.units[indicator])
        factor = unit_factor(written, vocab.stored(indicator))
        if factor is None:
            bad_unit[index] = True
        else:
            factors[index] = factor
    bad_unit &= data_row
    problems += [
        Problem(
            table.label,
            int(r),
            header[unit_col],
            ERROR,
            f"unknown unit '{shown(u)}' for {i} (its unit is {vocab.units[i]})",
        )
        for r, u, i in zip(table.rows[bad_unit], units[bad_unit], indicators[bad_unit], strict=True)
    ]
    raw = frame.iloc[:, value_col]
    column = Converted(
        np.full(len(frame), np.nan),
        np.zeros(len(frame), dtype=bool),
        np.full(len(frame), "", dtype=object),
        np.zeros(len(frame)),
    )
    known = ~pd.isna(indicators)
    has_totals = bool(keys["total"].isin(["total", "subtotal"]).any())
    codes, distinct = pd.factorize(pd.Series(indicators, dtype=object))
    for code, indicator in enumerate(distinct):
        rows = np.flatnonzero(codes == code)
        part = convert(raw.iloc[rows], indicator, factors[rows], vocab, rounding=has_totals)
        column.stored[rows], column.bad[rows], column.reasons[rows], column.rounding[rows] = (
            part.stored,
            part.bad,
            part.reasons,
            part.rounding,
        )
    bad = column.bad & data_row & ~bad_unit
    problems += _value_problems(table, table.rows, header[value_col], raw, bad, column.reasons)
    if known.any():
        problems += _total_problems(table, keys, column, header[value_col], codes)
    values = column.stored
    cells = pd.DataFrame(
        {
            "zone_id": keys["zone_id"],
            "year": keys["year"].to_numpy(),
            "indicator": pd.Categorical(indicators, categories=vocab.indicator_ids),
            "value": values,
            "source_file": constant(table.label, len(frame)),
            "source_row": table.rows,
            "source_column": constant(header[value_col], len(frame)),
            "illustrative": keys["illustrative"].to_numpy(),
            "remark": keys["remark"],
            "valid": data_row & ~(unknown | bad_unit | bad),
        }
    )
    return Cells(cells, problems)


def constant(text: str, length: int) -> pd.Categorical:
    """One string repeated, stored once."""
    return pd.Categorical.from_codes(np.zeros(length, dtype="int64"), categories=[text])


def empty_cells() -> pd.DataFrame:
    """A cells frame without rows."""
    return pd.DataFrame(
        {
            "zone_id": pd.Series(dtype=object),
            "year": pd.Series(dtype="int64"),
            "indicator": pd.Series(dtype=object),
            "value": pd.Series(dtype="float64"),
            "source_file": pd.Series(dtype=object),
            "source_row": pd.Series(dtype="int64"),
            "source_column": pd.Series(dtype=object),
            "illustrative": pd.Series(dtype=bool),
            "remark": pd.Series(dtype=object),
            "valid": pd.Series(dtype=bool),
        }
    )


def table_cells(table: RawTable, vocab: Vocabulary) -> Cells:
    """Resolve one statistics table (wide or long) into cells with zone ids and stored units."""
    roles = column_roles(table, vocab)
    keys, problems = row_keys(table, vocab, roles)
    has_indicator, has_value = "indicator" in roles, "value" in roles
    if has_indicator and not has_value:
        problems.append(
            Problem(
                table.label,
                table.header_row,
                "value",
                ERROR,
                "missing required column 'value' (long form: zone, year, indicator, value[, unit])",
            )
        )
        return Cells(empty_cells(), problems)
    cells = _long_cells(table, keys, vocab, roles) if has_indicator else _wide_cells(table, keys, vocab, roles)
    cells.problems[:0] = problems + set_aside_notes(table, roles)
    return cells


def concat_cells(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack cell frames column by column: categorical columns keep (or unite) their categories, so
    millions of cells never become Python strings."""
    if not frames:
        return empty_cells()
    columns = {}
    for name in frames[0].columns:
        parts = [f[name] for f in frames]
        if isinstance(parts[0].dtype, pd.CategoricalDtype):
            columns[name] = pd.api.types.union_categoricals([p.array for p in parts], ignore_order=True)
        else:
            columns[name] = np.concatenate([p.to_numpy() for p in parts])
    return pd.DataFrame(columns)


def statistics_cells(tables: list[RawTable], vocab: Vocabulary) -> Cells:
    """Resolve every statistics table and gather their cells and problems."""
    resolved = [table_cells(t, vocab) for t in tables]
    frame = concat_cells([c.frame for c in resolved if len(c.frame)])
    return Cells(frame, [p for c in resolved for p in c.problems])
