"""The zone registry: names, and each zone's level (national, provincial) in each year."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from zonetrack.indicators import SLUG, normalise, read_text_table
from zonetrack.problems import ERROR, Problem, ProblemsError, shown

REGISTRY_COLUMNS = ["zone_id", "name_zh", "name_en", "city", "provincial_since", "national_since", "source"]
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
    problems = _year_columns(registry, ["provincial_since", "national_since"], label)
    bad_id = ~registry["zone_id"].str.fullmatch(SLUG)
    problems += [
        Problem(
            label,
            int(i) + 2,
            "zone_id",
            ERROR,
            f"'{shown(registry.loc[i, 'zone_id'])}' is not a zone id: ids are slugs of a-z, 0-9 and _, "
            "starting with a letter (e.g. changsha, yueyang_lingang)",
        )
        for i in np.flatnonzero(bad_id)
    ]
    duplicated = registry["zone_id"].duplicated()
    problems += [
        Problem(label, int(i) + 2, "zone_id", ERROR, f"duplicate zone_id '{registry.loc[i, 'zone_id']}'")
        for i in np.flatnonzero(duplicated)
    ]
    for column in ("name_zh", "name_en"):
        empty = registry[column].str.strip() == ""
        problems += [Problem(label, int(i) + 2, column, ERROR, "empty name") for i in np.flatnonzero(empty)]
    if problems:
        raise ProblemsError(problems)
    return registry


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
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype=object) for c in FACILITY_COLUMNS}).astype({"established": "Int64"})
    table = read_text_table(path)
    label = path.as_posix()
    missing = [c for c in FACILITY_COLUMNS if c not in table.columns]
    if missing:
        raise ProblemsError([Problem(label, 1, c, ERROR, "missing required column") for c in missing])
    problems = _year_columns(table, ["established"], label)
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
        for name in (row.zone_id, row.name_zh, short_name_zh(row.name_zh), row.name_en):
            key = normalise(name)
            if key and lookup.get(key, row.zone_id) != row.zone_id:
                raise ValueError(f"zone registry: '{name}' names both {lookup[key]} and {row.zone_id}")
            if key:
                lookup[key] = row.zone_id
    return lookup


def zone_levels(registry: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Each zone's level in each year: national, provincial, or missing (not yet a zone).

    National when national_since <= year; otherwise provincial when provincial_since is blank
    (approved before records) or <= year.
    """
    grid = registry[["zone_id", "provincial_since", "national_since"]].merge(
        pd.DataFrame({"year": pd.Series(years, dtype="int64")}), how="cross"
    )
    national = (grid["national_since"] <= grid["year"]).fillna(False).astype(bool)
    provincial = (
        (grid["provincial_since"].isna() | (grid["provincial_since"] <= grid["year"])).fillna(False).astype(bool)
    )
    grid["level"] = (
        pd.Series(np.select([national, provincial], [NATIONAL, PROVINCIAL], default=""), index=grid.index)
        .replace("", None)
        .astype("string")
    )
    return grid[["zone_id", "year", "level"]]


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
