"""Raw zone statistics (wide or long, CSV or XLSX) → one long panel in canonical units."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from zonetrack.indicators import normalise, parse_numbers, split_header_unit, unit_factor
from zonetrack.io import RawTable, UnreadableFile, Untabled, read_csv_table, read_xlsx_tables
from zonetrack.problems import ERROR, WARNING, Problem, problems_from_rows
from zonetrack.registry import codes_in, make_grid, zone_levels

ZONE_HEADERS = frozenset({"zone", "zone_id", "高新区", "园区"})
YEAR_HEADERS = frozenset({"year", "年份"})
INDICATOR_HEADERS = frozenset({"indicator", "指标"})
VALUE_HEADERS = frozenset({"value", "数值", "值"})
UNIT_HEADERS = frozenset({"unit", "单位"})
NOTE_HEADERS = frozenset({"note", "notes", "备注", "说明"})
SOURCE_HEADERS = frozenset({"source", "来源", "数据来源"})
CLUSTER_HEADERS = frozenset({"cluster", "产业集群", "集群", "集群名称"})
CLUSTER_REVENUE_HEADERS = frozenset({"revenue", "营业收入", "集群营业收入"})
CLUSTER_REVENUE_UNIT = "亿元"
# A statistics year outside this range is a typo (the first zones were approved in 1988).
YEAR_RANGE = (1985, 2050)
ILLUSTRATIVE_MARKERS = ("illustrative", "示例")
JUMP_FACTOR = 10.0
# Table formats an analyst may receive that ingest does not read: refusing them beats skipping them.
UNSUPPORTED_TABLES = frozenset({".xls", ".xlsm", ".xlsb", ".ods", ".tsv", ".txt", ".dbf", ".json"})

CLUSTER_COLUMNS = ["zone_id", "year", "cluster", "revenue", "source_file", "source_row", "illustrative"]


@dataclass
class Vocabulary:
    """What ingest resolves names against: indicator and zone spellings, units and kinds."""

    indicators: dict[str, str]
    zones: dict[str, str]
    units: dict[str, str]
    kinds: dict[str, str]

    @cached_property
    def zone_ids(self) -> pd.Index:
        """Every zone id, sorted: the categories of zone_id throughout ingest."""
        return pd.Index(sorted(set(self.zones.values())), dtype=object)

    @cached_property
    def indicator_ids(self) -> pd.Index:
        """Every indicator id, sorted: the categories of indicator throughout ingest."""
        return pd.Index(sorted(self.units), dtype=object)


@dataclass
class Cells:
    """Resolved cells of one or more tables, before the cross-file checks."""

    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)


def vocabulary(dictionary: pd.DataFrame, zone_lookup: dict[str, str], indicator_lookup: dict[str, str]) -> Vocabulary:
    """Bundle the lookups that resolving a table needs."""
    return Vocabulary(
        indicators=indicator_lookup,
        zones=zone_lookup,
        units=dict(zip(dictionary["id"], dictionary["unit"], strict=True)),
        kinds=dict(zip(dictionary["id"], dictionary["kind"], strict=True)),
    )


def is_table_header(fields: list[str]) -> bool:
    """A header row names a zone column and a year column."""
    names = {normalise(f) for f in fields}
    return bool(names & ZONE_HEADERS) and bool(names & YEAR_HEADERS)


def _header_error(table: RawTable, column: str, message: str) -> Problem:
    """An error about a column of the table's header row."""
    return Problem(table.label, table.header_row, column, ERROR, message)


def _role_columns(header: list[str], names: frozenset[str]) -> list[int]:
    return [i for i, h in enumerate(header) if normalise(h) in names]


def _text(values: pd.Series) -> pd.Series:
    return values.astype("string").str.strip()


