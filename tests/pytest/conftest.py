"""Shared options and fixtures of the fuzz and special-value tests.

`--fuzz-n N` (default 150) and `--fuzz-seed S` (default 0) size the mutation fuzz test
(tests/pytest/test_fuzz.py). `job_pool` is a session-wide pool of `--fuzz-workers` (default
2) persistent worker processes (tests/fuzz/workers.py), without a disk cache.

The tests' subprocess calls of `ziggurat-opt`, `ziggurat-run` and `xdsl-opt` by name go
through tests/filecheck/forkserver.py (as lit's RUN lines do): the session puts its client
commands first on PATH, and each call is a fresh fork of one process that imported the tools
once, with the caller's argv, working directory, environment, resource limits and standard
streams, exiting as the real command would. `ZIGGURAT_TEST_FORKSERVER=0` runs the installed
commands instead.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

FUZZ_DIR = Path(__file__).resolve().parents[1] / "fuzz"
FORKSERVER = Path(__file__).resolve().parents[1] / "filecheck" / "forkserver.py"
INTEROP_DIR = Path(__file__).resolve().parents[1] / "interop"
HERE = Path(__file__).resolve().parent
# The harness modules, the interop tests' numpy models and the helpers of the tests here
# (gpu_cases; not the repository root: see docs/layout.md).
for _folder in (FUZZ_DIR, INTEROP_DIR, HERE):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ziggurat fuzzing")
    group.addoption(
        "--fuzz-n",
        type=int,
        default=150,
        help="number of mutants of the fuzz test (default 150)",
    )
    group.addoption("--fuzz-seed", type=int, default=0, help="seed of the fuzz test (default 0)")
    group.addoption(
        "--fuzz-workers",
        type=int,
        default=2,
        help="worker processes of the fuzz and special-value tests (default 2)",
    )


@pytest.fixture(scope="session")
def job_pool(request: pytest.FixtureRequest) -> Iterator[Any]:
    from mutate import job_env
    from workers import WorkerPool

    pool = WorkerPool(request.config.getoption("--fuzz-workers"), job_env())
    try:
        yield pool
    finally:
        pool.close()


_FORK_SERVER: dict[str, Any] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Start the fork server for the command-line tools (see the module docstring) in each
    process that runs tests (an xdist worker, or pytest itself without xdist), before
    collection, so that module-level lookups of the tools see it."""
    is_controller = not hasattr(config, "workerinput") and bool(
        getattr(config.option, "numprocesses", None)
    )
    if is_controller or os.environ.get("ZIGGURAT_TEST_FORKSERVER", "1") == "0":
        return
    reals: dict[str, str] = {}
    for tool in ("ziggurat-opt", "ziggurat-run", "xdsl-opt"):
        local = Path(sys.executable).parent / tool  # what the tests' lookups prefer
        found = str(local) if local.exists() else shutil.which(tool)
        if found is None:
            return
        reals[tool] = found
    spec = importlib.util.spec_from_file_location("forkserver", FORKSERVER)
    assert spec is not None and spec.loader is not None
    forkserver = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(forkserver)
    bin_dir, lifeline = forkserver.start(reals)
    _FORK_SERVER.update(lifeline=lifeline, environ={k: os.environ.get(k) for k in ENV_KEYS})
    # Found by name on PATH, and by the tests that look beside sys.executable first.
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    os.environ["ZIGGURAT_TEST_BIN"] = bin_dir


ENV_KEYS = ("PATH", "ZIGGURAT_TEST_BIN")


def pytest_unconfigure(config: pytest.Config) -> None:
    if "lifeline" not in _FORK_SERVER:
        return
    for key, value in _FORK_SERVER.pop("environ").items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    os.close(_FORK_SERVER.pop("lifeline"))
