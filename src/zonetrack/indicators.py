"""The indicator dictionary, units and number formats of the raw statistics."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from zonetrack.problems import ERROR, Problem, ProblemsError, shown

# Every unit a header, a unit line or a cell may carry: its dimension and its size in the
# dimension's base unit (元, 人, one item, a fraction, 亩, a place in a ranking). 亿 = 10^8, 万 = 10^4.
UNITS: dict[str, tuple[str, float]] = {
    "元": ("money", 1.0),
    "千元": ("money", 1e3),
    "万元": ("money", 1e4),
    "百万元": ("money", 1e6),
    "亿元": ("money", 1e8),
    "人": ("people", 1.0),
    "万人": ("people", 1e4),
    # Counters differ by the thing counted (家 for firms, 个 for carriers, 支 for funds) but all
    # count items, so one converts to another with factor 1.
    "个": ("count", 1.0),
    "家": ("count", 1.0),
    "件": ("count", 1.0),
    "支": ("count", 1.0),
    "项": ("count", 1.0),
    "所": ("count", 1.0),
    "万家": ("count", 1e4),
    "万件": ("count", 1e4),
    # Shares are stored as fractions: 3.2 % is 0.032.
    "%": ("share", 0.01),
    "‰": ("share", 0.001),
    "fraction": ("share", 1.0),
    "亩": ("area", 1.0),
    "公顷": ("area", 15.0),
    "平方公里": ("area", 1500.0),
    "km2": ("area", 1500.0),
    "位": ("rank", 1.0),
    "名": ("rank", 1.0),
    "吨标准煤": ("energy", 1.0),
    "万吨标准煤": ("energy", 1e4),
    "tce": ("energy", 1.0),
}
# A unit written in a cell (34.0亿, 1.2万) is a magnitude of the dimension's base unit, whatever the
# header says: 34.0亿 of money is 34.0 亿元, 1.2万 firms is 12,000 firms.
MULTIPLIERS = {"万": 1e4, "亿": 1e8}
KINDS = {
    "amount": "money",
    "population": "people",
    "count": "count",
    "share": "share",
    "area": "area",
    "rank": "rank",
    "energy": "energy",
}
# What the panel stores for each kind: the dictionary's unit, except shares (fractions).
STORED_UNIT = {"share": "fraction"}
WHOLE_NUMBER_KINDS = frozenset({"count", "rank"})
MISSING_TOKENS = frozenset({"", "-", "—", "——", "–", "/", "－", "／", "…", "……"})
DICTIONARY_COLUMNS = ["id", "name_zh", "name_en", "unit", "kind", "aliases"]
_HEADER_UNIT = re.compile(r"^(?P<name>.*?)\s*[(\[](?P<unit>[^()\[\]]+)[)\]]\s*$")
_NUMBER_WITH_UNIT = re.compile(r"^(?P<number>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?P<unit>\D*)$")
# Ids of zones, indicators, facilities and targets: they name files and reach spreadsheets, so
# nothing in them may read as a formula. Matched in full (a "$" would let "x\n" through).
SLUG = r"[a-z][a-z0-9_]*"


def normalise(text: object) -> str:
    """A name reduced for matching: NFKC (full-width to ASCII), no spaces, case-folded."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"\s+", "", folded)


def read_text_table(path: Path) -> pd.DataFrame:
    """A small CSV file people edit (the registry, the dictionary): UTF-8 (with BOM) or GB18030, all text."""
    from zonetrack.io import UnreadableFile, decode

    try:
        text = decode(path.read_bytes())
    except OSError as error:
        raise ProblemsError(
            [Problem(path.as_posix(), None, None, ERROR, f"unreadable file: {error.strerror}")]
        ) from None
    except UnreadableFile as error:
        raise ProblemsError([Problem(path.as_posix(), None, None, ERROR, f"unreadable file: {error}")]) from None
    import io

    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        message = str(error).splitlines()[0] if str(error) else "empty file"
        raise ProblemsError([Problem(path.as_posix(), None, None, ERROR, f"cannot parse as CSV: {message}")]) from None


