"""The layout around a table: the words statistics offices write around their figures, as data
(`data/raw/layout.csv`), and what the lines above a table say (the year a title names, a unit line).

Each row gives a role and one spelling: the headers of the zone, year, indicator, value, unit, note,
source and row-number columns; the columns set aside (descriptive, or derived by a word such as 增速);
the labels of total and subtotal rows; the words that open a footnote; the words a zone's name may
carry or drop; the words that mark figures illustrative. A spelling an office writes in a new way is
one more row, never a code change. Every mistake in the file is an error at its row.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from zonetrack.indicators import UNITS, normalise, read_text_table
from zonetrack.ingest.tables import RawTable
from zonetrack.problems import ERROR, Problem, ProblemsError, shown
from zonetrack.registry import YEAR_RANGE

LAYOUT_FILE = "layout.csv"
BRACKETS = re.compile(r"\([^)]*\)")  # a bracketed part of a name (湘西高新区(吉首)), after NFKC
_YEAR_NAMED = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# A unit statement anywhere on a line above the table (单位：万元; 金额单位:万元; 计量单位：万元、家),
# also beside the reporting organisation (填报单位：湖南省统计局 …… 计量单位：万元、家、亩). 填报单位,
# 报送单位, 制表单位, 填表单位 and 编制单位 name an organisation, not a unit.
_UNIT_LINE = re.compile(r"(?<!填报)(?<!报送)(?<!制表)(?<!填表)(?<!编制)(?:金额|计量)?单位[:：](?P<units>[^\s…]+)")
_ORGANISATION = re.compile(r"(?:填报|报送|制表|填表|编制)单位[:：]")
# The roles of a column header: a header may have one of them only.
HEADER_ROLES = ("zone", "year", "indicator", "value", "unit", "note", "source", "row_number", "descriptive")
ROLES = {
    **{role: "a column header" for role in HEADER_ROLES},
    "derived": "a word marking a column derived from others (增速, 同比)",
    "cluster": "clusters.csv: the cluster's name column",
    "cluster_revenue": "clusters.csv: the cluster's revenue column",
    "total": "a row label totalling the table",
    "subtotal": "a row label totalling part of the table",
    "total_ending": "a row label ending so totals: the table's when it starts with a total word, else a part's",
    "footnote": "the word that opens a footnote row",
    "zone_word": "a word a zone's name may carry or drop",
    "zone_marker": "a word that makes a text a zone's name",
    "illustrative": "a word that marks figures illustrative",
}
_REGION_TOTAL_MAX = 14  # 全省高新区合计: a region's total written out, at most this many characters


@dataclass(frozen=True)
class Layout:
    """The spellings of each role, normalised (NFKC, no spaces, case-folded)."""

    spellings: dict[str, frozenset[str]]

    def words(self, role: str) -> frozenset[str]:
        """The spellings of one role."""
        return self.spellings.get(role, frozenset())

    @cached_property
    def _ordered(self) -> dict[str, tuple[str, ...]]:
        """Each role's spellings in a stable order, sorted once (they are tried on every header and label)."""
        return {role: tuple(sorted(words)) for role, words in self.spellings.items()}

    def ordered(self, role: str) -> tuple[str, ...]:
        """The spellings of one role, sorted."""
        return self._ordered.get(role, ())

    def header_role(self, name: str) -> str | None:
        """The role of a column header (zone, year, …, descriptive), or None for an indicator's."""
        key = normalise(name)
        return next((role for role in HEADER_ROLES if key in self.words(role)), None)

    def zone_column(self, fields: list[str]) -> int | None:
        """The column of a header row that names the zone, if any."""
        return next((i for i, name in enumerate(fields) if self.header_role(name) == "zone"), None)

    def derived(self, name: str) -> str | None:
        """The word that marks a header as derived from other columns (营业收入增速 → 增速), if any."""
        key = normalise(name)
        return next((word for word in self.ordered("derived") if word in key), None)

    def total_kind(self, key: str) -> str:
        """'total' for a label totalling the table (合计, 全省, 全省高新区合计), 'subtotal' for part of it
        (小计, 国家级高新区合计), '' otherwise; key is normalised, without brackets."""
        totals, ends = self.words("total"), self.ordered("total_ending")
        if key in totals:
            return "total"
        if ends and key.endswith(ends):
            return "total" if key.startswith(self.ordered("total")) and len(key) <= _REGION_TOTAL_MAX else "subtotal"
        if key in self.words("subtotal"):
            return "subtotal"
        return ""

    @cached_property
    def footnote(self) -> re.Pattern[str]:
        """A footnote row's opening: a footnote word, an optional number, a colon (注1：…)."""
        words = "|".join(re.escape(w) for w in sorted(self.words("footnote"), key=len, reverse=True))
        return re.compile(rf"^({words})\s*\d*\s*[:：.、]", re.IGNORECASE)

    @cached_property
    def zone_words(self) -> list[str]:
        """The words a zone's name may carry or drop, longest first (so 高新技术产业开发区 goes before 高新区)."""
        return sorted(self.words("zone_word"), key=lambda w: (-len(w), w))

    def zone_core(self, text: str) -> str:
        """A zone name without brackets and without the words analysts add or drop."""
        core = BRACKETS.sub("", normalise(text))
        for word in self.zone_words:
            core = core.replace(word, "")
        return core

    def marks_zone(self, key: str) -> bool:
        """Whether a normalised text carries a word that makes it a zone's name (高新, 园区)."""
        return any(marker in key for marker in self.words("zone_marker"))

    def illustrative(self, text: str) -> bool:
        """Whether a text (a title, a remark) says its figures are illustrative."""
        folded = text.casefold()
        return any(marker in folded for marker in self.words("illustrative"))

    def shown_headers(self, role: str) -> str:
        """The spellings of a header role, for a message."""
        return ", ".join(sorted(self.words(role)))


