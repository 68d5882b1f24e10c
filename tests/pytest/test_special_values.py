"""Differential test on IEEE special values (issue 14).

Every ztensor elementwise op and reduction, a few regression programs, and the left side of
every rule that eqsat runs by default (the sets of `DEFAULT_RULE_SETS` that need no fast-math
flag, read at run time) are compiled with eqsat off and on at O0 and O3 and run on inputs
holding ±0, ±inf, NaN, subnormals and huge float32 values. Each result is compared with numpy
and with the reference interpreter: NaN positions, infinities (with sign) and the sign of
zeros must match exactly, finite values within the per-op tolerance of
`ieee_special.OP_TOLERANCE` (0 ulp for +, -, *, /, sqrt, max, min; ~2 ulp for exp, log,
tanh; more for composites and sums). Each case runs as two jobs of persistent worker
processes (tests/fuzz/workers.py), each with a timeout: the interpreter with O3 and O0, then
eqsat-O3 with eqsat-O0 (`ieee_special.JOBS`; the two opt levels share the lowering to LLVM
IR, which does not depend on them). A crash or a hang in eqsat fails the case instead of
taking down or blocking the suite. The `special_runs` fixture queues all jobs at once, and
each test judges its case's results.

A failing case keeps its folder (case.mlir, inputs.npz, results); replay it with
`python tests/fuzz/ieee_special.py --replay FOLDER [--configs eqsat-O3]`.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from ieee_special import (
    BINARY,
    CONFIGS,
    JOBS,
    MAX,
    REDUCE,
    SPECIALS,
    TAME,
    Instance,
    Term,
    check_case,
    default_rules,
    inp,
    instantiate,
    op,
    rename,
    scalar,
    write_case,
)
from workers import Result

NDArray = np.ndarray[Any, Any]
F32 = np.float32

CASE_TIMEOUT = float(os.environ.get("ZIGGURAT_SPECIAL_TIMEOUT", "60"))
"""Seconds each job of a case (`ieee_special.JOBS`: the interpreter and one or two compiled
configurations sharing a lowering) may take before it is a hang."""

HERE = Path(__file__).resolve()
SPECIAL_MODULE = HERE.parents[1] / "fuzz" / "ieee_special.py"

# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------


def _unary_input() -> NDArray:
    extra = [-12.0, -7.5, -3.0, -1.5, -0.25, 0.25, 1.5, 2.0, 5.0, 7.5, 12.0, 20.0, 50.0, -50.0]
    return np.array([*SPECIALS, *extra], dtype=F32)


def _pairs() -> tuple[NDArray, NDArray]:
    values = np.array(SPECIALS, dtype=F32)
    x, y = np.meshgrid(values, values, indexing="ij")
    return np.ascontiguousarray(x.ravel()), np.ascontiguousarray(y.ravel())


def _reduction_inputs() -> dict[str, NDArray]:
    x, y = _pairs()
    rows = np.stack([x, y], axis=1)  # every pair of specials as a row of two
    n = 37  # longer than a vector, not a multiple of one
    z = np.stack(
        [
            np.full(n, -0.0, F32),
            np.where(np.arange(n) % 2 == 0, F32(0.0), F32(-0.0)),
            np.full(n, -np.inf, F32),
            np.full(n, 1e-40, F32),
            np.where(np.arange(n) == 5, F32(np.nan), F32(1.0)),
        ]
    ).astype(F32)
    return {"x": rows, "xt": np.ascontiguousarray(rows.T), "z": z}


def _tame_rows() -> NDArray:
    values = np.array(TAME, dtype=F32)
    a, b = np.meshgrid(values, values, indexing="ij")
    return np.ascontiguousarray(np.stack([a.ravel(), b.ravel()], axis=1))


def op_cases() -> dict[str, tuple[list[Term], dict[str, NDArray]]]:
    """Every elementwise op and reduction, grouped by kind (one function per group: compiling
    is what costs; each result is checked and reported on its own)."""
    from ieee_special import UNARY

    x, y = _pairs()
    red = _reduction_inputs()
    reductions: list[Term] = []
    for r in REDUCE:
        reductions += [
            op(r, inp("x"), axes=(1,), keepdims=False),
            op(r, inp("xt"), axes=(0,), keepdims=True),
            op(r, inp("z"), axes=(1,), keepdims=False),
        ]
    return {
        "ops-unary": ([op(u, inp("x")) for u in UNARY], {"x": _unary_input()}),
        "ops-binary": ([op(b, inp("x"), inp("y")) for b in BINARY], {"x": x, "y": y}),
        "ops-reduce": (reductions, red),
        # Without huge values: these are formulas whose float32 intermediates (x*x) would
        # overflow where the math does not (implementation-defined).
        "ops-softmax-layernorm": (
            [
                op("softmax", inp("x"), axis=-1),
                op("layernorm", inp("x"), axis=-1, epsilon=1e-5),
            ],
            {"x": _tame_rows()},
        ),
    }


def regression_cases() -> dict[str, tuple[list[Term], dict[str, NDArray]]]:
    """Programs of issue 14: the eqsat hang on chains of constant products, identities that
    are wrong on signed zeros, constant folding that overflows."""
    x = {"x": np.array([*TAME, 2.0, -2.0, 1e30, -1e30], dtype=F32)}
    X = inp("x")
    hang = [
        op("mul", op("mul", X, scalar(0.0)), scalar(3.0)),
        op("mul", op("mul", X, scalar(3.0)), scalar(0.0)),
        op("mul", op("mul", X, scalar(-0.0)), scalar(3.0)),
    ]
    zeros = [
        op("div", scalar(1.0), op("mul", op("sub", X, X), scalar(3.0))),
        op("div", scalar(1.0), op("add", X, scalar(0.0))),
        op("add", X, scalar(0.0)),
        op("mul", X, scalar(0.0)),
        op("sub", X, X),
        op("mul", op("exp", X), op("exp", op("neg", X))),
    ]
    # Folding MAX + MAX (canonicalize, arith constants) raised OverflowError instead of inf.
    overflow = [
        op("add", scalar(MAX), scalar(MAX)),
        op("mul", op("mul", X, scalar(MAX)), scalar(MAX)),
    ]
    return {
        "regression-eqsat-hang": (hang, x),
        "regression-signed-zero": (zeros, x),
        "regression-fold-overflow": (overflow, {"x": np.array([1.0, -1.0, 0.0], F32)}),
    }


GROUP_SIZE = 10
"""Rule instances compiled together as the results of one function (compiling is what costs)."""

Case = tuple[list[Term], dict[str, NDArray], list[str]]


def rule_cases() -> tuple[dict[str, Case], dict[str, str]]:
    """The instances of the default rules (one per distinct left side), in groups of
    `GROUP_SIZE` per rule set, and the rules skipped (with why)."""
    rules, _ = default_rules()
    by_key: dict[str, tuple[str, Instance]] = {}
    skipped: dict[str, str] = {}
    for set_name, rule in rules:
        inst = instantiate(rule)
        if isinstance(inst, str):
            skipped[f"{set_name}/{rule.name}"] = inst
            continue
        key = inst.key()
        if key in by_key:
            by_key[key][1].also.append(rule.name)
        else:
            by_key[key] = (set_name, inst)
    per_set: dict[str, list[Instance]] = {}
    for set_name, inst in by_key.values():
        per_set.setdefault(set_name, []).append(inst)
    cases: dict[str, Case] = {}
    for set_name, insts in per_set.items():
        for g in range(0, len(insts), GROUP_SIZE):
            group = insts[g : g + GROUP_SIZE]
            terms: list[Term] = []
            inputs: dict[str, NDArray] = {}
            labels: list[str] = []
            for k, inst in enumerate(group):
                prefix = f"r{k}_"
                for t in inst.terms:
                    terms.append(rename(t, prefix))
                    labels.append(f"{'/'.join([inst.rule, *inst.also])}: {t.text()}")
                inputs.update({prefix + n: v for n, v in inst.inputs.items()})
            cases[f"rules-{set_name}-{g // GROUP_SIZE + 1}"] = (terms, inputs, labels)
    return cases, skipped


OP_CASES = op_cases()
REGRESSION_CASES = regression_cases()
RULE_CASES, SKIPPED_RULES = rule_cases()


@dataclass(frozen=True)
class Known:
    """A bug of the current tree: `pattern` (a regex) matches the problem lines it causes,
    which the other cases ignore; the minimal case `known-NAME` (terms on inputs) is a strict
    xfail, so it turns into a failure once the bug is fixed: then delete the entry."""

    reason: str
    pattern: str
    terms: list[Term]
    inputs: dict[str, NDArray]


KNOWN: dict[str, Known] = {}
"""None left: `tanh-negative-zero` (compiled tanh(-0.0) was +0.0), `sum-of-negative-zeros`
(compiled sums of -0.0s were -0.0 along axis 0 and along rows of 37; `reduce_sum` and
`reduce_mean` start from +0.0, as numpy does, so a zero sum is +0.0: `ops-reduce` checks it)
and `fold-overflow` (folding MAX + MAX raised OverflowError: `regression-fold-overflow`) are
fixed. A new entry looks like

    "name": Known("why", r"regex of its problem lines", [terms], {"x": inputs}),
