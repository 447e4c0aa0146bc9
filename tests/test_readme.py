"""The README's two loops, every command run as written, in a fresh copy of the repository: each ends
as the README says (its output blocks, its figures), and each way back leaves every output as before."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.conftest import REPO, fresh_copy

README = (REPO / "README.md").read_text(encoding="utf-8")


def _section(start: str, end: str) -> str:
    return README[README.index(start) : README.index(end)]


NEW_DATA = _section("## New data: the new-year loop", "### What `check` and `ingest` read")
SCENARIOS = _section("## Scenarios: a target set differently", "## Plans are files")


def _blocks(text: str, language: str) -> list[str]:
    """The fenced blocks of a language ('' for output), each without the fence's indentation."""
    blocks, current, indent = [], None, 0
    for line in text.splitlines():
        stripped = line.strip()
        if current is None and stripped.startswith("```"):
            current, indent, kind = [], len(line) - len(line.lstrip()), stripped[3:]
        elif current is not None and stripped == "```":
            if kind == language:
                blocks.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line[indent:])
    return blocks


def _commands(text: str) -> list[str]:
    """The commands of a section's bash blocks, one a line, in order."""
    return [line.strip() for block in _blocks(text, "bash") for line in block.splitlines() if line.strip()]


def _files(root: Path) -> dict[str, str]:
    """Every output file's digest (the pipeline's outputs: data/processed, reports, metrics)."""
    found = {}
    for folder in ("data/processed", "reports", "metrics"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                found[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A fresh clone: the repository's files committed in a new git repository, with this
    environment (the project's .venv, linked; make is told never to rebuild it)."""
    return fresh_copy(tmp_path_factory.mktemp("readme") / "zonetrack", link_venv=True)


def _keep(root: Path) -> Path:
    """A copy of every output as it is now, to show what differs later."""
    kept = root.parent / "outputs-before"
    shutil.rmtree(kept, ignore_errors=True)
    for folder in ("data/processed", "reports", "metrics"):
        if (root / folder).is_dir():
            shutil.copytree(root / folder, kept / folder)
    return kept


def _same_outputs(root: Path, before: dict[str, str], kept: Path) -> None:
    """Every output as before, byte for byte; where one differs, the first lines that differ are shown,
    not only its digest."""
    import difflib

    after = _files(root)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    shown = []
    for name in changed[:2]:
        old, new = kept / name, root / name
        if old.is_file() and new.is_file() and name.endswith((".html", ".ipynb", ".json", ".csv")):
            lines = difflib.unified_diff(
                old.read_text(encoding="utf-8").replace("><", ">\n<").splitlines(),
                new.read_text(encoding="utf-8").replace("><", ">\n<").splitlines(),
                lineterm="",
                n=0,
            )
            shown += [f"{name}:"] + [line[:300] for line in list(lines)[:12]]
    assert changed == [], "\n".join([", ".join(changed), *shown])


def _sh(command: str, root: Path) -> tuple[int, str]:
    """A README command, as written, in bash at the clone's root."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTEST"))}
    env["MAKEFLAGS"] = "-o .venv/.installed"  # never rebuild the linked environment
    result = subprocess.run(["bash", "-c", command], cwd=root, env=env, capture_output=True, text=True, check=False)
    return result.returncode, result.stdout + result.stderr


def test_the_readme_loops_run_as_written(clone):
    # Quick start on a fresh clone.
    status, out = _sh("make assess", clone)
    assert status == 0, out
    before = _files(clone)
    kept = _keep(clone)
    assert "reports/index.html" in before
    commands = _commands(NEW_DATA)
    export = commands[0]
    assert export.startswith("export PATH=")
    outputs = iter(_blocks(NEW_DATA, ""))
    for command in commands[1:]:
        status, out = _sh(f"{export}\n{command}", clone)
        if "_初报" in command:
            # The first return: exit 1, and every line the README shows.
            assert status == 1, out
            shown = next(outputs).splitlines()
            missing = [line for line in shown if line not in out.splitlines()]
            assert not missing, out
        else:
            assert status == 0, out
        if "_更正" in command and command.startswith("zonetrack check"):
            expected = re.search(r"# … (\d+ error\(s\), \d+ warning\(s\)); (OK: \d+ values)", command)
            assert expected.group(1) in out and expected.group(2) in out, out
    assert (clone / "reports/hunan-2026-2028/2027/assessment.html").is_file()
    metrics = (clone / "metrics/hunan-2026-2028.json").read_text(encoding="utf-8")
    assert '"2027"' in metrics
    # The README's figures for 2027 (step 3).
    page = (clone / "reports/hunan-2026-2028/2027/assessment.html").read_text(encoding="utf-8")
    for figure in re.findall(r"high-tech enterprises ([\d,]+) against ([\d,]+)", NEW_DATA)[0]:
        assert figure in page
    # The way back (step 4), as written.
    back = re.search(r"\*\*go back\*\*: `([^`]+)`", NEW_DATA).group(1)
    status, out = _sh(back, clone)
    assert status == 0, out
    _same_outputs(clone, before, kept)
    # The scenario loop, as written.
    commands = _commands(SCENARIOS)
    export = commands[0]
    outputs = {}
    for command in commands[1:]:
        status, out = _sh(f"{export}\n{command}", clone)
        assert status == 0, f"{command}\n{out}"
        outputs[command.split()[1] if command.startswith("zonetrack") else command] = out
    compare = outputs["compare"]
    for said in re.findall(r"`(patents_per_10k: [a-z_]+ → [a-z_]+)`", SCENARIOS):
        assert said in compare, compare
    for said in re.findall(r'"(\d+ target verdict\(s\) and \d+ zone status\(es\) change)"', SCENARIOS):
        assert said in compare, compare
    table = [line for line in SCENARIOS.splitlines() if line.startswith(("| patents-28", "| tcg-20"))]
    shown = next(v for k, v in outputs.items() if k.startswith("dvc exp show"))
    for row in table:
        name, *values = [cell.strip() for cell in row.strip("|").split("|")]
        line = next(line for line in shown.splitlines() if name in line)
        assert [cell.strip() for cell in line.strip("|").split("|")][-len(values) :] == values, shown
    # Each experiment reruns that plan's stages, not ingest nor the other plans.
    scenario = outputs["scenario"]
    assert "Running stage 'assess@hunan-2017-2019'" in scenario
    assert "Running stage 'ingest'" not in scenario and "Running stage 'assess@hunan-2026-2028'" not in scenario
    status, out = _sh("make back", clone)
    assert status == 0, out
    assert (clone / "reports/compare.html").is_file()  # the comparison page `zonetrack compare` wrote
    (clone / "reports/compare.html").unlink()
    _same_outputs(clone, before, kept)
    status, out = _sh(".venv/bin/dvc status", clone)
    assert "Data and pipelines are up to date" in out