def _lookup(values: pd.Series, lookup: dict[str, str]) -> np.ndarray:
    """Map each value's normalised spelling through lookup (unknown → None), one call per distinct value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.array([lookup.get(normalise(u)) for u in uniques] + [None], dtype=object)
    return mapped[codes]


def _years(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse years (``2017`` or ``2017年``); return (years, invalid mask)."""
    if not pd.api.types.is_numeric_dtype(values.dtype):
        values = _text(values).str.removesuffix("年")
    numbers, _ = parse_numbers(values)
    numbers = numbers.to_numpy()
    invalid = np.isnan(numbers) | (numbers != np.round(numbers)) | (numbers < YEAR_RANGE[0]) | (numbers > YEAR_RANGE[1])
    return np.where(invalid, 0, numbers).astype("int64"), invalid


def _row_problems(label: str, rows: np.ndarray, column: str, mask: np.ndarray, messages: list[str]) -> list[Problem]:
    return [Problem(label, int(r), column, ERROR, m) for r, m in zip(rows[mask], messages, strict=True)]


def _row_keys(table: RawTable, vocab: Vocabulary) -> tuple[pd.DataFrame, list[Problem]]:
    """Each data row's zone, year and illustrative flag, with errors for unknown zones and bad years."""
    header, frame = table.header, table.frame
    zone_col = _role_columns(header, ZONE_HEADERS)[0]
    year_col = _role_columns(header, YEAR_HEADERS)[0]
    zone_raw = _text(frame.iloc[:, zone_col])
    zone_ids = pd.Categorical(_lookup(zone_raw, vocab.zones), categories=vocab.zone_ids)
    years, bad_year = _years(frame.iloc[:, year_col])
    unknown_zone = zone_ids.codes < 0
    problems = _row_problems(
        table.label,
        table.rows,
        header[zone_col],
        unknown_zone,
        [
            f"unknown zone '{z}' (not an id, Chinese or English name in zones.csv)"
            for z in zone_raw[unknown_zone].fillna("")
        ],
    )
    year_text = _text(frame.iloc[:, year_col])[bad_year].fillna("")
    problems += _row_problems(
        table.label,
        table.rows,
        header[year_col],
        bad_year,
        [f"year '{y}' is not a whole year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}" for y in year_text],
    )
    notes = _role_columns(header, NOTE_HEADERS)
    illustrative = np.zeros(len(frame), dtype=bool)
    for col in notes:
        text = _text(frame.iloc[:, col]).fillna("").str.casefold()
        for marker in ILLUSTRATIVE_MARKERS:
            illustrative |= text.str.contains(marker, regex=False).to_numpy()
    keys = pd.DataFrame(
        {
            "zone_id": zone_ids,
            "year": years,
            "source_row": table.rows,
            "illustrative": illustrative,
            "valid": ~(unknown_zone | bad_year),
        }
    )
    return keys, problems


def _value_problems(label: str, rows: np.ndarray, column: str, raw: pd.Series, bad: np.ndarray) -> list[Problem]:
    if not bad.any():
        return []
    texts = _text(raw[bad]).fillna("")
    return _row_problems(label, rows, column, bad, [f"unparseable number '{t}'" for t in texts])