def load_dictionary(path: Path) -> pd.DataFrame:
    """Read and check the indicator dictionary; every problem is an error at its row and column."""
    dictionary = read_text_table(path)
    label = path.as_posix()
    missing = [c for c in DICTIONARY_COLUMNS if c not in dictionary.columns]
    if missing:
        raise ProblemsError([Problem(label, 1, c, ERROR, "missing required column") for c in missing])
    if "may_be_negative" not in dictionary.columns:
        dictionary["may_be_negative"] = ""
    # The zones an indicator is collected for: blank, every zone; or national / provincial (e.g. the
    # Ministry's rank exists for national zones only, so a provincial zone without one is not missing).
    if "collected_for" not in dictionary.columns:
        dictionary["collected_for"] = ""
    # The indicator another is a part of (设有研发机构的规上高企 of 规上高企): a part above its whole is an
    # error in ingest (two columns swapped), never a verdict of 120 %.
    if "part_of" not in dictionary.columns:
        dictionary["part_of"] = ""
    problems = []
    for row, entry in zip(range(2, len(dictionary) + 2), dictionary.itertuples(index=False), strict=True):
        if not re.fullmatch(SLUG, entry.id):
            problems.append(Problem(label, row, "id", ERROR, f"'{entry.id}' is not an id (a-z, 0-9 and _)"))
        if entry.kind not in KINDS:
            problems.append(
                Problem(label, row, "kind", ERROR, f"unknown kind '{entry.kind}'; use one of {list(KINDS)}")
            )
        elif UNITS.get(entry.unit, ("?",))[0] != KINDS[entry.kind]:
            problems.append(
                Problem(label, row, "unit", ERROR, f"unit '{entry.unit}' does not fit the kind {entry.kind}")
            )
        if entry.may_be_negative not in ("", "yes", "no"):
            problems.append(Problem(label, row, "may_be_negative", ERROR, "use yes, no or leave it blank (no)"))
        if entry.collected_for not in ("", "national", "provincial"):
            problems.append(
                Problem(label, row, "collected_for", ERROR, "use national, provincial or leave it blank (every zone)")
            )
    ids = set(dictionary["id"])
    units = dict(zip(dictionary["id"], dictionary["unit"], strict=True))
    for row, entry in zip(range(2, len(dictionary) + 2), dictionary.itertuples(index=False), strict=True):
        whole = entry.part_of
        if whole and whole not in ids:
            problems.append(Problem(label, row, "part_of", ERROR, f"no indicator '{shown(whole)}' to be a part of"))
        elif whole and (whole == entry.id or units.get(whole) != entry.unit):
            problems.append(
                Problem(label, row, "part_of", ERROR, f"'{whole}' cannot hold {entry.id}: a part has its whole's unit")
            )
    duplicated = dictionary["id"].duplicated()
    problems += [
        Problem(label, int(i) + 2, "id", ERROR, f"duplicate id '{dictionary.loc[i, 'id']}'")
        for i in np.flatnonzero(duplicated)
    ]
    if problems:
        raise ProblemsError(problems)
    return dictionary


def chinese_names(dictionary: pd.DataFrame) -> dict[str, str]:
    """Each indicator's Chinese name by its id (the reports name indicators so)."""
    return dict(zip(dictionary["id"], dictionary["name_zh"], strict=True))


def name_lookup(dictionary: pd.DataFrame) -> dict[str, str]:
    """Map every spelling (id, Chinese and English name, alias) to the indicator id."""
    lookup: dict[str, str] = {}
    for row in dictionary.itertuples(index=False):
        names = [row.id, row.name_zh, row.name_en, *str(row.aliases).split("|")]
        for name in names:
            key = normalise(name)
            if not key:
                continue
            if lookup.get(key, row.id) != row.id:
                raise ValueError(f"indicator dictionary: '{name}' names both {lookup[key]} and {row.id}")
            lookup[key] = row.id
    return lookup


def stored_unit(kind: str, unit: str) -> str:
    """The unit the panel stores an indicator in."""
    return STORED_UNIT.get(kind, unit)


def split_header_unit(header: str) -> tuple[str, str | None]:
    """Split a header such as ``技术合同成交额(万元)`` into name and unit."""
    text = unicodedata.normalize("NFKC", str(header)).strip()
    match = _HEADER_UNIT.match(text)
    if match is None:
        return text, None
    return match.group("name").strip(), match.group("unit").strip()


