"""docs/DESIGN.md opens with a map of the house: every file and folder it names exists."""

from __future__ import annotations

import re

from tests.conftest import REPO

DESIGN = (REPO / "docs" / "DESIGN.md").read_text(encoding="utf-8")
# From its heading to its last line, which names this test.
MAP = DESIGN[DESIGN.index("## Map") : DESIGN.index("`tests/test_design_map.py` reads this map")]


def test_every_path_the_map_names_exists():
    named = [n for n in re.findall(r"`([^`]+)`", MAP) if "/" in n or n.endswith((".py", ".csv", ".yaml", ".ipynb"))]
    assert len(named) >= 20  # the map names the stages' code and the files of each "to add"
    missing = []
    for name in named:
        pattern = re.sub(r"<[^>]+>", "*", name)  # plans/<id>.yaml: any plan
        if not list(REPO.glob(pattern.rstrip("/"))):
            missing.append(name)
    assert missing == []


def test_the_map_names_every_stage_of_the_pipeline():
    stages = re.findall(r"^  ([a-z_]+):$", (REPO / "dvc.yaml").read_text(encoding="utf-8"), flags=re.M)
    for stage in stages:
        assert f"`{stage}`" in MAP or f"`{stage}@<plan>`" in MAP, stage


def test_templates_are_readable_in_a_diff():
    # The project's line limit (ruff's 120) holds for the report templates too.
    long = [
        f"{path.name}:{number}"
        for path in sorted((REPO / "src/zonetrack/report/templates").glob("*.j2"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if len(line) > 120
    ]
    assert long == []


def test_no_package_imports_the_stages_or_the_command():
    # The stages call the packages, never the other way round.
    upward = [
        path.relative_to(REPO).as_posix()
        for path in sorted((REPO / "src/zonetrack").rglob("*.py"))
        if "stages" not in path.parts
        and path.name != "cli.py"
        and re.search(
            r"^\s*(from zonetrack(\.stages| import stages)|import zonetrack\.stages|from zonetrack\.cli)",
            path.read_text(encoding="utf-8"),
            flags=re.M,
        )
    ]
    assert upward == []


def test_every_kind_of_warning_ingest_writes_has_its_words():
    from zonetrack.report import labels

    # The kinds data_quality.json groups its warnings by (ingest/quality.py, ingest/report.py, cells.py).
    kinds = {"missing_value", "zone_year_without_data", "jump", "verified_jump", "before_approval"}
    kinds |= {"total_mismatch", "cell_unit", "fall_to_zero", "indicator_without_data", "file"}
    assert kinds <= set(labels.group("warning"))
    assert labels.both("class", "national") == "国家级高新区 National zones"
