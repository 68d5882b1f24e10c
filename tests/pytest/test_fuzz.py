"""Mutation fuzz test of the command-line tools (issue 14).

Seeded mutants of every .mlir chunk in tests/ and examples/ (tests/fuzz/mutate.py) go through
`ziggurat-opt` (parse, verify, print), `ziggurat-opt -p cpu-pipeline -t llvm` and
`ziggurat-run --check`, each as a job of a persistent worker process (tests/fuzz/workers.py)
with a timeout. A tool fails on a traceback, an internal error (exit 3), a crash (signal), a
hang (timeout), a wrong answer (`--check` mismatch) or an exit code other than 0, 1 and 2. Every mutant goes through `ziggurat-opt`;
the ones it accepts (and every fourth other one) then through one of the two compiling tools,
in turn (`split`: they share the pipeline; the script runs both).

`pytest tests/pytest/test_fuzz.py --fuzz-n 500 --fuzz-seed 3` for a bigger run; for long runs
use the script: `python tests/fuzz/mutate.py --fuzz-n 2000 --seed 0 --out fuzz-failures`.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mutate import OPERATORS, TOOLS, Report, Tool, classify, corpus, fuzz, job_env, mutants
from workers import Result, Worker, WorkerPool

HERE = Path(__file__).resolve()
REPO = HERE.parents[2]
SELFTEST = HERE.parents[1] / "fuzz" / "selftest_jobs.py"

KNOWN_FAILING_TOOLS: dict[str, str] = {}
"""Tool -> reason, for tools the default fuzz run still breaks on the current tree."""


@pytest.fixture(scope="module")
def fuzz_report(
    request: pytest.FixtureRequest, job_pool: Any, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Report, Path]:
    n = request.config.getoption("--fuzz-n")
    seed = request.config.getoption("--fuzz-seed")
    out = tmp_path_factory.mktemp("fuzz-failures")
    report = fuzz(job_pool, mutants(n, seed), list(TOOLS), out, split=True)
    print(f"\n{report.summary()}")
    return report, out


def _tool_params() -> list[Any]:
    return [
        pytest.param(
            name,
            id=name,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FAILING_TOOLS[name])]
            if name in KNOWN_FAILING_TOOLS
            else [],
        )
        for name in TOOLS
    ]


@pytest.mark.parametrize("tool", _tool_params())
def test_fuzz(tool: str, fuzz_report: tuple[Report, Path]) -> None:
    report, out = fuzz_report
    failures = [f for f in report.failures if f.tool == tool]
    if failures:
        mine = Report(n=report.n, jobs=report.jobs, seconds=report.seconds, failures=failures)
        pytest.fail(
            f"{len(failures)} of {report.n} mutants break {tool!r}:\n{mine.summary()}\n"
            f"reproducers in {out}",
            pytrace=False,
        )


# ---------------------------------------------------------------------------------------------
# The harness itself
# ---------------------------------------------------------------------------------------------


def test_mutants_are_deterministic() -> None:
    a = mutants(40, 5)
    assert a == mutants(40, 5)
    assert [m.data for m in a] != [m.data for m in mutants(40, 6)]
    # Most mutants differ from their seed.
    seeds = {s.name: s.data for s in corpus()}
    assert sum(m.data != seeds[m.seed] for m in a) >= 30


def test_corpus_has_every_file() -> None:
    files = {
        p.relative_to(REPO).as_posix()
        for d in ("tests", "examples")
        for p in (REPO / d).rglob("*.mlir")
    }
    seeded = {s.name.split("#")[0] for s in corpus()}
    assert files == seeded


@pytest.mark.parametrize("operator", sorted(OPERATORS))
def test_every_operator_mutates(operator: str) -> None:
    import random

    seed = (REPO / "examples" / "mlp.mlir").read_bytes()
    outputs = {OPERATORS[operator](random.Random(i), seed) for i in range(10)}
    assert outputs - {seed}, f"{operator} never changes examples/mlp.mlir"


SELF_CHECKS = [
    ("ok", None),
    ("crash", "crash"),
    ("segfault", "crash"),
    ("exit_process", "bad-exit"),
    ("hang", "hang"),
    ("busy_hang", "hang"),
    ("uncaught", "traceback"),
    ("internal_error", "internal-error"),
    ("wrong_answer", "wrong-answer"),
    ("allocate", "traceback"),
]


@pytest.fixture(scope="module")
def bare_pool() -> Iterator[WorkerPool]:
    """Workers as the fuzz test's, without the preloaded imports (the self-test jobs need
    none, and each misbehaving job costs a worker restart)."""
    with WorkerPool(2, job_env(), preload=False) as pool:
        yield pool


@pytest.mark.parametrize(("job", "category"), SELF_CHECKS, ids=[j for j, _ in SELF_CHECKS])
def test_harness_notices(job: str, category: str | None, bare_pool: WorkerPool) -> None:
    r: Result = bare_pool.run("call", timeout=2.0, target=f"{SELFTEST}:{job}")
    assert classify(Tool("selftest", "run", (), 2.0), r) == category, (r.describe(), r.stderr)
    if job == "crash":
        assert r.signal == signal.SIGABRT
    if job == "segfault":
        assert r.signal == signal.SIGSEGV
    if job == "ok":
        assert r.stdout == "fine\n"
    # The pool replaced the worker that died or hung: the next job runs normally.
    after = bare_pool.run("call", timeout=30.0, target=f"{SELFTEST}:ok")
    assert (after.rc, after.stdout) == (0, "fine\n"), after.describe()


def test_worker_isolates_jobs() -> None:
    """One worker runs jobs in turn: each sees a fresh environment, working directory and
    standard streams, its output at the file-descriptor level is its own, and a hang or a
    crash costs a restart, not the next job."""
    worker = Worker(job_env(), max_jobs=5, preload=False)
    try:

        def call(job: str, timeout: float = 30.0) -> Result:
            return worker.run("call", timeout=timeout, target=f"{SELFTEST}:{job}")

        assert call("leak_state").rc == 0
        r = call("check_state")
        assert (r.rc, r.stdout) == (0, "leaks: none\n"), r.stdout
        r = call("native_output")
        assert (r.rc, r.stdout, r.stderr) == (0, "python out\nnative out\n", "native err\n")
        assert worker.starts == 1
        assert call("hang", timeout=1.0).timed_out
        assert call("ok").stdout == "fine\n"
        assert worker.starts == 2
        assert call("crash").signal == signal.SIGABRT
        for _ in range(5):  # max_jobs: stopped after the fifth, started again on demand
            assert call("ok").rc == 0
        assert worker.starts == 3 and worker.proc is None
        r = worker.run("opt", [str(REPO / "examples" / "mlp.mlir"), "-p", "canonicalize"])
        assert r.rc == 0 and "ztensor.matmul" in r.stdout, r.stderr
        assert worker.starts == 4
    finally:
        worker.close()