"""


def _params() -> list[Any]:
    params = [pytest.param(n, id=n) for n in [*OP_CASES, *REGRESSION_CASES, *RULE_CASES]]
    for name, known in KNOWN.items():
        mark = pytest.mark.xfail(strict=True, reason=known.reason)
        params.append(pytest.param(f"known-{name}", id=f"known-{name}", marks=[mark]))
    return params


def _case(name: str) -> Case:
    if name in RULE_CASES:
        return RULE_CASES[name]
    if name.startswith("known-"):
        known = KNOWN[name.removeprefix("known-")]
        return known.terms, known.inputs, [t.text() for t in known.terms]
    terms, inputs = OP_CASES[name] if name in OP_CASES else REGRESSION_CASES[name]
    return terms, inputs, [t.text() for t in terms]


def _explained(problem: str) -> bool:
    return any(re.search(k.pattern, problem) for k in KNOWN.values())


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


@dataclass
class Run:
    """One case, written to `folder` (program `text`), and how each of its jobs ended."""

    folder: Path
    text: str
    results: dict[tuple[str, ...], Result]


def _selected(request: pytest.FixtureRequest) -> list[str]:
    """The cases of this session's `test_special_values` items (all of them if none)."""
    names = [
        item.callspec.params["name"]
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_special_values"
        and Path(str(item.path)) == HERE
        and hasattr(item, "callspec")
    ]
    return names or [str(p.values[0]) for p in _params()]


