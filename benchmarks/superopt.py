"""Superoptimization suite: naive numpy-style programs through `zg.jit`, against numpy,
torch.compile and jax.jit, in one run (issue 13).

Run (this machine sets OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE, which slow numpy's OpenBLAS: unset
both for a fair peer):

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/superopt.py [--quick] \
        [--only NAME ...] [--json PATH] [--rounds N] [--gap-ms MS]

The full run takes about 5 minutes on 2 cores, `--quick` (2 rounds of single calls, a smoke
run whose timings mean little) about 1.5. `--only` takes program names as printed (exact, or
else substrings: `--only attention` runs both attention blocks).

Each program is written once, the way a numpy user would write it, as a function of an array
namespace `xp` and float32 arrays: numpy runs it with `xp = numpy`; Ziggurat traces the same
function with `xp = numpy` (numpy functions on traced arrays dispatch to `zg`), through
`zg.jit` with default options (IEEE-exact rewrites only), with `fast_math=True` (`zg-fm`) and
with `fast_math=True, autotune=True` (`zg-at`: its first call runs the profiled calls, the
refit of the cost model from every kernel time logged so far in the run's cache, and the
compile under the refit model, all counted as its compile time; the model learns from the
programs before it in the run); jax.jit
runs it with `xp = jax.numpy` (inputs placed on the device first, `block_until_ready` on the
result); torch.compile (default inductor mode, under `torch.no_grad`, inputs shared with numpy
through `torch.from_numpy`) runs it with a thin namespace that spells numpy's `axis`/`keepdims`
functions in torch (`_TorchNp`, traced away by dynamo). Python scalars are weak in all four,
so every program computes in float32. A peer that is not installed is skipped with a printed
reason; the peers are not dependencies of Ziggurat, install them into your virtualenv with
`pip install torch "jax[cpu]"`.

Every result (numpy float32's included) is compared with the same program run by numpy in
float64: error = max |out - ref| / max |ref|, against the program's tolerance (1e-4 for
elementwise programs, 1e-3 where float32 sums or matmuls accumulate); a result that is not
float32 is wrong too (a float64 peer would not be running the same program). A wrong result is shown
as WRONG in the table and counted; a peer that raises shows ERROR, and its error text is
printed after the table. Both are left out of that column's geometric mean (which says over how
many programs it is taken).

Inputs are standard normal, or uniform where a program needs positive values (logs) or where
a float32 sum over 4096^2 elements should not cancel to a value its rounding error swamps.

Timing: each peer first compiles a tiny warm-up program, so that its one-time start-up
(imports, thread pools) is in no program's compile time. The "compile s" columns are each
peer's first call of each program: trace, passes and codegen for Ziggurat, dynamo and inductor
for torch, tracing and XLA for jax. They are cold: Ziggurat and inductor compile into fresh
temporary caches unless ZIGGURAT_CACHE_DIR / TORCHINDUCTOR_CACHE_DIR are set (as in
bench_cpu.py); within the run, `fast_math=True` may reuse object code its default-options twin
already built. One more warm-up call follows. The peers are then timed
in interleaved rounds (6 by default), the order rotating: in each round every peer runs one
block of calls in a row (at least 3 calls and 40 ms), after 100 ms idle (`--gap-ms`) so that
the previous peer's spinning worker threads (OpenBLAS, OpenMP) have gone to sleep: on 2 cores
they otherwise halve torch's speed. Each peer's time is the median over all its timed calls.
Ratios are numpy time / peer time (> 1: faster than numpy).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

Array = np.ndarray[Any, Any]
Inputs = Callable[[np.random.Generator], list[Array]]


# --- the programs --------------------------------------------------------------------------


@dataclass
class Program:
    name: str
    category: str
    fn: Callable[..., Any]  # fn(xp, *arrays)
    inputs: Inputs
    rtol: float = 1e-4


def _normal(*shapes: tuple[int, ...], scale: float = 1.0) -> Inputs:
    def make(r: np.random.Generator) -> list[Array]:
        return [r.standard_normal(s, np.float32) * np.float32(scale) for s in shapes]

    return make


def _uniform(*shapes: tuple[int, ...], low: float = 0.0, high: float = 1.0) -> Inputs:
    def make(r: np.random.Generator) -> list[Array]:
        return [r.uniform(low, high, s).astype(np.float32) for s in shapes]

    return make


def sum_of_product(xp: Any, a: Any, b: Any) -> Any:
    return xp.sum(a @ b)


def mean_of_product(xp: Any, a: Any, b: Any) -> Any:
    return xp.mean(a @ b)


def rowsum_of_product(xp: Any, a: Any, b: Any) -> Any:
    return xp.sum(a @ b, axis=1)


def colsum_of_product(xp: Any, a: Any, b: Any) -> Any:
    return xp.sum(a @ b, axis=0)


def colmean_of_product(xp: Any, a: Any, b: Any) -> Any:
    return xp.mean(a @ b, axis=0)


def rowsum_scaled_product(xp: Any, a: Any, b: Any) -> Any:
    return xp.sum((2.0 * a) @ (0.5 * b), axis=1)


def sum_elementwise_product(xp: Any, a: Any, b: Any) -> Any:
    return xp.sum(a * b)


def factor_sub(xp: Any, a: Any, b: Any, c: Any) -> Any:
    return (a + b) @ c - b @ c


def distribute_add(xp: Any, a: Any, b: Any, c: Any) -> Any:
    return a @ b + a @ c


def right_factor_add(xp: Any, a: Any, b: Any, c: Any) -> Any:
    return a @ c + b @ c


def chain_matvec(xp: Any, a: Any, b: Any, v: Any) -> Any:
    return (a @ b) @ v


def chain_skinny4(xp: Any, a: Any, b: Any, c: Any, d: Any) -> Any:
    return ((a @ b) @ c) @ d


def chain_transposed(xp: Any, a: Any, b: Any, v: Any) -> Any:
    return (a @ b).T @ v


def exp_log_product(xp: Any, x: Any, y: Any) -> Any:
    return xp.exp(xp.log(x) + xp.log(y))


def log_exp(xp: Any, x: Any) -> Any:
    return xp.log(xp.exp(x))


def sqrt_square(xp: Any, x: Any) -> Any:
    return xp.sqrt(x * x)


def add_sub(xp: Any, x: Any, y: Any) -> Any:
    return x + y - y


def silu(xp: Any, x: Any) -> Any:
    return x / (1.0 + xp.exp(-x))


def row_variance(xp: Any, x: Any) -> Any:
    m = xp.mean(x, axis=1, keepdims=True)
    return xp.mean((x - m) * (x - m), axis=1)


def max_of_exp(xp: Any, x: Any) -> Any:
    return xp.max(xp.exp(0.1 * x), axis=1)


def sum_scaled(xp: Any, x: Any) -> Any:
    return xp.sum(3.0 * x)


def l2_distance(xp: Any, x: Any, y: Any) -> Any:
    return xp.sqrt(xp.sum((x - y) * (x - y)))


def column_sums(xp: Any, x: Any) -> Any:
    return xp.sum(x, axis=0)


def column_variance(xp: Any, x: Any) -> Any:
    m = xp.mean(x, axis=0, keepdims=True)
    return xp.mean((x - m) * (x - m), axis=0)


def softmax_shifted(xp: Any, x: Any) -> Any:
    e = xp.exp(x - xp.max(x, axis=-1, keepdims=True))
    return e / xp.sum(e, axis=-1, keepdims=True)


def softmax_unshifted(xp: Any, x: Any) -> Any:
    e = xp.exp(x)
    return e / xp.sum(e, axis=-1, keepdims=True)


def log_softmax(xp: Any, x: Any) -> Any:
    s = x - xp.max(x, axis=-1, keepdims=True)
    return s - xp.log(xp.sum(xp.exp(s), axis=-1, keepdims=True))


def layernorm(xp: Any, x: Any) -> Any:
    m = xp.mean(x, axis=-1, keepdims=True)
    v = xp.mean((x - m) * (x - m), axis=-1, keepdims=True)
    return (x - m) / xp.sqrt(v + 1e-5)


def layernorm_affine(xp: Any, x: Any, g: Any, b: Any) -> Any:
    m = xp.mean(x, axis=-1, keepdims=True)
    v = xp.mean((x - m) * (x - m), axis=-1, keepdims=True)
    return (x - m) / xp.sqrt(v + 1e-5) * g + b


def rmsnorm(xp: Any, x: Any, g: Any) -> Any:
    return x / xp.sqrt(xp.mean(x * x, axis=-1, keepdims=True) + 1e-6) * g


def attention(xp: Any, q: Any, k: Any, v: Any) -> Any:
    s = q @ k.T / math.sqrt(q.shape[-1])
    e = xp.exp(s - xp.max(s, axis=-1, keepdims=True))
    return (e / xp.sum(e, axis=-1, keepdims=True)) @ v


def attention_heads(xp: Any, q: Any, k: Any, v: Any) -> Any:
    s = q @ xp.transpose(k, (0, 2, 1)) / math.sqrt(q.shape[-1])
    e = xp.exp(s - xp.max(s, axis=-1, keepdims=True))
    return (e / xp.sum(e, axis=-1, keepdims=True)) @ v


def mlp_block(xp: Any, x: Any, w1: Any, b1: Any, w2: Any) -> Any:
    h = xp.maximum(x @ w1 + b1, 0.0)
    return h @ w2 + x


N = 1024  # square matrices of the product programs
E = 2048  # side of the elementwise / row-reduction programs


def programs() -> list[Program]:
    sq = (N, N)
    big = (E, E)
    rows = (E, 4096)
    sk = 32  # the skinny dimension of the 4-matrix chain
    return [
        Program("sum(A@B)", "reduce-product", sum_of_product, _normal(sq, sq), 1e-3),
        Program("mean(A@B)", "reduce-product", mean_of_product, _normal(sq, sq), 1e-3),
        Program("rowsum(A@B)", "reduce-product", rowsum_of_product, _normal(sq, sq), 1e-3),
        Program("colsum(A@B)", "reduce-product", colsum_of_product, _normal(sq, sq), 1e-3),
        Program("colmean(A@B)", "reduce-product", colmean_of_product, _normal(sq, sq), 1e-3),
        Program("rowsum(2A@.5B)", "reduce-product", rowsum_scaled_product, _normal(sq, sq), 1e-3),
        Program(
            "sum(A*B) 4096^2",
            "reduce-product",
            sum_elementwise_product,
            _uniform((4096, 4096), (4096, 4096)),
            1e-3,
        ),
        Program("(A+B)@C-B@C", "factor", factor_sub, _normal(sq, sq, sq), 1e-3),
        Program("A@B+A@C", "factor", distribute_add, _normal(sq, sq, sq), 1e-3),
        Program("A@C+B@C", "factor", right_factor_add, _normal(sq, sq, sq), 1e-3),
        Program("(A@B)@v", "chain", chain_matvec, _normal(sq, sq, (N,)), 1e-3),
        Program(
            "((A@B)@C)@D skinny",
            "chain",
            chain_skinny4,
            _normal(sq, sq, (N, sk), (sk, sk)),
            1e-3,
        ),
        Program("(A@B).T@v", "chain", chain_transposed, _normal(sq, sq, (N,)), 1e-3),
        Program(
            "exp(log x+log y)",
            "identity",
            exp_log_product,
            _uniform(big, big, low=0.5, high=2.0),
        ),
        Program("log(exp x)", "identity", log_exp, _normal(big)),
        Program("sqrt(x*x)", "identity", sqrt_square, _normal(big)),
        Program("x+y-y", "identity", add_sub, _normal(big, big)),
        Program("silu x/(1+exp(-x))", "identity", silu, _normal(big)),
        Program("row variance", "reduction", row_variance, _normal(rows), 1e-3),
        Program("max(exp(.1x),1)", "reduction", max_of_exp, _normal(rows)),
        Program("sum(3x) 4096^2", "reduction", sum_scaled, _uniform((4096, 4096)), 1e-3),
        Program("sqrt(sum((x-y)^2))", "reduction", l2_distance, _normal(rows, rows), 1e-3),
        Program("column sums", "reduction", column_sums, _normal(rows), 1e-3),
        Program("column variance", "reduction", column_variance, _normal(rows), 1e-3),
        Program("softmax shifted", "softmax", softmax_shifted, _normal(rows)),
        Program("softmax unshifted", "softmax", softmax_unshifted, _normal(rows)),
        Program("log_softmax", "softmax", log_softmax, _normal(rows)),
        Program("layernorm", "layernorm", layernorm, _normal(rows), 1e-3),
        Program(
            "layernorm affine",
            "layernorm",
            layernorm_affine,
            _normal(rows, (4096,), (4096,)),
            1e-3,
        ),
        Program("rmsnorm", "layernorm", rmsnorm, _normal(rows, (4096,)), 1e-3),
        Program(
            "attention 512x64",
            "attention",
            attention,
            _normal((512, 64), (512, 64), (512, 64)),
            1e-3,
        ),
        Program(
            "attention 8 heads 256x64",
            "attention",
            attention_heads,
            _normal((8, 256, 64), (8, 256, 64), (8, 256, 64)),
            1e-3,
        ),
        Program(
            "relu MLP 512x512",
            "attention",
            mlp_block,
            _normal((512, 512), (512, 1024), (1024,), (1024, 512), scale=0.05),
            1e-3,
        ),
    ]


# --- peers ---------------------------------------------------------------------------------


class _TorchNp:
    """numpy's names with `axis`/`keepdims`, spelled in torch (dynamo traces through them)."""

    def __init__(self, torch: Any) -> None:
        self.t = torch

    def exp(self, x: Any) -> Any:
        return self.t.exp(x)

    def log(self, x: Any) -> Any:
        return self.t.log(x)

    def sqrt(self, x: Any) -> Any:
        return self.t.sqrt(x)

    def maximum(self, x: Any, y: Any) -> Any:
        return self.t.clamp_min(x, y) if isinstance(y, float) else self.t.maximum(x, y)

    def transpose(self, x: Any, axes: Sequence[int]) -> Any:
        return x.permute(*axes)

    def sum(self, x: Any, axis: int | None = None, keepdims: bool = False) -> Any:
        return self.t.sum(x) if axis is None else self.t.sum(x, dim=axis, keepdim=keepdims)

    def mean(self, x: Any, axis: int | None = None, keepdims: bool = False) -> Any:
        return self.t.mean(x) if axis is None else self.t.mean(x, dim=axis, keepdim=keepdims)

    def max(self, x: Any, axis: int | None = None, keepdims: bool = False) -> Any:
        return self.t.amax(x) if axis is None else self.t.amax(x, dim=axis, keepdim=keepdims)


