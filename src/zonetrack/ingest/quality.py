"""Data quality: missing values, zone-years without data, values before a zone existed, jumps, and
coverage, on the zone × year grid."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zonetrack.registry import make_grid, zone_levels

JUMP_FACTOR = 10.0


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
