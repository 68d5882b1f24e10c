"""Shared options and fixtures of the fuzz and special-value tests.

`--fuzz-n N` (default 150) and `--fuzz-seed S` (default 0) size the mutation fuzz test
(tests/pytest/test_fuzz.py). `job_pool` is a session-wide pool of `--fuzz-workers` (default
2) persistent worker processes (tests/fuzz/workers.py), without a disk cache.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

FUZZ_DIR = Path(__file__).resolve().parents[1] / "fuzz"
INTEROP_DIR = Path(__file__).resolve().parents[1] / "interop"
# The harness modules and the interop tests' numpy models (not the repository root: see
# docs/layout.md).
for _folder in (FUZZ_DIR, INTEROP_DIR):
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