@dataclass
class Peer:
    """One way of running a program: `prepare(program, inputs)` returns the callable that is
    timed (its arguments bound) and a function turning its result into a numpy array."""

    name: str
    prepare: Callable[[Program, list[Array]], tuple[Callable[[], Any], Callable[[Any], Array]]]


def _numpy_peer() -> Peer:
    def prepare(p: Program, xs: list[Array]) -> tuple[Callable[[], Any], Callable[[Any], Array]]:
        return partial(p.fn, np, *xs), np.asarray

    return Peer("numpy", prepare)


def _zg_prepare(
    zg: Any, fast_math: bool, autotune: bool = False
) -> Callable[[Program, list[Array]], tuple[Callable[[], Any], Callable[[Any], Array]]]:
    def prepare(p: Program, xs: list[Array]) -> tuple[Callable[[], Any], Callable[[Any], Array]]:
        fn = partial(p.fn, np)
        f = zg.jit(fn, fast_math=fast_math, autotune=autotune)
        if not autotune:
            return partial(f, *xs), np.asarray
        from ziggurat import autotune as tuning

        tuned: list[bool] = []

        def call() -> Any:
            # The first call (timed as the compile) runs the profiled calls, the refit and
            # the compile under the refit model, so that every timed call runs the tuned one.
            if not tuned:
                for _ in range(tuning.WARMUP_CALLS + tuning.TIMED_CALLS):
                    f(*xs)
                tuned.append(True)
            return f(*xs)

        return call, np.asarray

    return prepare