def _wide_cells(table: RawTable, keys: pd.DataFrame, vocab: Vocabulary) -> Cells:
    header = table.header
    roles = set(
        _role_columns(header, ZONE_HEADERS)[:1]
        + _role_columns(header, YEAR_HEADERS)[:1]
        + _role_columns(header, NOTE_HEADERS)
        + _role_columns(header, SOURCE_HEADERS)
    )
    pieces, problems = [], []
    seen: dict[str, str] = {}
    for col, title in enumerate(header):
        if col in roles:
            continue
        # A header may be a whole alias (创业(天使)投资基金) or a name with its unit (技术合同成交额(万元)).
        name, unit = title, None
        indicator = vocab.indicators.get(normalise(title))
        if indicator is None:
            name, unit = split_header_unit(title)
            indicator = vocab.indicators.get(normalise(name))
        if indicator is None:
            reason = "empty header" if not title else f"unknown indicator '{name}'"
            problems.append(
                _header_error(
                    table, title or f"column {col + 1}", f"{reason} (add the spelling as an alias in indicators.csv)"
                )
            )
            continue
        if indicator in seen:
            problems.append(_header_error(table, title, f"second column for {indicator} (also '{seen[indicator]}')"))
            continue
        seen[indicator] = title
        factor = unit_factor(unit, vocab.units[indicator])
        if factor is None:
            problems.append(
                _header_error(
                    table, title, f"unknown unit '{unit}' for {indicator} (canonical unit {vocab.units[indicator]})"
                )
            )
            continue
        raw = table.frame.iloc[:, col]
        values, bad = parse_numbers(raw)
        bad = bad.to_numpy()
        problems += _value_problems(table.label, table.rows, title, raw, bad)
        pieces.append((indicator, title, values.to_numpy() * factor, bad))
    if not pieces:
        return Cells(_empty_cells(), problems)
    # One frame for all indicator columns: row keys repeat per column; constant strings are categorical.
    n = len(keys)
    repeat = len(pieces)
    names = [p[0] for p in pieces]
    titles = [p[1] for p in pieces]
    frame = pd.DataFrame(
        {
            "zone_id": pd.Categorical.from_codes(np.tile(keys["zone_id"].cat.codes, repeat), categories=vocab.zone_ids),
            "year": np.tile(keys["year"].to_numpy(), repeat),
            "indicator": pd.Categorical.from_codes(
                np.repeat(vocab.indicator_ids.get_indexer(names), n), categories=vocab.indicator_ids
            ),
            "value": np.concatenate([p[2] for p in pieces]),
            "source_file": _constant(table.label, n * repeat),
            "source_row": np.tile(table.rows, repeat),
            "source_column": pd.Categorical.from_codes(np.repeat(np.arange(repeat), n), categories=titles),
            "illustrative": np.tile(keys["illustrative"].to_numpy(), repeat),
            "valid": np.tile(keys["valid"].to_numpy(), repeat) & ~np.concatenate([p[3] for p in pieces]),
        }
    )
    return Cells(frame, problems)


def _long_cells(table: RawTable, keys: pd.DataFrame, vocab: Vocabulary) -> Cells:
    header, frame = table.header, table.frame
    indicator_col = _role_columns(header, INDICATOR_HEADERS)[0]
    value_col = _role_columns(header, VALUE_HEADERS)[0]
    unit_cols = _role_columns(header, UNIT_HEADERS)
    names = _text(frame.iloc[:, indicator_col])
    indicators = _lookup(names, vocab.indicators)
    unknown = pd.isna(indicators)
    problems = _row_problems(
        table.label,
        table.rows,
        header[indicator_col],
        unknown,
        [
            f"unknown indicator '{n}' (add the spelling as an alias in indicators.csv)"
            for n in names[unknown].fillna("")
        ],
    )
    factors = np.ones(len(frame))
    bad_unit = np.zeros(len(frame), dtype=bool)
    if unit_cols:
        units = _text(frame.iloc[:, unit_cols[0]]).fillna("")
        pairs = pd.DataFrame({"unit": units.to_numpy(), "indicator": indicators})
        distinct = pairs.drop_duplicates()
        distinct["factor"] = [
            np.nan if pd.isna(ind) else (unit_factor(u, vocab.units[ind]) or np.nan)
            for u, ind in zip(distinct["unit"], distinct["indicator"], strict=True)
        ]
        factors = pairs.merge(distinct, on=["unit", "indicator"], how="left")["factor"].to_numpy()
        bad_unit = np.isnan(factors) & ~unknown
        problems += _row_problems(
            table.label,
            table.rows,
            header[unit_cols[0]],
            bad_unit,
            [
                f"unknown unit '{u}' for {i} (canonical unit {vocab.units[i]})"
                for u, i in zip(units[bad_unit], indicators[bad_unit], strict=True)
            ],
        )
    raw = frame.iloc[:, value_col]
    values, bad = parse_numbers(raw)
    bad = bad.to_numpy()
    problems += _value_problems(table.label, table.rows, header[value_col], raw, bad)
    cells = pd.DataFrame(
        {
            "zone_id": keys["zone_id"],
            "year": keys["year"].to_numpy(),
            "indicator": pd.Categorical(indicators, categories=vocab.indicator_ids),
            "value": values.to_numpy() * factors,
            "source_file": _constant(table.label, len(frame)),
            "source_row": table.rows,
            "source_column": _constant(header[value_col], len(frame)),
            "illustrative": keys["illustrative"].to_numpy(),
            "valid": keys["valid"].to_numpy() & ~(unknown | bad_unit | bad),
        }
    )
    return Cells(cells, problems)


