"""Cells of every file → the panel: checks across files (duplicates) and the stored layout; and the
clusters table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zonetrack.indicators import normalise, split_header_unit, unit_factor
from zonetrack.ingest.cells import CLUSTER_REVENUE_UNIT, column_roles, constant, row_keys, stripped
from zonetrack.ingest.tables import RawTable
from zonetrack.ingest.vocabulary import Vocabulary
from zonetrack.problems import ERROR, WARNING, Problem, problems_from_rows, shown
from zonetrack.registry import YEAR_RANGE, codes_in

CLUSTER_COLUMNS = ["zone_id", "year", "cluster", "revenue", "source_file", "source_row", "illustrative"]


def _located(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={"source_file": "file", "source_row": "row", "source_column": "column"})


def duplicated_keys(zone: np.ndarray, year: np.ndarray, item: np.ndarray, n_items: int) -> np.ndarray:
    """Mask of rows whose (zone code, year, item code) occurs more than once, on one integer key."""
    key = (zone.astype("int64") * (YEAR_RANGE[1] + 1) + year) * (n_items + 1) + item
    return pd.Series(key).duplicated(keep=False).to_numpy()


# A key given more often than this lists its first places and how many there are.
SHOWN_PLACES = 3


def duplicate_problems(dups: pd.DataFrame, keys: list[str]) -> list[Problem]:
    """One error per key that several rows share, at the last place it is given (the file that came
    later: in `check`, the file being checked), naming its first places and how many there are: a
    key copied 6,000 times is one message of bounded length, not 6,000 lists of 6,000 places."""
    location = (
        dups["source_file"].astype(str) + ":" + dups["source_row"].astype(str) + ":" + dups["source_column"].astype(str)
    )
    grouped = dups.groupby(keys, observed=True, sort=False)
    group, within = grouped.ngroup().to_numpy(), grouped.cumcount().to_numpy()
    counts = np.bincount(group)
    first = location[within < SHOWN_PLACES].groupby(group[within < SHOWN_PLACES]).agg(", ".join)
    last = ~dups.duplicated(keys, keep="last").to_numpy()
    rows = dups[last]
    key_text = rows[keys].astype(str).agg(", ".join, axis=1)
    messages = []
    for key, code in zip(key_text, group[last], strict=True):
        n = int(counts[code])
        places = first[code] if n <= SHOWN_PLACES else f"{first[code]} and {n - SHOWN_PLACES:,} more ({n:,} in all)"
        messages.append(f"duplicate {'-'.join(keys)} ({key}), given at {places}")
    return problems_from_rows(_located(rows), ERROR, pd.Series(messages, index=rows.index))


def build_panel(cells: pd.DataFrame, vocab: Vocabulary) -> tuple[pd.DataFrame, list[Problem]]:
    """Checks across all files (duplicates) and the panel of present values."""
    present = cells[cells["valid"] & cells["value"].notna()]
    # Ids as integer codes: duplicates, sorting and the stored dictionary encoding all work on them.
    zones, indicators = vocab.zone_ids, vocab.indicator_ids
    zone_code = codes_in(present["zone_id"], zones)
    indicator_code = codes_in(present["indicator"], indicators)
    year = present["year"].to_numpy(dtype="int64")
    duplicated = duplicated_keys(zone_code, year, indicator_code, len(indicators))
    problems = duplicate_problems(present[duplicated], ["zone_id", "year", "indicator"]) if duplicated.any() else []
    keep = ~duplicated
    order = np.lexsort((indicator_code[keep], year[keep], zone_code[keep]))
    unit_names, unit_of_indicator = np.unique(
        np.array([vocab.stored(name) for name in indicators], dtype=object), return_inverse=True
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
            "source_column": pd.Categorical(present["source_column"]).take(np.flatnonzero(keep)[order])
            if len(present)
            else pd.Categorical([]),
            "illustrative": present["illustrative"].to_numpy(dtype=bool)[keep][order],
            "remark": pd.Categorical(present["remark"]).take(np.flatnonzero(keep)[order])
            if len(present)
            else pd.Categorical([]),
        }
    )
    return panel, problems


def cluster_rows(table: RawTable, vocab: Vocabulary) -> tuple[pd.DataFrame, list[Problem]]:
    """Resolve the clusters table: zone, year, cluster name, revenue in 亿元."""
    from zonetrack.indicators import parse_numbers

    roles = column_roles(table, vocab)
    keys, problems = row_keys(table, vocab, roles)
    header = table.header
    cluster_cols = [i for i, h in enumerate(header) if normalise(h) in vocab.layout.words("cluster")]
    revenue_cols = [
        i
        for i, h in enumerate(header)
        if roles[i] is None and normalise(split_header_unit(h)[0]) in vocab.layout.words("cluster_revenue")
    ]
    for names, found in (("cluster", cluster_cols), ("revenue", revenue_cols)):
        if not found:
            problems.append(Problem(table.label, table.header_row, names, ERROR, f"missing required column '{names}'"))
    if not (cluster_cols and revenue_cols):
        return empty_clusters(), problems
    title = header[revenue_cols[0]]
    unit = split_header_unit(title)[1]
    factor = unit_factor(unit, CLUSTER_REVENUE_UNIT)
    if factor is None:
        message = f"unknown unit '{shown(unit)}' for cluster revenue (its unit is 亿元)"
        return empty_clusters(), [*problems, Problem(table.label, table.header_row, title, ERROR, message)]
    raw = table.frame.iloc[:, revenue_cols[0]]
    revenue, bad = parse_numbers(raw)
    bad = bad.to_numpy() & keys["valid"].to_numpy()
    problems += [
        Problem(table.label, int(r), title, ERROR, f"unparseable number '{shown(t)}'")
        for r, t in zip(table.rows[bad], stripped(raw[bad]).fillna(""), strict=True)
    ]
    names = stripped(table.frame.iloc[:, cluster_cols[0]]).fillna("")
    cluster_code, cluster_names = pd.factorize(names, sort=True)
    rows = pd.DataFrame(
        {
            "zone_id": keys["zone_id"],
            "year": keys["year"],
            "cluster": pd.Categorical.from_codes(cluster_code, categories=cluster_names),
            "revenue": revenue.to_numpy() * factor,
            "source_file": constant(table.label, len(keys)),
            "source_row": table.rows,
            "source_column": constant(title, len(keys)),
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
    problems += problems_from_rows(_located(rows[missing]), WARNING, "cluster revenue missing")
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


def empty_clusters() -> pd.DataFrame:
    """A clusters frame without rows."""
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