def _torch_peer(torch: Any) -> Peer:
    tnp = _TorchNp(torch)

    def run(f: Callable[..., Any], ts: list[Any]) -> Any:
        with torch.no_grad():
            return f(tnp, *ts)

    def prepare(p: Program, xs: list[Array]) -> tuple[Callable[[], Any], Callable[[Any], Array]]:
        f = torch.compile(p.fn)  # one code object per program: no shared dynamo cache
        ts = [torch.from_numpy(x) for x in xs]
        return partial(run, f, ts), lambda r: np.asarray(r.detach().numpy())

    return Peer("torch", prepare)


def _jax_peer(jax: Any) -> Peer:
    jnp = importlib.import_module("jax.numpy")

    def run(f: Callable[..., Any], js: list[Any]) -> Any:
        return f(*js).block_until_ready()

    def prepare(p: Program, xs: list[Array]) -> tuple[Callable[[], Any], Callable[[Any], Array]]:
        f = jax.jit(partial(p.fn, jnp))
        js = [jax.device_put(x) for x in xs]
        return partial(run, f, js), np.asarray

    return Peer("jax", prepare)


# --- measurement ---------------------------------------------------------------------------


@dataclass
class Cell:
    compile_s: float | None = None
    ms: float | None = None
    err: float | None = None
    calls: int = 0  # timed calls
    status: str = "ok"  # ok, WRONG, ERROR
    message: str = ""