def _constant(text: str, length: int) -> pd.Categorical:
    """One string repeated, stored once."""
    return pd.Categorical.from_codes(np.zeros(length, dtype="int64"), categories=[text])


def _empty_cells() -> pd.DataFrame:
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
            "valid": pd.Series(dtype=bool),
        }
    )


def table_cells(table: RawTable, vocab: Vocabulary) -> Cells:
    """Resolve one statistics table (wide or long) into cells with zone ids and canonical units."""
    keys, problems = _row_keys(table, vocab)
    is_long = bool(_role_columns(table.header, INDICATOR_HEADERS)) and bool(_role_columns(table.header, VALUE_HEADERS))
    if not is_long and _role_columns(table.header, INDICATOR_HEADERS):
        problems.append(
            _header_error(
                table, "value", "missing required column 'value' (long form: zone, year, indicator, value[, unit])"
            )
        )
        return Cells(_empty_cells(), problems)
    cells = _long_cells(table, keys, vocab) if is_long else _wide_cells(table, keys, vocab)
    cells.problems[:0] = problems
    return cells


def negative_counts(cells: pd.DataFrame, kinds: dict[str, str]) -> pd.Series:
    """Mask of cells that hold a negative count or population (an error: these cannot be below zero)."""
    non_negative = [name for name, kind in kinds.items() if kind in ("count", "population")]
    return (cells["value"] < 0) & cells["indicator"].isin(non_negative)


def _located(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={"source_file": "file", "source_row": "row", "source_column": "column"})


def duplicated_keys(zone: np.ndarray, year: np.ndarray, item: np.ndarray, n_items: int) -> np.ndarray:
    """Mask of rows whose (zone code, year, item code) occurs more than once, on one integer key."""
    key = (zone.astype("int64") * (YEAR_RANGE[1] + 1) + year) * (n_items + 1) + item
    return pd.Series(key).duplicated(keep=False).to_numpy()


def duplicate_problems(dups: pd.DataFrame, keys: list[str]) -> list[Problem]:
    """Errors for rows that share a key; each message lists every place the key is given."""
    location = (
        dups["source_file"].astype(str) + ":" + dups["source_row"].astype(str) + ":" + dups["source_column"].astype(str)
    )
    places = location.groupby([dups[k] for k in keys], observed=True).transform(", ".join)
    key_text = dups[keys].astype(str).agg(", ".join, axis=1)
    messages = "duplicate " + "-".join(keys) + " (" + key_text + "), given at " + places
    return problems_from_rows(_located(dups), ERROR, messages)


