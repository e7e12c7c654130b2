"""The dependency lists agree: pyproject.toml declares (deptry checks it against the imports in `make lint`),
requirements.in names the same packages, and requirements.txt pins every one of them."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import REPO


def _name(requirement: str) -> str:
    """The normalised project name of a requirement line (PEP 503: case and -_. do not matter)."""
    return re.sub(r"[-_.]+", "-", re.split(r"[\s<>=!~\[;#]", requirement.strip(), maxsplit=1)[0]).lower()


def _lines(filename: str) -> list[str]:
    text = (REPO / filename).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_requirements_in_names_what_pyproject_declares():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    declared = project["project"]["dependencies"] + project["dependency-groups"]["dev"]
    assert {_name(r) for r in _lines("requirements.in")} == {_name(r) for r in declared}


def test_the_lock_pins_every_declared_package_exactly():
    pins = {_name(line): line for line in _lines("requirements.txt")}
    assert all("==" in line for line in pins.values()), [line for line in pins.values() if "==" not in line]
    missing = {_name(r) for r in _lines("requirements.in")} - set(pins)
    assert missing == set()
