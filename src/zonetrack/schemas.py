"""The processed data contract, checked with pandera where one stage hands data to the next.

evaluate may read a panel written by another tool (or an older zonetrack): a panel that breaks the
contract stops it with a table of the offending rows, instead of a wrong scorecard.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from zonetrack.engine.status import ALL_STATUSES
from zonetrack.registry import YEAR_RANGE

# Ids may be stored as text or dictionary-encoded (categorical): no dtype is imposed on them.
PANEL = pa.DataFrameSchema(
    {
        "zone_id": pa.Column(None, nullable=False),
        "year": pa.Column(int, pa.Check.in_range(*YEAR_RANGE), nullable=False),
        "indicator": pa.Column(None, nullable=False),
        "value": pa.Column(float, nullable=False),
        # What ingest adds, checked where present (a panel another tool wrote may hold the four above
        # only): the stored unit, where each value was read (file, row, column), whether the figures
        # are illustrative, and the row's 备注 (blank where none).
        "unit": pa.Column(None, nullable=False, required=False),
        "source_file": pa.Column(None, nullable=False, required=False),
        "source_row": pa.Column(int, nullable=False, required=False),
        "source_column": pa.Column(None, nullable=False, required=False),
        "illustrative": pa.Column(bool, nullable=False, required=False),
        "remark": pa.Column(None, nullable=False, required=False),
    },
    strict=False,
    name="panel.parquet",
)
PANEL_KEY = ["zone_id", "year", "indicator"]
CLUSTERS = pa.DataFrameSchema(
    {
        "zone_id": pa.Column(None, nullable=False),
        "year": pa.Column(int, pa.Check.in_range(*YEAR_RANGE), nullable=False),
        "cluster": pa.Column(None, nullable=False),
        "revenue": pa.Column(float, pa.Check.ge(0), nullable=False),
    },
    strict=False,
    name="clusters.parquet",
)
SCORECARD = pa.DataFrameSchema(
    {
        "year": pa.Column(int),
        "target_id": pa.Column(None, nullable=False),
        "zone_id": pa.Column(None, nullable=False),
        "status": pa.Column(None, pa.Check.isin(ALL_STATUSES), nullable=False),
        "coverage": pa.Column(float, pa.Check.in_range(0.0, 1.0), nullable=True),
    },
    strict=False,
    name="scorecard.csv",
)


def check(schema: pa.DataFrameSchema, frame: pd.DataFrame, key: list[str] | None = None) -> None:
    """Validate, and check that `key` identifies rows; on failure raise ValueError with the offending rows."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases[["column", "check", "index", "failure_case"]].head(20)
        raise ValueError(f"{schema.name} breaks the data contract:\n{cases.to_string(index=False)}") from None
    if key:
        duplicated = frame.duplicated(key, keep=False)
        if duplicated.any():
            rows = frame.loc[duplicated, key].head(20)
            raise ValueError(
                f"{schema.name}: {int(duplicated.sum())} rows share a {'-'.join(key)}:\n{rows.to_string()}"
            )
