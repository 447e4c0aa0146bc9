"""environment.yml, pyproject.toml and requirements.lock agree on versions."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import REPO


def _lock() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def test_environment_yml_pins_match_the_lock():
    lock = _lock()
    pins = re.findall(
        r"^\s+- ([A-Za-z0-9_.-]+)(?:\[[a-z]+\])?==([^\s]+)$", (REPO / "environment.yml").read_text(), re.M
    )
    assert len(pins) >= 10
    for name, version in pins:
        assert lock.get(name.lower()) == version, name
    assert "python=3.11" in (REPO / "environment.yml").read_text()


def test_every_declared_dependency_is_locked():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["dev"]
    lock = _lock()
    for requirement in declared:
        name = re.split(r"[\[<>=!; ]", requirement)[0].lower()
        assert name in lock, name


def test_dvcs_yaml_reader_has_its_c_parser():
    # DVC reads dvc.yaml and dvc.lock with ruamel.yaml's safe loader, which is pure Python unless
    # ruamel.yaml.clib is installed (ruamel.yaml 0.19 no longer brings it).
    from ruamel.yaml import YAML
    from ruamel.yaml.main import CParser

    assert CParser is not None
    assert YAML(typ="safe").Parser is CParser