def build_panel(cells: pd.DataFrame, vocab: Vocabulary) -> tuple[pd.DataFrame, list[Problem]]:
    """Checks across all files (negative counts, duplicates) and the panel of present values."""
    valid = cells[cells["valid"]]
    negative = negative_counts(valid, vocab.kinds)
    problems = problems_from_rows(
        _located(valid[negative]),
        ERROR,
        "negative value "
        + valid.loc[negative, "value"].map("{:g}".format).astype("string")
        + " for a count ("
        + valid.loc[negative, "indicator"].astype(str)
        + ")",
    )
    present = valid[~negative & valid["value"].notna()]
    # Ids as integer codes: duplicates, sorting and the stored dictionary encoding all work on them.
    zones, indicators = vocab.zone_ids, vocab.indicator_ids
    zone_code = codes_in(present["zone_id"], zones)
    indicator_code = codes_in(present["indicator"], indicators)
    year = present["year"].to_numpy(dtype="int64")
    duplicated = duplicated_keys(zone_code, year, indicator_code, len(indicators))
    if duplicated.any():
        problems += duplicate_problems(present[duplicated], ["zone_id", "year", "indicator"])
    keep = ~duplicated
    order = np.lexsort((indicator_code[keep], year[keep], zone_code[keep]))
    unit_names, unit_of_indicator = np.unique(
        np.array([vocab.units[name] for name in indicators], dtype=object), return_inverse=True
    )
    source = pd.Categorical(present["source_file"])  # already categorical after concat_cells: no copy
    source_code, source_names = source.codes, source.categories
    panel = pd.DataFrame(
        {
            "zone_id": pd.Categorical.from_codes(zone_code[keep][order], categories=zones),
            "year": year[keep][order],
            "indicator": pd.Categorical.from_codes(indicator_code[keep][order], categories=indicators),
            "value": present["value"].to_numpy(dtype="float64")[keep][order],
            "unit": pd.Categorical.from_codes(unit_of_indicator[indicator_code[keep][order]], categories=unit_names),
            "source_file": pd.Categorical.from_codes(source_code[keep][order], categories=source_names),
            "source_row": present["source_row"].to_numpy(dtype="int64")[keep][order],
            "illustrative": present["illustrative"].to_numpy(dtype=bool)[keep][order],
        }
    )
    return panel, problems


def cluster_rows(table: RawTable, vocab: Vocabulary) -> tuple[pd.DataFrame, list[Problem]]:
    """Resolve the clusters table: zone, year, cluster name, revenue in 亿元."""
    keys, problems = _row_keys(table, vocab)
    header = table.header
    cluster_cols = _role_columns(header, CLUSTER_HEADERS)
    revenue_cols = [i for i, h in enumerate(header) if normalise(split_header_unit(h)[0]) in CLUSTER_REVENUE_HEADERS]
    for names, found in (("cluster", cluster_cols), ("revenue", revenue_cols)):
        if not found:
            problems.append(_header_error(table, names, f"missing required column '{names}'"))
    if problems and not (cluster_cols and revenue_cols):
        return _empty_clusters(), problems
    title = header[revenue_cols[0]]
    factor = unit_factor(split_header_unit(title)[1], CLUSTER_REVENUE_UNIT)
    if factor is None:
        problems.append(
            _header_error(
                table, title, f"unknown unit '{split_header_unit(title)[1]}' for cluster revenue (canonical 亿元)"
            )
        )
        return _empty_clusters(), problems
    raw = table.frame.iloc[:, revenue_cols[0]]
    revenue, bad = parse_numbers(raw)
    bad = bad.to_numpy()
    problems += _value_problems(table.label, table.rows, title, raw, bad)
    names = _text(table.frame.iloc[:, cluster_cols[0]]).fillna("")
    cluster_code, cluster_names = pd.factorize(names, sort=True)
    rows = pd.DataFrame(
        {
            "zone_id": keys["zone_id"],
            "year": keys["year"],
            "cluster": pd.Categorical.from_codes(cluster_code, categories=cluster_names),
            "revenue": revenue.to_numpy() * factor,
            "source_file": _constant(table.label, len(keys)),
            "source_row": table.rows,
            "source_column": _constant(title, len(keys)),
            "illustrative": keys["illustrative"],
        }
    )
    valid = keys["valid"].to_numpy() & ~bad
    negative = valid & (rows["revenue"] < 0).to_numpy()
    problems += problems_from_rows(
        _located(rows[negative]),
        ERROR,
        "negative cluster revenue " + rows.loc[negative, "revenue"].map("{:g}".format).astype("string"),
    )
    unnamed = valid & (names == "").to_numpy()
    problems += problems_from_rows(
        _located(rows[unnamed]).assign(column=header[cluster_cols[0]]), ERROR, "cluster without a name"
    )
    missing = valid & rows["revenue"].isna().to_numpy()
    problems += problems_from_rows(_located(rows[missing]).assign(severity=WARNING), WARNING, "cluster revenue missing")
    rows = rows[valid & ~negative & ~unnamed & ~missing]
    duplicated = duplicated_keys(
        rows["zone_id"].cat.codes.to_numpy(),
        rows["year"].to_numpy(),
        rows["cluster"].cat.codes.to_numpy(),
        len(cluster_names),
    )
    if duplicated.any():
        problems += duplicate_problems(rows[duplicated], ["zone_id", "year", "cluster"])
    return rows[~duplicated][CLUSTER_COLUMNS].reset_index(drop=True), problems


