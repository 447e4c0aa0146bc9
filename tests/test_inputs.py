"""A plan's inputs (inputs@<plan>): the years it covers and nothing else, so that a year outside them
changes none of its inputs' bytes and DVC reruns none of its stages."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from tests.world import build

from zonetrack.cli import main
from zonetrack.ingest.report import for_years


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build(tmp_path_factory.mktemp("world"))


def _inputs(world, processed, out):
    plan = world["plans"] / "hunan-2017-2019.yaml"
    args = ["inputs", "--plan", str(plan), "--params", str(world["params"]), "--processed", str(processed)]
    assert main([*args, "--out", str(out)]) == 0
    return {name: (out / name).read_bytes() for name in ("panel.parquet", "clusters.parquet", "data_quality.json")}


def test_a_year_outside_the_plan_changes_none_of_its_inputs(world, tmp_path):
    before = _inputs(world, world["processed"], tmp_path / "before")
    # The same processed data with a 2027 added: every 2019 value again as 2027's, and a warning of 2027.
    grown = tmp_path / "grown"
    shutil.copytree(world["processed"], grown)
    panel = pd.read_parquet(grown / "panel.parquet")
    later = panel[panel["year"] == 2019].assign(year=2027)
    # As ingest writes it: 2027's file and remark are categories of the whole panel's columns.
    grown_panel = pd.concat([panel, later], ignore_index=True)
    for column, new in (("source_file", "stats/2027年高新区主要指标.xlsx[2027年]"), ("remark", "2027年新增")):
        grown_panel[column] = grown_panel[column].cat.add_categories([new])
        grown_panel.loc[grown_panel["year"] == 2027, column] = new
    grown_panel.to_parquet(grown / "panel.parquet", index=False)
    quality = json.loads((grown / "data_quality.json").read_text(encoding="utf-8"))
    quality["years"] = [*quality["years"], 2027]
    quality["warnings"].append({"kind": "missing_value", "message": "x of y in 2027: no value", "year": 2027})
    (grown / "data_quality.json").write_text(json.dumps(quality), encoding="utf-8")
    assert _inputs(world, grown, tmp_path / "after") == before
    sliced = json.loads(before["data_quality.json"])
    assert sliced["years"] == [y for y in quality["years"] if 2016 <= y <= 2019]
    assert all(w.get("year") in (None, 2016, 2017, 2018, 2019) for w in sliced["warnings"])


def test_the_plans_years_sliced_from_everything_are_everything():
    # Two years, two files (one with a sheet), a cluster row each; 2025 dropped.
    panel = pd.DataFrame(
        {
            "zone_id": ["a", "a", "b"],
            "year": [2016, 2025, 2016],
            "value": [1.0, 2.0, 3.0],
            "source_file": ["stats/x.xlsx[2016年]", "stats/y.csv", "stats/x.xlsx[2016年]"],
            "illustrative": [True, False, False],
        }
    )
    clusters = pd.DataFrame({"year": [2016, 2025], "source_file": ["clusters.csv"] * 2, "illustrative": [False] * 2})
    quality = {
        "files": ["stats/x.xlsx", "stats/y.csv", "clusters.csv"],
        "skipped_sheets": ["stats/x.xlsx[说明]"],
        "values": 3,
        "cluster_rows": 2,
        "cluster_years": [2016, 2025],
        "years": [2016, 2025],
        "illustrative": True,
        "illustrative_share": 0.2,
        "coverage": {"revenue": {"2016": 1.0, "2025": 0.5}},
        "warnings": [
            {"kind": "missing_value", "message": "m", "year": 2025},
            {"kind": "missing_value", "message": "n", "year": 2016},
            {"kind": "file", "message": "f", "year": None, "file": "stats/y.csv"},
            {"kind": "file", "message": "g", "year": None, "file": "stats/x.xlsx"},
        ],
    }
    _, _, everything = for_years(panel, clusters, quality, range(2016, 2026))
    assert everything == quality  # every year: data_quality.json as ingest wrote it
    part_panel, part_clusters, part = for_years(panel, clusters, quality, range(2016, 2020))
    assert part_panel["value"].tolist() == [1.0, 3.0] and len(part_clusters) == 1
    assert part["files"] == ["stats/x.xlsx", "clusters.csv"]  # y.csv gave 2025's row only
    assert part["values"] == 2 and part["cluster_rows"] == 1
    # 1 illustrative of 2 values + 1 cluster row = 1/3.
    assert part["illustrative"] is True and part["illustrative_share"] == pytest.approx(1 / 3)
    assert part["coverage"] == {"revenue": {"2016": 1.0}}
    assert [w["message"] for w in part["warnings"]] == ["n", "g"]  # y.csv's file warning goes with its file
