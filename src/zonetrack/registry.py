"""The zone registry: names, and each zone's level (national, provincial) in each year."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from zonetrack.indicators import SLUG, normalise, read_text_table
from zonetrack.io import starts_like_formula
from zonetrack.problems import ERROR, Problem, ProblemsError, shown

REGISTRY_COLUMNS = ["zone_id", "name_zh", "name_en", "city", "provincial_since", "national_since", "source"]
# Optional columns of zones.csv: the province (as the national registry writes it: 湖南省) and the
# spellings an analyst has confirmed for a zone (`|`-separated, like the indicators' aliases).
OPTIONAL_COLUMNS = {"province": "", "aliases": "", "note": ""}
# A plan's region: a province as written in the registry, or the whole country.
COUNTRY = "全国"
# A year outside this range is a typo (the first zones were approved in 1988), wherever it is written.
YEAR_RANGE = (1985, 2050)
NATIONAL = "national"
PROVINCIAL = "provincial"


def load_registry(path: Path) -> pd.DataFrame:
    """Read and check zones.csv (UTF-8 or GB18030); the approval years become nullable integers.

    Every problem is an error at its row and column: ids are slugs (they name files and reach
    spreadsheets, so nothing in them may read as a formula), years are whole years.
    """
    registry = read_text_table(path)
    label = path.as_posix()
    missing = [c for c in REGISTRY_COLUMNS if c not in registry.columns]
    if missing:
        raise ProblemsError([Problem(label, 1, c, ERROR, "missing required column") for c in missing])
    has_provinces = "province" in registry.columns
    for column, default in OPTIONAL_COLUMNS.items():
        if column not in registry.columns:
            registry[column] = default
    problems = _year_columns(registry, ["provincial_since", "national_since"], label)
    if has_provinces:
        # A plan sees its region's zones: a zone without a province would be in none.
        problems += [
            Problem(
                label, int(i) + 2, "province", ERROR, "no province: write it as the national registry does (湖南省)"
            )
            for i in np.flatnonzero(registry["province"].str.strip() == "")
        ]
    problems += _zone_id_problems(registry, label)
    for column in ("name_zh", "name_en"):
        empty = registry[column].str.strip() == ""
        problems += [Problem(label, int(i) + 2, column, ERROR, "empty name") for i in np.flatnonzero(empty)]
    problems += _formula_names(registry, label)
    if problems:
        raise ProblemsError(problems)
    return registry


def _zone_id_problems(table: pd.DataFrame, label: str) -> list[Problem]:
    """Ids that are not slugs (they name files and reach spreadsheets, so nothing in them may read
    as a formula) and ids given twice, each at its row."""
    problems = [
        Problem(
            label,
            int(i) + 2,
            "zone_id",
            ERROR,
            f"'{shown(table.loc[i, 'zone_id'])}' is not a zone id: ids are slugs of a-z, 0-9 and _, "
            "starting with a letter (e.g. changsha, yueyang_lingang)",
        )
        for i in np.flatnonzero(~table["zone_id"].str.fullmatch(SLUG))
    ]
    return problems + [
        Problem(label, int(i) + 2, "zone_id", ERROR, f"duplicate zone_id '{table.loc[i, 'zone_id']}'")
        for i in np.flatnonzero(table["zone_id"].duplicated())
    ]


def _formula_names(table: pd.DataFrame, label: str) -> list[Problem]:
    """A name that starts like a spreadsheet formula (=, +, -, @) would run in the workbooks sent to
    every zone: refused at its row."""
    problems = []
    for column in ("name_zh", "name_en", "city", "aliases"):
        if column not in table.columns:
            continue
        for i, text in enumerate(table[column]):
            names = str(text).split("|") if column == "aliases" else [str(text)]
            if any(starts_like_formula(name) for name in names):
                problems.append(
                    Problem(label, i + 2, column, ERROR, f"'{shown(text)}' starts like a formula: write the name only")
                )
    return problems


def _small_table(path: Path, columns: list[str], years: list[str]):
    """(table, its label, problems of its year columns) of a small CSV people edit, its required
    columns checked; a missing file is an empty table of those columns, with label None."""
    if not path.exists():
        return (
            pd.DataFrame({c: pd.Series(dtype=object) for c in columns}).astype(dict.fromkeys(years, "Int64")),
            None,
            [],
        )
    table = read_text_table(path)
    label = path.as_posix()
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ProblemsError([Problem(label, 1, c, ERROR, "missing required column") for c in missing])
    return table, label, _year_columns(table, years, label)


NATIONAL_COLUMNS = ["zone_id", "name_zh", "province", "approved", "national_since", "source", "grade"]


def load_national(path: Path) -> pd.DataFrame:
    """national_zones.csv: every national high-tech zone of China with its province and the year it
    became national, each row with its source and grade (data/raw/REGISTRY.md). A missing file is
    an empty registry."""
    table, label, problems = _small_table(path, NATIONAL_COLUMNS, ["national_since"])
    if label is None:
        return table
    problems += _zone_id_problems(table, label)
    problems += [
        Problem(label, int(i) + 2, "national_since", ERROR, "a national zone without the year it became national")
        for i in np.flatnonzero(table["national_since"].isna())
    ]
    problems += _formula_names(table, label)
    if problems:
        raise ProblemsError(problems)
    return table


def every_zone(zones: pd.DataFrame, national: pd.DataFrame, zones_label: str, national_label: str) -> pd.DataFrame:
    """zones.csv together with the national zones it does not list: one registry for every plan.

    A zone in both (by id) must agree on its province and its national year: an error at the
    national registry's row otherwise. A national zone only in the national registry is provincial
    before its national year as far as records go (its provincial approval is not recorded)."""
    both = national[national["zone_id"].isin(set(zones["zone_id"]))]
    mine = zones.set_index("zone_id")
    problems = []
    for i, row in both.iterrows():
        own = mine.loc[row["zone_id"]]
        if own["province"] and own["province"] != row["province"]:
            problems.append(
                Problem(
                    national_label,
                    int(i) + 2,
                    "province",
                    ERROR,
                    f"{row['zone_id']} is in {row['province']} here but in {own['province']} in {zones_label}",
                )
            )
        if pd.isna(own["national_since"]) or int(own["national_since"]) != int(row["national_since"]):
            problems.append(
                Problem(
                    national_label,
                    int(i) + 2,
                    "national_since",
                    ERROR,
                    f"{row['zone_id']} national since {row['national_since']} here but "
                    f"{shown(own['national_since'])} in {zones_label}",
                )
            )
    if problems:
        raise ProblemsError(problems)
    extra = national[~national["zone_id"].isin(set(zones["zone_id"]))]
    added = pd.DataFrame(
        {
            "zone_id": extra["zone_id"],
            "name_zh": extra["name_zh"],
            "name_en": "",
            "province": extra["province"],
            "city": "",
            "provincial_since": pd.array([pd.NA] * len(extra), dtype="Int64"),
            "national_since": extra["national_since"].astype("Int64"),
            "aliases": "",
            "note": "from the national registry: national approval " + extra["approved"].astype(str),
            "source": extra["source"],
        }
    )
    return pd.concat([zones, added], ignore_index=True) if len(added) else zones


def load_zones(raw: Path) -> pd.DataFrame:
    """The registry every plan reads: zones.csv and the national zones of national_zones.csv."""
    zones = load_registry(raw / "zones.csv")
    national = load_national(raw / "national_zones.csv")
    return every_zone(zones, national, (raw / "zones.csv").as_posix(), (raw / "national_zones.csv").as_posix())


def provinces(registry: pd.DataFrame) -> list[str]:
    """The provinces the registry names, in its order."""
    return list(dict.fromkeys(p for p in registry["province"] if p)) if "province" in registry else []


def in_region(registry: pd.DataFrame, region: str) -> pd.DataFrame:
    """The zones of a region: a province's, or every zone for 全国. A registry without provinces
    (a test's) is one region."""
    if region == COUNTRY or "province" not in registry.columns:
        return registry
    return registry[registry["province"] == region].reset_index(drop=True)


COVERAGE_COLUMNS = ["region", "level", "from_year", "to_year", "published_count", "source", "note"]


def load_coverage(path: Path) -> pd.DataFrame:
    """registry_coverage.csv: for which region, level and years the registry lists every zone
    (`published_count` blank), or how many zones a source counts in all (a count without the list).
    A region, level and year it does not name is not known to be complete. A missing file says
    nothing is known to be complete."""
    table, label, problems = _small_table(path, COVERAGE_COLUMNS, ["from_year", "to_year"])
    if label is None:
        return table
    text = table["published_count"].str.strip()
    counts = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = (text != "") & (counts.isna() | (counts % 1 != 0) | (counts < 0))
    problems += [
        Problem(label, int(i) + 2, "published_count", ERROR, f"'{shown(text[i])}' is not a number of zones")
        for i in np.flatnonzero(bad)
    ]
    table["published_count"] = counts.where(~bad).astype("Int64")
    problems += [
        Problem(label, int(i) + 2, "level", ERROR, f"'{shown(v)}' is not a level (national, provincial)")
        for i, v in enumerate(table["level"])
        if v not in (NATIONAL, PROVINCIAL)
    ]
    if problems:
        raise ProblemsError(problems)
    return table


def count_bounds(coverage: pd.DataFrame | None, region: str, level: str, years, listed: np.ndarray):
    """(upper bound, share known) of a count of a level's zones in a region per year, given the
    count the registry lists: the same where the registry is complete (for the region, or for the
    whole country, which covers every province), the published total where a source counts the
    zones without listing them, unknown (inf, NaN) elsewhere. No coverage table: complete (tests)."""
    years = np.asarray(years, dtype="int64")
    if coverage is None:
        return listed.astype("float64"), np.ones(len(years))
    upper = np.full(len(years), np.inf)
    known = np.full(len(years), np.nan)
    for row in coverage[coverage["level"] == level].itertuples(index=False):
        start = -np.inf if pd.isna(row.from_year) else int(row.from_year)
        end = np.inf if pd.isna(row.to_year) else int(row.to_year)
        covers = (years >= start) & (years <= end)
        if pd.isna(row.published_count):
            covers &= row.region in (region, COUNTRY)
            upper = np.where(covers, listed, upper)
            known = np.where(covers, 1.0, known)
        elif row.region == region:
            total = float(row.published_count)
            upper = np.where(covers & np.isinf(upper), np.maximum(total, listed), upper)
            known = np.where(covers & np.isnan(known), np.minimum(listed / total, 1.0) if total else 1.0, known)
    return upper, known


def _year_columns(table: pd.DataFrame, columns: list[str], label: str) -> list[Problem]:
    """Turn text columns of years into nullable integers in place; errors for what is not a year."""
    problems = []
    for column in columns:
        text = table[column].str.strip()
        years = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = (text != "") & (years.isna() | (years % 1 != 0) | ~years.between(*YEAR_RANGE))
        problems += [
            Problem(
                label,
                int(i) + 2,
                column,
                ERROR,
                f"'{shown(text[i])}' is not a whole year (e.g. 2010); blank if unknown",
            )
            for i in np.flatnonzero(bad)
        ]
        table[column] = years.where(~bad).astype("Int64")
    return problems


FACILITY_COLUMNS = ["id", "kind", "name_zh", "name_en", "established", "source"]


def load_facilities(path: Path) -> pd.DataFrame:
    """facilities.csv: province-wide facilities a plan names (platforms), each with the year it was
    established (blank where no source gives it). A missing file is an empty list."""
    table, label, problems = _small_table(path, FACILITY_COLUMNS, ["established"])
    if label is None:
        return table
    for column in ("id", "kind"):
        bad = ~table[column].str.fullmatch(SLUG)
        problems += [
            Problem(label, int(i) + 2, column, ERROR, f"'{shown(table.loc[i, column])}' is not a slug (a-z, 0-9, _)")
            for i in np.flatnonzero(bad)
        ]
    if problems:
        raise ProblemsError(problems)
    return table


def short_name_zh(name_zh: str) -> str:
    """The usual short form: 长沙高新技术产业开发区 → 长沙高新区."""
    return name_zh.replace("高新技术产业开发区", "高新区")


def short_names(registry: pd.DataFrame) -> dict[str, str]:
    """Each zone's short Chinese name (长沙高新区), by id: how readers see zones."""
    return {z: short_name_zh(n) for z, n in zip(registry["zone_id"], registry["name_zh"], strict=True)}


def zone_lookup(registry: pd.DataFrame) -> dict[str, str]:
    """Map each spelling of a zone (id, Chinese name and short name, English name) to its id."""
    lookup: dict[str, str] = {}
    for row in registry.itertuples(index=False):
        aliases = str(getattr(row, "aliases", "") or "").split("|")
        for name in (row.zone_id, row.name_zh, short_name_zh(row.name_zh), row.name_en, *aliases):
            key = normalise(name)
            if key and lookup.get(key, row.zone_id) != row.zone_id:
                raise ValueError(f"zone registry: '{name}' names both {lookup[key]} and {row.zone_id}")
            if key:
                lookup[key] = row.zone_id
    return lookup


def zone_levels(registry: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Each zone's level in each year: national, provincial, or missing (not yet a zone); one row per
    zone and year, zone-major (the registry's order, then the years as given).

    National when national_since <= year; otherwise provincial when provincial_since is blank
    (approved before records) or <= year. (Arrays, not a cross merge: the engine's what-if search asks
    for the levels of a count's zones at every step.)
    """
    year = np.asarray(years, dtype="int64")
    provincial_since = registry["provincial_since"].to_numpy(dtype="float64", na_value=np.nan)[:, None]
    national_since = registry["national_since"].to_numpy(dtype="float64", na_value=np.nan)[:, None]
    national = national_since <= year  # a blank (NaN) compares False
    provincial = np.isnan(provincial_since) | (provincial_since <= year)
    level = np.select([national, provincial], [NATIONAL, PROVINCIAL], default="").astype(object).ravel()
    level[level == ""] = None
    return pd.DataFrame(
        {
            "zone_id": registry["zone_id"].repeat(len(year)).reset_index(drop=True),
            "year": np.tile(year, len(registry)),
            "level": pd.array(level, dtype="string"),
        }
    )


def codes_in(values: pd.Series | np.ndarray, categories: np.ndarray) -> np.ndarray:
    """Position of each value in categories (−1 if absent), hashing each distinct value once."""
    index = pd.Index(categories)
    values = pd.Series(values) if not isinstance(values, pd.Series) else values
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype("int64")
        lookup = index.get_indexer(values.cat.categories.astype(object))
    else:
        codes, uniques = pd.factorize(values)
        lookup = index.get_indexer(pd.Index(uniques).astype(object))
    return np.append(lookup, -1)[codes].astype("int64")


@dataclass(frozen=True)
class Grid:
    """Every zone × year as one row, zone-major, zones in id order: row = zone · n_years + year position.

    Aligning everything on this grid turns the engine's joins into array indexing.
    """

    zones: np.ndarray
    years: np.ndarray
    level: np.ndarray

    @property
    def zone_of_row(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.zones)), len(self.years))

    @property
    def year_of_row(self) -> np.ndarray:
        return np.tile(self.years, len(self.zones))

    @cached_property
    def level_code(self) -> np.ndarray:
        """Each row's level as an integer: 0 not a zone, 1 national, 2 provincial."""
        return np.select([self.level == NATIONAL, self.level == PROVINCIAL], [1, 2], default=0)

    def rows(self, zone_ids: pd.Series, years: pd.Series) -> np.ndarray:
        """Grid row of each (zone, year); −1 where the zone or year is not on the grid."""
        zone_code = codes_in(zone_ids, self.zones)
        year_values = np.asarray(years, dtype="int64")
        position = np.searchsorted(self.years, year_values)
        position = np.minimum(position, len(self.years) - 1)
        on_grid = (zone_code >= 0) & (self.years[position] == year_values)
        return np.where(on_grid, zone_code * len(self.years) + position, -1)

    def matrix(self, panel: pd.DataFrame, indicators: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A long panel as grid-rows × indicators values (NaN where missing), and for each filled
        cell the panel row it came from (−1 elsewhere). Values off the grid are left out."""
        rows = self.rows(panel["zone_id"], panel["year"])
        columns = codes_in(panel["indicator"], np.asarray(indicators, dtype=object))
        placed = (rows >= 0) & (columns >= 0)
        values = np.full((len(self.zones) * len(self.years), len(indicators)), np.nan)
        values[rows[placed], columns[placed]] = panel["value"].to_numpy(dtype="float64")[placed]
        source = np.full(values.shape, -1, dtype="int64")
        source[rows[placed], columns[placed]] = np.flatnonzero(placed)
        return values, source


def make_grid(levels: pd.DataFrame) -> Grid:
    """The grid of a zone_levels() frame (any row order)."""
    zones = np.array(sorted(levels["zone_id"].unique()), dtype=object)
    years = np.array(sorted(levels["year"].unique()), dtype="int64")
    grid = Grid(zones, years, np.full(len(zones) * len(years), None, dtype=object))
    rows = grid.rows(levels["zone_id"], levels["year"])
    grid.level[rows] = levels["level"].astype(object).where(levels["level"].notna(), None).to_numpy()
    return grid