def load_layout(path: Path) -> Layout:
    """Read and check data/raw/layout.csv; every problem is an error at its row and column."""
    label = path.as_posix()
    if not path.exists():
        message = "missing: the words offices write around their figures (zone headers, 合计, 注：) are read from it"
        raise ProblemsError([Problem(label, None, None, ERROR, message)])
    table = read_text_table(path)
    missing = [c for c in ("role", "spelling") if c not in table.columns]
    if missing:
        raise ProblemsError([Problem(label, 1, c, ERROR, "missing required column (role, spelling)") for c in missing])
    problems: list[Problem] = []
    spellings: dict[str, set[str]] = {}
    header_of: dict[str, tuple[str, int]] = {}
    for row, role, spelling in zip(range(2, len(table) + 2), table["role"], table["spelling"], strict=True):
        role = role.strip()
        key = normalise(spelling)
        if role not in ROLES:
            close = difflib.get_close_matches(role, list(ROLES), n=1)
            hint = f"; did you mean `{close[0]}`?" if close else f" (one of: {', '.join(ROLES)})"
            problems.append(Problem(label, row, "role", ERROR, f"unknown role '{shown(role)}'{hint}"))
            continue
        if not key:
            problems.append(Problem(label, row, "spelling", ERROR, f"a {role} row without a spelling"))
            continue
        if key in spellings.get(role, set()):
            problems.append(Problem(label, row, "spelling", ERROR, f"'{shown(spelling)}' is given twice as {role}"))
            continue
        if role in HEADER_ROLES:
            if key in header_of:
                other, other_row = header_of[key]
                message = f"'{shown(spelling)}' is already a {other} header (row {other_row}): a header has one role"
                problems.append(Problem(label, row, "spelling", ERROR, message))
                continue
            header_of[key] = (role, row)
        spellings.setdefault(role, set()).add(key)
    for role in ("zone", "total", "footnote"):
        if role not in spellings and not any(p.column == "role" for p in problems):
            problems.append(Problem(label, None, "role", ERROR, f"no {role} row: ingest cannot read a table without"))
    if problems:
        raise ProblemsError(problems)
    return Layout({role: frozenset(words) for role, words in spellings.items()})


def named_year(table: RawTable) -> tuple[int | None, str, list[Problem]]:
    """The one year a table's title rows and sheet name name (2020年…, sheet 2020年), where it was
    found, and an error when they name none or several."""
    found: dict[int, list[str]] = {}
    for row, text in table.preamble:
        for year in _YEAR_NAMED.findall(unicodedata_nfkc(text)):
            if YEAR_RANGE[0] <= int(year) <= YEAR_RANGE[1]:
                found.setdefault(int(year), []).append(f"row {row} '{shown(text, 40)}'")
    if table.sheet:
        for year in _YEAR_NAMED.findall(unicodedata_nfkc(table.sheet)):
            if YEAR_RANGE[0] <= int(year) <= YEAR_RANGE[1]:
                found.setdefault(int(year), []).append(f"sheet name '{shown(table.sheet, 40)}'")
    if len(found) == 1:
        year, places = next(iter(found.items()))
        return year, places[0], []
    if not found:
        message = (
            "no year column (年份, year), and neither the title above the table nor the sheet name names a "
            "year: add a year column or a title such as '2020年…'"
        )
    else:
        listed = "; ".join(f"{y} ({', '.join(p)})" for y, p in sorted(found.items()))
        message = f"no year column, and the title and sheet name name several years: {listed}; add a year column"
    return None, "", [Problem(table.label, table.header_row, "year", ERROR, message)]


def unicodedata_nfkc(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", text)


def unit_line(table: RawTable) -> tuple[dict[str, str], list[Problem]]:
    """The units a line above the table sets (单位：万元), by dimension."""
    units: dict[str, str] = {}
    problems = []
    for row, text in table.preamble:
        line = unicodedata_nfkc(text)
        line = re.sub(r"单位\s*([:：])\s*", r"单位\1", line)  # 单位 ： 万元 → 单位：万元
        matches = list(_UNIT_LINE.finditer(line))
        if not matches:
            if re.search(r"单位\s*[:：]", _ORGANISATION.sub("", line)):
                problems.append(
                    Problem(
                        table.label,
                        row,
                        None,
                        ERROR,
                        f"a line names a unit but is not understood: '{shown(text)}'; write it as 单位：万元 "
                        "(or 计量单位：万元、家)",
                    )
                )
            continue
        for unit in (u for m in matches for u in re.split(r"[、,，;；/]", m.group("units"))):
            unit = unit.strip("()（）")
            if unit in UNITS:
                units.setdefault(UNITS[unit][0], unit)
            elif unit:
                problems.append(
                    Problem(table.label, row, None, ERROR, f"unknown unit '{shown(unit)}' in the unit line")
                )
    return units, problems