@pytest.fixture(scope="module")
def special_runs(
    request: pytest.FixtureRequest, job_pool: Any, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Run]:
    """Every selected case under every configuration, as the jobs of `JOBS` for each case,
    all queued at once so that the workers stay busy; the tests then judge the results."""
    root = tmp_path_factory.mktemp("special")
    runs: dict[str, Run] = {}
    jobs: list[dict[str, Any]] = []
    keys: list[tuple[str, tuple[str, ...]]] = []
    for name in _selected(request):
        terms, inputs, labels = _case(name)
        folder = root / name
        runs[name] = Run(folder, write_case(folder, terms, inputs, labels), {})
        for configs in JOBS:
            keys.append((name, configs))
            jobs.append(
                {
                    "kind": "call",
                    "target": f"{SPECIAL_MODULE}:run_configs",
                    "args": [str(folder), list(configs)],
                    "timeout": CASE_TIMEOUT,
                }
            )
    for (name, configs), r in zip(keys, job_pool.map(jobs), strict=True):
        runs[name].results[configs] = r
    return runs


def job_problems(folder: Path, configs: Sequence[str], r: Result) -> list[str]:
    """What the way a job ended says about its configurations: a hang, a crash or another
    bad exit is charged to the configurations without a result (the one that was running and
    those after it; the last one if all have a result), a traceback on stderr to the job.
    Those configurations get an `.error` marker, so `check_case` does not report them again."""
    bad = r.timed_out or r.signal is not None or r.rc != 0
    if not bad:
        if "Traceback (most recent call last)" in r.stderr:
            return [f"{'/'.join(configs)}: a traceback on stderr: {r.stderr.strip()[-500:]}"]
        return []
    missing = [
        c
        for c in configs
        if not (folder / f"{c}.npz").exists() and not (folder / f"{c}.error").exists()
    ]
    problems = []
    for config in missing or configs[-1:]:
        if r.timed_out:
            problems.append(f"{config}: hang (no result after {r.seconds:.0f} s)")
        else:
            problems.append(f"{config}: {r.describe()}: {r.stderr.strip()[-500:]}")
    for config in missing:
        (folder / f"{config}.error").write_text(f"{r.describe()}\n")
    return problems