def _empty_clusters() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "zone_id": pd.Series(dtype="string"),
            "year": pd.Series(dtype="int64"),
            "cluster": pd.Series(dtype="string"),
            "revenue": pd.Series(dtype="float64"),
            "source_file": pd.Series(dtype="string"),
            "source_row": pd.Series(dtype="int64"),
            "illustrative": pd.Series(dtype=bool),
        }
    )


def missing_header_problem(untabled: Untabled) -> Problem:
    """Say which required column is missing, at the row that looks most like a header."""
    for index, fields in enumerate(untabled.head):
        names = {normalise(f) for f in fields}
        has_zone, has_year = bool(names & ZONE_HEADERS), bool(names & YEAR_HEADERS)
        if has_zone != has_year:
            column, accepted = ("year", "year, 年份") if has_zone else ("zone", "zone, zone_id, 高新区, 园区")
            return Problem(
                untabled.label,
                index + 1,
                column,
                ERROR,
                f"missing required column '{column}' (a header naming one of: {accepted})",
            )
    return Problem(
        untabled.label,
        1,
        "zone",
        ERROR,
        "missing required column: no header row naming a zone (zone, zone_id, 高新区, 园区) "
        "and a year (year, 年份) in the first rows" + ("" if untabled.head else " (the file is empty)"),
    )


def _empty_table_warnings(tables: list[RawTable]) -> list[Problem]:
    return [
        Problem(t.label, t.header_row, None, WARNING, "no data rows below the header") for t in tables if t.frame.empty
    ]


def read_tables(path: Path, label: str) -> tuple[list[RawTable], list[Problem], list[str]]:
    """The tables of one raw file, problems reading it, and the names of sheets skipped as non-data."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            table = read_csv_table(path, label, is_table_header)
            if isinstance(table, Untabled):
                return [], [missing_header_problem(table)], []
            return [table], _empty_table_warnings([table]), []
        if suffix == ".xlsx":
            tables, untabled = read_xlsx_tables(path, label, is_table_header)
            if not tables:
                return [], [missing_header_problem(u) for u in untabled], []
            return tables, _empty_table_warnings(tables), [u.label for u in untabled]
    except UnreadableFile as error:
        return [], [Problem(label, None, None, ERROR, f"unreadable file: {error}")], []
    if suffix in UNSUPPORTED_TABLES:
        message = f"unreadable file: {suffix} files are not read; save it as .xlsx or UTF-8 .csv"
        return [], [Problem(label, None, None, ERROR, message)], []
    return [], [Problem(label, None, None, WARNING, "ignored: not a .csv or .xlsx file")], []


def concat_cells(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack cell frames column by column: categorical columns keep (or unite) their categories, so
    millions of cells never become Python strings."""
    if not frames:
        return _empty_cells()
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


