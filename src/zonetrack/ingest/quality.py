"""Data quality on the zone × year grid: plausibility against neighbouring years (a 10,000-fold step
is a unit mix-up, an error; another tenfold step a warning unless an analyst verified it), missing
values, zone-years without data, values before a zone existed, and coverage."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from zonetrack.problems import ERROR, WARNING, Problem, plain_number
from zonetrack.registry import make_grid, zone_levels

JUMP_FACTOR = 10.0
# A step of 10^3.5 or more is a unit mix-up, never a year's growth: about 10^4 is what 万元 read as 亿元
# (or 人 as 万人) does; for amounts about 10^5 is 千元 read as 亿元, 10^8 元 read as 亿元.
MIXUP_LOG10 = 3.5
MIXUP_BY_POWER = {("amount", 5): "千元 vs 亿元", ("amount", 8): "元 vs 亿元"}
MIXUP_NAMES = {
    "amount": "万元 vs 亿元 (or 元 vs 万元)",
    "population": "人 vs 万人",
    "count": "a count written in 万 (ten thousands)",
    "area": "亩 vs 平方公里",
    "energy": "吨标准煤 vs 万吨标准煤",
}
VERIFIED_FILE = "verified_jumps.csv"
# Kinds of which a zone that had some cannot have none the next year (a count can: a lost accreditation).
ZERO_IMPLAUSIBLE_KINDS = frozenset({"amount", "population", "area", "energy"})


@dataclass(frozen=True)
class Quality:
    """Missing values, zone-years without data, data before approval, coverage, and the indicators
    that have no data at all in a year (not collected that year: not a missing value per zone)."""

    missing: pd.DataFrame
    zone_years_without_data: pd.DataFrame
    before_approval: pd.DataFrame
    coverage: pd.DataFrame
    not_collected: pd.DataFrame


def quality(panel: pd.DataFrame, registry: pd.DataFrame, dictionary: pd.DataFrame) -> Quality:
    """Computed on the zone × year grid of the years the data cover (array indexing, no joins)."""
    years = sorted(int(y) for y in panel["year"].unique()) if len(panel) else []
    indicators = np.array(sorted(dictionary["id"]), dtype=object)
    if not years:
        empty = pd.DataFrame(columns=["zone_id", "year", "indicator"])
        return Quality(
            empty,
            empty[["zone_id", "year"]],
            empty[["zone_id", "year"]],
            pd.DataFrame(columns=["indicator", "year", "coverage"]),
            empty[["year", "indicator"]],
        )
    grid = make_grid(zone_levels(registry, years))
    values, _ = grid.matrix(panel, indicators)
    present = ~np.isnan(values)
    exists = np.array([level is not None for level in grid.level])
    zone_of_row, year_of_row = grid.zone_of_row, grid.year_of_row
    shape = (len(grid.zones), len(grid.years))
    # An indicator with no value at all in a year was not collected that year.
    collected = (present & exists[:, None]).reshape(*shape, len(indicators)).any(axis=0)  # years × indicators
    year_position = np.tile(np.arange(len(grid.years)), len(grid.zones))
    # Which zones each indicator is collected for (indicators.csv `collected_for`): all, or one level.
    collected_for = dictionary.get("collected_for", pd.Series("", index=dictionary.index))
    level_of = dict(zip(dictionary["id"], collected_for, strict=True))
    wanted = np.array([{"national": 1, "provincial": 2}.get(level_of.get(i) or "", 0) for i in indicators])
    concerned = exists[:, None] & ((wanted[None, :] == 0) | (grid.level_code[:, None] == wanted[None, :]))
    expected = concerned & collected[year_position]
    missing_row, missing_col = np.nonzero(expected & ~present)
    missing = pd.DataFrame(
        {
            "zone_id": grid.zones[zone_of_row[missing_row]],
            "year": year_of_row[missing_row],
            "indicator": indicators[missing_col],
        }
    )
    not_collected_year, not_collected_col = np.nonzero(~collected)
    not_collected = pd.DataFrame({"year": grid.years[not_collected_year], "indicator": indicators[not_collected_col]})
    empty_rows = np.flatnonzero(exists & ~present.any(axis=1))
    without = pd.DataFrame({"zone_id": grid.zones[zone_of_row[empty_rows]], "year": year_of_row[empty_rows]})
    early_rows = np.flatnonzero(~exists & present.any(axis=1))
    before = pd.DataFrame({"zone_id": grid.zones[zone_of_row[early_rows]], "year": year_of_row[early_rows]})
    # Zone-major grid: reshaping to zones × years × indicators and summing over zones counts per year.
    existing_per_year = concerned.reshape(*shape, len(indicators)).sum(axis=0).T  # indicators × years
    present_per_year = (present & concerned).reshape(*shape, len(indicators)).sum(axis=0).T
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(existing_per_year > 0, present_per_year / existing_per_year, np.nan)
    coverage = pd.DataFrame(
        {
            "indicator": np.repeat(indicators, len(grid.years)),
            "year": np.tile(grid.years, len(indicators)),
            "coverage": share.ravel(),
        }
    )
    return Quality(missing, without, before, coverage, not_collected)


def read_verified(path, zone_of, indicator_of) -> tuple[set[tuple[str, int, str]], list[Problem]]:
    """Jumps an analyst verified: (zone id, year, indicator id) from data/raw/verified_jumps.csv,
    each with a reason; a row without a reason, or naming what does not exist, is an error."""
    from zonetrack.indicators import read_text_table

    if not path.exists():
        return set(), []
    table = read_text_table(path)
    label = path.as_posix()
    problems = [
        Problem(label, 1, c, ERROR, "missing required column (zone, year, indicator, reason)")
        for c in ("zone", "year", "indicator", "reason")
        if c not in table.columns
    ]
    if problems:
        return set(), problems
    verified = set()
    for row, entry in zip(range(2, len(table) + 2), table.itertuples(index=False), strict=True):
        zone, indicator = zone_of(entry.zone), indicator_of(entry.indicator)
        year = int(entry.year) if str(entry.year).strip().isdigit() else None
        for column, ok, text in (
            ("zone", zone, entry.zone),
            ("year", year, entry.year),
            ("indicator", indicator, entry.indicator),
        ):
            if not ok:
                problems.append(Problem(label, row, column, ERROR, f"unknown {column} '{text}'"))
        if not str(entry.reason).strip():
            problems.append(
                Problem(label, row, "reason", ERROR, "say why the jump is real (who verified it, with what)")
            )
        if zone and year and indicator and str(entry.reason).strip():
            verified.add((zone, year, indicator))
    return verified, problems


def plausibility(
    panel: pd.DataFrame, kinds: dict[str, str], verified: set[tuple[str, int, str]]
) -> tuple[list[Problem], list[dict]]:
    """Each value against the same zone's value of the neighbouring year: a step of about 10,000
    times is an error naming the likely unit mix-up, another step of over tenfold a warning; a step
    an analyst verified (verified_jumps.csv) is neither, and is listed. Problems stand at the
    value that is off (the later one of a pair, or the one off from both its neighbours)."""
    needed = ["zone_id", "indicator", "year", "value", "source_file", "source_row", "source_column"]
    frame = panel[needed + (["unit"] if "unit" in panel.columns else [])]
    # On integer codes: sorting and comparing a million strings is what would cost.
    zone = pd.Categorical(frame["zone_id"]).codes
    indicator = pd.Categorical(frame["indicator"]).codes
    order = np.lexsort((frame["year"].to_numpy(), indicator, zone))
    frame = frame.iloc[order].reset_index(drop=True)
    zone, indicator = zone[order], indicator[order]
    same = pd.Series(np.r_[False, (zone[1:] == zone[:-1]) & (indicator[1:] == indicator[:-1])])
    consecutive = same & (frame["year"] == frame["year"].shift() + 1)
    previous = frame["value"].shift()
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.log10(frame["value"] / previous)
    step = step.where(consecutive & (frame["value"] > 0) & (previous > 0))
    size = step.abs()
    mixup = size >= MIXUP_LOG10
    jump = (size > np.log10(JUMP_FACTOR)) & ~mixup
    opposite = np.sign(step) != np.sign(step.shift(-1))
    followed = (mixup & mixup.shift(-1, fill_value=False) & opposite).to_numpy()
    problems, listed, skip = [], [], set()
    for index in np.flatnonzero((mixup | jump).to_numpy()):
        if index in skip:
            continue
        if followed[index]:
            skip.add(index + 1)  # the value is off from both of its neighbours: one problem, at it
        row, before = frame.iloc[index], frame.iloc[index - 1]
        key = (str(row["zone_id"]), int(row["year"]), str(row["indicator"]))
        previous_key = (row["zone_id"], int(before["year"]), row["indicator"])
        times = row["value"] / before["value"]
        described = f"{times:,.0f} times" if times >= 1 else f"1/{1 / times:,.0f} of"
        unit = f" {row['unit']}" if "unit" in frame.columns and isinstance(row["unit"], str) and row["unit"] else ""
        message = (
            f"{row['indicator']} of {row['zone_id']} in {int(row['year'])} is {described} its value in "
            f"{int(before['year'])} ({plain_number(row['value'])}{unit} against "
            f"{plain_number(before['value'])}{unit} at {before['source_file']}:{before['source_row']})"
        )
        if key in verified or previous_key in verified:
            listed.append(
                {"kind": "verified_jump", "zone_id": key[0], "year": key[1], "indicator": key[2], "message": message}
            )
            continue
        location = (str(row["source_file"]), int(row["source_row"]), str(row["source_column"]))
        if mixup.iloc[index]:
            mixed = _mixup_name(kinds.get(row["indicator"], ""), int(np.round(size.iloc[index])))
            text = (
                f"{message}: likely {mixed}. Correct the unit; if the value is right, list it with a reason "
                f"in data/raw/{VERIFIED_FILE}"
            )
            problems.append(Problem(*location, ERROR, text, "jump", *key[:2]))
        else:
            text = f"{message}: more than tenfold; if it is right, list it with a reason in data/raw/{VERIFIED_FILE}"
            problems.append(Problem(*location, WARNING, text, "jump", *key[:2]))
    return problems + _falls_to_zero(frame, consecutive, previous, kinds, verified), listed


def _mixup_name(kind: str, power: int) -> str:
    """The unit mix-up a step of about 10^power suggests for an indicator of this kind."""
    if power == 4:
        return MIXUP_NAMES.get(kind, "a unit mix-up")
    return MIXUP_BY_POWER.get((kind, power), f"a unit mix-up (about 10^{power} times)")


def _falls_to_zero(
    frame: pd.DataFrame,
    consecutive: pd.Series,
    previous: pd.Series,
    kinds: dict[str, str],
    verified: set[tuple[str, int, str]],
) -> list[Problem]:
    """An amount, a population, an area or an energy use of 0 after a positive value the year before:
    a warning at the 0, since a clerk may have typed 0 for a figure not yet known (blank is missing; 0
    says there was none). Counts may fall to 0 (an incubator that lost its accreditation)."""
    flows = frame["indicator"].map(lambda i: kinds.get(str(i)) in ZERO_IMPLAUSIBLE_KINDS).to_numpy(dtype=bool)
    fell = (consecutive & (frame["value"] == 0) & (previous > 0)).to_numpy() & flows
    problems = []
    for index in np.flatnonzero(fell):
        row, before = frame.iloc[index], frame.iloc[index - 1]
        key = (str(row["zone_id"]), int(row["year"]), str(row["indicator"]))
        if key in verified:
            continue
        message = (
            f"{row['indicator']} of {row['zone_id']} is 0 in {int(row['year'])}, after {plain_number(before['value'])} "
            f"in {int(before['year'])} (at {before['source_file']}:{before['source_row']}): a figure not known is "
            f"left blank (missing), never 0; if 0 is right, list it with a reason in data/raw/{VERIFIED_FILE}"
        )
        location = (str(row["source_file"]), int(row["source_row"]), str(row["source_column"]))
        problems.append(Problem(*location, WARNING, message, "fall_to_zero", *key[:2]))
    return problems


def parts_above_wholes(panel: pd.DataFrame, part_of: dict[str, str]) -> list[Problem]:
    """A value above the value it is a part of (indicators.csv `part_of`), for the same zone and
    year, is an error at the part's cell: two columns swapped in a returned template would otherwise
    read as 120 % coverage."""
    problems = []
    key = ["zone_id", "year"]
    for part, whole in sorted(part_of.items()):
        parts = panel[panel["indicator"] == part]
        wholes = panel[panel["indicator"] == whole]
        if parts.empty or wholes.empty:
            continue
        both = parts.merge(wholes, on=key, suffixes=("", "_whole"))
        above = both[both["value"] > both["value_whole"] * (1 + 1e-9)]
        for row in above.itertuples(index=False):
            message = (
                f"{part} of {row.zone_id} in {int(row.year)} is {plain_number(row.value)}, above its whole {whole} "
                f"({plain_number(row.value_whole)} at {row.source_file_whole}:{row.source_row_whole}): a part cannot "
                "exceed its whole: two columns swapped, or one of them in the wrong unit?"
            )
            location = (str(row.source_file), int(row.source_row), str(row.source_column))
            problems.append(Problem(*location, ERROR, message, "part_above_whole", str(row.zone_id), int(row.year)))
    return problems