@pytest.mark.parametrize("name", _params())
def test_special_values(name: str, special_runs: dict[str, Run]) -> None:
    run = special_runs[name]
    folder = run.folder
    problems = [p for configs in JOBS for p in job_problems(folder, configs, run.results[configs])]
    if not name.startswith("known-"):
        problems = [p for p in problems if not _explained(p)]
    for p in check_case(folder):
        if not name.startswith("known-") and _explained(p):
            continue
        if not any(
            p.startswith(f"{c}: {k}")
            for c in CONFIGS
            for k in ("hang", "timed out", "killed", "exit")
        ):
            problems.append(p)
    if problems:
        shown = "\n  ".join(problems[:40])
        more = f"\n  ... {len(problems)} problems in all" if len(problems) > 40 else ""
        pytest.fail(
            f"{name}: {len(problems)} problems\n  {shown}{more}\n"
            f"program:\n{run.text}\n"
            f"replay: python {SPECIAL_MODULE.relative_to(HERE.parents[2])} --replay {folder}",
            pytrace=False,
        )


def test_every_default_rule_is_instantiated() -> None:
    """Every rule eqsat runs by default has a program here, except those whose left side
    is not a user program (kernel bodies matched inside `fused` ops)."""
    rules, sets = default_rules()
    assert sets, "no default rule sets"
    allowed = ("constructor", "attribute function")
    unexpected = {k: v for k, v in SKIPPED_RULES.items() if not v.startswith(allowed)}
    assert not unexpected, f"rules without a special-value instance: {unexpected}"
    instantiated = sum(len(c[2]) for c in RULE_CASES.values())
    assert instantiated >= len(rules) // 2


def test_comparison_is_exact() -> None:
    """The comparison catches each kind of difference it is meant to catch."""
    from ieee_special import EXACT, OP_TOLERANCE, compare

    want = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, 1e-40], F32)
    assert compare(want.copy(), want, EXACT) == []
    for i, bad in [(0, -0.0), (1, 0.0), (2, -np.inf), (3, 1.0), (4, 0.0), (5, np.nan), (6, 0.0)]:
        got = want.copy()
        got[i] = bad
        assert compare(got, want, EXACT), (i, bad)
    got = want.copy()
    got[5] = np.nextafter(F32(1.0), F32(2.0))
    assert compare(got, want, EXACT)
    assert compare(got, want, OP_TOLERANCE["exp"]) == []
    assert math.isnan(float(want[4]))


def test_job_problems_are_reported() -> None:
    """A hang, a crash and a traceback of a job fail the configurations they cost."""
    import signal
    import tempfile

    def result(**kw: Any) -> Result:
        base = {"rc": 0, "signal": None, "timed_out": False, "seconds": 1.0}
        return Result(**{**base, "stdout": "", "stderr": "", **kw})

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "eqsat-O3.npz").write_bytes(b"")  # the first config of the job finished
        hang = result(rc=None, signal=signal.SIGKILL, timed_out=True, seconds=60.0)
        assert job_problems(folder, JOBS[1], hang) == ["eqsat-O0: hang (no result after 60 s)"]
        assert (folder / "eqsat-O0.error").exists()
        crash = result(rc=None, signal=signal.SIGSEGV, stderr="Fatal Python error")
        problems = job_problems(folder, JOBS[0], crash)
        assert [p.split(":")[0] for p in problems] == list(JOBS[0])  # none had finished
        assert all("killed by signal SIGSEGV" in p for p in problems)
        # Every config has a result now: the bad exit is still reported, once.
        (problem,) = job_problems(folder, JOBS[0], result(rc=3, stderr="internal error"))
        assert problem.startswith(f"{JOBS[0][-1]}: exit 3")
        tb = result(stderr="Traceback (most recent call last):\n  ...\nKeyError: 1\n")
        assert job_problems(folder, ("interp",), tb)[0].startswith("interp: a traceback")
        assert job_problems(folder, ("interp",), result()) == []