def unit_factor(unit: str | None, canonical: str) -> float | None:
    """The factor from ``unit`` to ``canonical``; None when it cannot convert."""
    if unit is None or unit == "":
        return 1.0
    unit = unicodedata.normalize("NFKC", unit).strip()
    source, target = UNITS.get(unit), UNITS.get(canonical)
    if source is None or target is None or source[0] != target[0]:
        return None
    return source[1] / target[1]


def cell_unit_factor(unit: str, canonical: str) -> float | None:
    """The factor of a unit written in a cell (万, 亿, 万元, %) to ``canonical``; None if it does not fit."""
    if unit in MULTIPLIERS:
        target = UNITS.get(canonical)
        return None if target is None else MULTIPLIERS[unit] / target[1]
    return unit_factor(unit, canonical)


@dataclass
class ParsedCells:
    """Numbers as written (without a cell's unit), the unit written in each cell ('' for none), and
    which cells are neither numbers nor missing."""

    numbers: np.ndarray
    units: np.ndarray
    bad: np.ndarray
    # Cells refused because their commas do not group digits by three (1,23; 12,34,567).
    misplaced_comma: np.ndarray | None = None


def _fast_numbers(text: pd.Series, missing: np.ndarray) -> np.ndarray:
    """Every cell as a float in one C++ cast when the column holds only plain numbers and missing
    markers (the usual case); else pandas' coercing parse, cell by cell where it must."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        strings = pa.array(text.where(~missing), type=pa.string(), from_pandas=True)
        return pc.cast(strings, pa.float64()).to_numpy(zero_copy_only=False).copy()
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


# A number whose commas group its digits by three: 1,234 · 12,345,678.9 · 1,234万 (NFKC-normalised).
GROUPED = r"^\s*[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?\s*\D*$"


def parse_cells(raw: pd.Series) -> ParsedCells:
    """Parse cells written ``1,234.5``, ``１２３``, ``1.2万``, ``34.0亿元``, ``3.2%`` or plain.

    Blank cells and the missing markers (``-``, ``—``, ``/``) are NaN and not errors: missing means
    missing, never zero. ``nan`` and ``inf`` are not numbers a statistics office writes: errors.
    """
    size = len(raw)
    units = np.full(size, "", dtype=object)
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        numbers = raw.to_numpy(dtype="float64", na_value=np.nan)
        return ParsedCells(numbers, units, ~np.isfinite(numbers) & ~np.isnan(numbers))
    text = raw.astype("string").str.strip()
    missing = (text.isna() | text.isin(MISSING_TOKENS)).to_numpy()
    numbers = _fast_numbers(text, missing)
    numbers[~np.isfinite(numbers)] = np.nan  # 'inf' and 'nan' parse; they go on to be judged below
    needs_work = np.isnan(numbers) & ~missing
    comma = np.zeros(size, dtype=bool)
    if needs_work.any():
        normalised = text[needs_work].str.normalize("NFKC")
        # A comma stands between groups of three digits (1,234.5); "1,23" is neither 123 nor 1.23.
        misplaced_comma = (normalised.str.contains(",", regex=False) & ~normalised.str.match(GROUPED)).to_numpy()
        rest = normalised.str.replace(r"[,\s]", "", regex=True)
        parts = rest.str.extract(_NUMBER_WITH_UNIT)
        parsed = pd.to_numeric(parts["number"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        unit = parts["unit"].fillna("").to_numpy(dtype=object)
        known = np.array([u == "" or u in UNITS or u in MULTIPLIERS for u in unit], dtype=bool)
        parsed[~known | ~np.isfinite(parsed) | misplaced_comma] = np.nan
        comma[needs_work] = misplaced_comma
        numbers[needs_work] = parsed
        units[needs_work] = np.where(known, unit, "")
    bad = np.isnan(numbers) & ~missing
    return ParsedCells(numbers, units, bad, comma)


def parse_numbers(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Plain numbers (years, amounts of a known unit): ``1,234.5``, ``1.2万``, ``3亿``; return (values,
    unparseable mask). A unit other than 万 or 亿 in a cell makes it unparseable here."""
    cells = parse_cells(raw)
    factor = np.ones(len(cells.units))
    written = np.flatnonzero(cells.units != "")
    factor[written] = [MULTIPLIERS.get(u, np.nan) for u in cells.units[written]]
    values = cells.numbers * factor
    bad = cells.bad | (np.isnan(values) & ~np.isnan(cells.numbers))
    return pd.Series(values, index=raw.index), pd.Series(bad, index=raw.index)