def quality_warnings(panel: pd.DataFrame, registry: pd.DataFrame, dictionary: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Missing values, zone-years without data, values before a zone existed, and tenfold jumps.

    Computed on the zone × year grid of the years the data cover (array indexing, no joins).
    """
    years = sorted(int(y) for y in panel["year"].unique()) if len(panel) else []
    indicators = np.array(sorted(dictionary["id"]), dtype=object)
    if not years:
        empty = pd.DataFrame(columns=["zone_id", "year", "indicator"])
        return {
            "missing": empty,
            "zone_years_without_data": empty[["zone_id", "year"]],
            "before_approval": empty,
            "jumps": pd.DataFrame(
                columns=["zone_id", "indicator", "year", "value", "source_file", "source_row", "previous_value"]
            ),
            "coverage": pd.DataFrame(columns=["indicator", "year", "coverage"]),
        }
    grid = make_grid(zone_levels(registry, years))
    values, source = grid.matrix(panel, indicators)
    present = ~np.isnan(values)
    exists = np.array([level is not None for level in grid.level])
    zone_of_row, year_of_row = grid.zone_of_row, grid.year_of_row
    missing_row, missing_col = np.nonzero(exists[:, None] & ~present)
    missing = pd.DataFrame(
        {
            "zone_id": grid.zones[zone_of_row[missing_row]],
            "year": year_of_row[missing_row],
            "indicator": indicators[missing_col],
        }
    )
    empty_rows = np.flatnonzero(exists & ~present.any(axis=1))
    without = pd.DataFrame({"zone_id": grid.zones[zone_of_row[empty_rows]], "year": year_of_row[empty_rows]})
    early_rows = np.flatnonzero(~exists & present.any(axis=1))
    before = pd.DataFrame({"zone_id": grid.zones[zone_of_row[early_rows]], "year": year_of_row[early_rows]})
    # Tenfold jumps between consecutive years of the same zone and indicator.
    # A row follows the one above when its year is the next: a zone's first row never is (its year
    # is at or below the previous zone's last), so no row crosses from one zone to the next.
    follows = np.flatnonzero(np.diff(year_of_row, prepend=year_of_row[0]) == 1)
    current, previous = values[follows], values[follows - 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = current / previous
        jump = (previous > 0) & (current > 0) & ((ratio > JUMP_FACTOR) | (ratio < 1 / JUMP_FACTOR))
    jump_row, jump_col = np.nonzero(jump)
    picked = panel.iloc[source[follows[jump_row], jump_col]]
    jumps = pd.DataFrame(
        {
            "zone_id": picked["zone_id"].astype(str).to_numpy(),
            "indicator": picked["indicator"].astype(str).to_numpy(),
            "year": picked["year"].to_numpy(),
            "value": picked["value"].to_numpy(),
            "source_file": picked["source_file"].astype(str).to_numpy(),
            "source_row": picked["source_row"].to_numpy(),
            "previous_value": previous[jump_row, jump_col],
        }
    )
    # Zone-major grid: reshaping to zones × years × indicators and summing over zones counts per year.
    shape = (len(grid.zones), len(grid.years))
    existing_per_year = exists.reshape(shape).sum(axis=0)
    present_per_year = (present & exists[:, None]).reshape(*shape, len(indicators)).sum(axis=0).T
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(existing_per_year > 0, present_per_year / existing_per_year, np.nan)
    coverage = pd.DataFrame(
        {
            "indicator": np.repeat(indicators, len(grid.years)),
            "year": np.tile(grid.years, len(indicators)),
            "coverage": share.ravel(),
        }
    )
    return {
        "missing": missing,
        "zone_years_without_data": without,
        "before_approval": before,
        "jumps": jumps,
        "coverage": coverage,
    }
