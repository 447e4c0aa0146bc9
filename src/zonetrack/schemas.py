"""The processed data contract, checked with pandera where one stage hands data to the next.

evaluate may read a panel written by another tool (or an older zonetrack): a panel that breaks the
contract stops it with a table of the offending rows, instead of a wrong scorecard.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd

from zonetrack.engine.status import ALL_STATUSES
from zonetrack.registry import YEAR_RANGE


@contextmanager
def _without_unused_hypothesis() -> Iterator[None]:
    """pandera imports hypothesis whenever it is installed (the environment has it for the tests), for
    its data-synthesis strategies, which zonetrack never uses: 0.24 s of the assess stage's CPU. In a
    process that has not imported hypothesis (a stage's, not the test suite's), pandera is imported and
    validates as if it were absent; hypothesis stays importable afterwards, and pandera checks alike."""
    if "hypothesis" in sys.modules:
        yield
        return
    sys.modules["hypothesis"] = None  # an import of it raises ImportError, which pandera expects
    try:
        yield
    finally:
        if "hypothesis" in sys.modules and sys.modules["hypothesis"] is None:
            del sys.modules["hypothesis"]


with _without_unused_hypothesis():
    import pandera.pandas as pa

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
        with _without_unused_hypothesis():  # pandera registers its checks (and imports it) at the first validation
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
