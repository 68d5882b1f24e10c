"""`mypy` checks every script of the test, fuzz, benchmark and example folders.

mypy cannot take a package and files in one run, so pyproject.toml's `[tool.mypy]` names the
package in `packages` and every script of the folders on `mypy_path` in `modules`, by the
top-level name it runs under. A script missing from that list would go unchecked; this test
fails instead, and names it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_mypy_checks_every_script() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    scripts = [path for folder in config["mypy_path"] for path in (ROOT / folder).glob("*.py")]
    names = [path.stem for path in scripts]
    assert len(set(names)) == len(names), f"two scripts share a module name: {sorted(names)}"
    missing = sorted(set(names) - set(config["modules"]))
    assert not missing, f"add {missing} to [tool.mypy] modules in pyproject.toml"
    stale = sorted(set(config["modules"]) - set(names))
    assert not stale, f"[tool.mypy] modules names {stale}, which no folder on mypy_path has"