@dataclass
class Row:
    program: Program
    cells: dict[str, Cell] = field(default_factory=dict)
    rounds: int = 0


@dataclass
class Timing:
    rounds: int  # interleaved rounds, each peer's block once per round
    block_calls: int  # a block is at least this many calls in a row ...
    block_s: float  # ... and lasts at least this long
    gap_s: float  # idle time before each block


def rel_err(out: Array, ref: Array) -> float:
    out = np.asarray(out, np.float64)
    if out.shape != ref.shape:
        return math.inf
    scale = float(np.max(np.abs(ref))) if ref.size else 0.0
    diff = float(np.max(np.abs(out - ref))) if ref.size else 0.0
    return diff / scale if scale > 0 else diff


def measure(
    p: Program,
    peers: list[Peer],
    rng: np.random.Generator,
    t: Timing,
) -> Row:
    xs = p.inputs(rng)
    ref = np.asarray(p.fn(np, *[x.astype(np.float64) for x in xs]), np.float64)
    row = Row(p)
    calls: dict[str, Callable[[], Any]] = {}
    for peer in peers:
        cell = row.cells.setdefault(peer.name, Cell())
        try:
            call, to_numpy = peer.prepare(p, xs)
            t0 = time.perf_counter()
            out = call()
            cell.compile_s = time.perf_counter() - t0
            result = to_numpy(out)
            cell.err = rel_err(result, ref)
            if result.dtype != np.float32:  # a float64 peer would not be a float32 program
                cell.status = "WRONG"
                cell.message = f"result is {result.dtype}, not float32"
            elif not cell.err <= p.rtol:
                cell.status = "WRONG"
                cell.message = f"rel err {cell.err:.2e} > {p.rtol:.0e}"
            call()  # warm-up
            calls[peer.name] = call
        except Exception as e:  # a peer that cannot run this program is reported, not fatal
            cell.status = "ERROR"
            lines = [ln for ln in traceback.format_exception_only(e) if ln.strip()]
            cell.message = " ".join(ln.strip() for ln in lines)
    times: dict[str, list[float]] = {name: [] for name in calls}
    names = list(calls)
    for r in range(t.rounds):
        k = r % max(len(names), 1)
        for name in names[k:] + names[:k]:
            time.sleep(t.gap_s)  # the previous peer's spinning worker threads go to sleep
            block_start = time.perf_counter()
            n = 0
            while n < t.block_calls or time.perf_counter() - block_start < t.block_s:
                t0 = time.perf_counter()
                calls[name]()
                times[name].append(time.perf_counter() - t0)
                n += 1
    rounds = t.rounds
    row.rounds = rounds
    for name, ts in times.items():
        row.cells[name].ms = statistics.median(ts) * 1e3
        row.cells[name].calls = len(ts)
    return row


def ratio(row: Row, name: str) -> float | None:
    base, cell = row.cells.get("numpy"), row.cells.get(name)
    if base is None or cell is None or base.ms is None or cell.ms is None or cell.status != "ok":
        return None
    return base.ms / cell.ms


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else math.nan


# --- main ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds, for a smoke run")
    parser.add_argument(
        "--only", nargs="*", default=None, help="program names (exact, else substrings)"
    )
    parser.add_argument("--json", default=None, metavar="PATH", help="write the results here")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 6)")
    parser.add_argument(
        "--gap-ms", type=float, default=100.0, help="idle time before each block of calls"
    )
    args = parser.parse_args()
    rounds = args.rounds if args.rounds is not None else (2 if args.quick else 6)
    timing = Timing(rounds, 1 if args.quick else 3, 0.0 if args.quick else 0.04, args.gap_ms / 1e3)

    # cold compiles: fresh on-disk caches, unless the caller chose them
    os.environ.setdefault("ZIGGURAT_CACHE_DIR", tempfile.mkdtemp(prefix="zg-superopt-cache-"))
    os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", tempfile.mkdtemp(prefix="inductor-superopt-"))
    import ziggurat as zg

    peers = [
        _numpy_peer(),
        Peer("zg", _zg_prepare(zg, False)),
        Peer("zg-fm", _zg_prepare(zg, True)),
        Peer("zg-at", _zg_prepare(zg, True, autotune=True)),
    ]
    versions = [f"numpy {np.__version__}"]
    skipped: list[str] = []
    # the peers are imported as Any, so that mypy checks this file the same with or without
    # them (and does not analyse them)
    try:
        torch: Any = importlib.import_module("torch")
        peers.append(_torch_peer(torch))
        versions.append(
            f"torch {torch.__version__} (torch.compile, {torch.get_num_threads()} threads)"
        )
    except ImportError as e:
        skipped.append(f"torch.compile skipped: torch not importable ({e})")
    try:
        jax: Any = importlib.import_module("jax")
        peers.append(_jax_peer(jax))
        versions.append(f"jax {jax.__version__} (jax.jit, {jax.devices()[0].platform})")
    except ImportError as e:
        skipped.append(f"jax.jit skipped: jax not importable ({e})")
    print("; ".join(versions))
    for s in skipped:
        print(s)
    print(
        f"ZIGGURAT_CACHE_DIR={os.environ['ZIGGURAT_CACHE_DIR']} "
        f"TORCHINDUCTOR_CACHE_DIR={os.environ['TORCHINDUCTOR_CACHE_DIR']}"
    )
    # other jobs on a 2-core machine slow OpenBLAS (numpy) most: say how loaded it was
    load_start = os.getloadavg()
    print(f"{os.cpu_count()} CPUs; load average {_load(load_start)} at the start")

    all_programs = programs()
    names = {p.name for p in all_programs}
    selected = [p for p in all_programs if _selected(p.name, args.only, names)]
    if not selected:
        parser.error(f"--only {' '.join(args.only or [])}: no program matches")
    # each peer's one-time start-up (imports, thread pools) is not any program's compile time
    warm_up = Program("warm-up", "", lambda xp, x: x * 2.0 + 1.0, _normal((8, 8)))
    for peer in peers:
        call, _ = peer.prepare(warm_up, warm_up.inputs(np.random.default_rng(1)))
        call()
    others = [peer.name for peer in peers if peer.name != "numpy"]
    header = f"{'program':26} {'numpy ms':>9} " + " ".join(f"{n:>8}" for n in others)
    header += "  compile s: " + " ".join(f"{n:>6}" for n in others)
    print(header)
    print("-" * len(header))
    rng = np.random.default_rng(0)
    rows: list[Row] = []
    t_start = time.perf_counter()
    for p in selected:
        row = measure(p, peers, rng, timing)
        rows.append(row)
        np_cell = row.cells["numpy"]
        line = f"{p.name:26} {_fmt(np_cell.ms, '9.2f')} "
        for n in others:
            c = row.cells[n]
            r = ratio(row, n)
            line += " " + (f"{c.status:>8}" if c.status != "ok" else f"{r:7.2f}x")
        line += "             " + " ".join(_fmt(row.cells[n].compile_s, "6.2f") for n in others)
        if np_cell.status != "ok":
            line += f"  (numpy float32 {np_cell.status}: {np_cell.message})"
        print(line, flush=True)
    print("-" * len(header))
    gm = f"{'geomean':26} {'':9} "
    counts = f"{'  (programs in the mean)':26} {'':9} "
    for n in others:
        rs = [r for row in rows if (r := ratio(row, n)) is not None]
        gm += f" {geomean(rs):7.2f}x"
        counts += f" {len(rs):8d}"
    print(gm)
    print(counts)
    for n in others:
        bad = [(row.program.name, row.cells[n]) for row in rows if row.cells[n].status != "ok"]
        wrong = sum(1 for _, c in bad if c.status == "WRONG")
        errors = len(bad) - wrong
        print(f"{n}: {wrong} WRONG, {errors} ERROR")
        for name, c in bad:
            print(f"  {name}: {c.status}: {c.message}")
    load_end = os.getloadavg()
    print(f"load average {_load(load_end)} at the end")
    ncalls = [c.calls for row in rows for c in row.cells.values() if c.calls]
    print(
        f"total {time.perf_counter() - t_start:.0f} s; {timing.rounds} rounds, "
        f"{min(ncalls, default=0)}-{max(ncalls, default=0)} timed calls per peer and program"
    )
    if args.json:
        data = {
            "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
            "argv": sys.argv,
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "timing": dataclasses.asdict(timing),
            "load_average": {"start": load_start, "end": load_end},
            "versions": versions,
            "skipped": skipped,
            "programs": [
                {
                    "name": row.program.name,
                    "category": row.program.category,
                    "rtol": row.program.rtol,
                    "rounds": row.rounds,
                    "peers": {
                        n: {
                            "ms": c.ms,
                            "ratio": ratio(row, n),
                            "compile_s": c.compile_s,
                            "calls": c.calls,
                            "rel_err": c.err,
                            "status": c.status,
                            "message": c.message,
                        }
                        for n, c in row.cells.items()
                    },
                }
                for row in rows
            ],
        }
        with open(args.json, "w") as f:
            json.dump(data, f, indent=1)
        print(f"wrote {args.json}")


def _selected(name: str, only: list[str] | None, names: set[str]) -> bool:
    """`--only`: each string selects the program of that exact name, or if there is none,
    every program whose name contains it."""
    if not only:
        return True
    return any(name == s if s in names else s in name for s in only)


def _load(avg: tuple[float, float, float]) -> str:
    return " ".join(f"{v:.2f}" for v in avg) + " (1, 5, 15 min)"


def _fmt(v: float | None, spec: str) -> str:
    width = int(spec.split(".")[0])
    return format(v, spec) if v is not None else f"{'-':>{width}}"


if __name__ == "__main__":
    main()
