"""Deep programs: long elementwise chains compile and run, with no recursion on program depth.

A chain of N ops (`y = y*1.0001; y = y+0.5; y = tanh(y); y = y+x; ...`, mixing unary ops and
binary ops whose second operand is a constant or a function argument) is one long path in
the SSA graph. Every walk along the path (fusion planning, tile emission, the lower levels,
the LLVM translation, the interpreter, the tracer) must be iterative: before the fix,
`ztensor-to-ztile` hit RecursionError at about 400 ops. The 10,000-op test goes through the
CLI (`ziggurat-opt -p cpu-pipeline -t llvm`) and runs the LLVM IR it prints.

eqsat is left out of these pipelines (`eqsat=false`): its own behaviour on deep programs is
tested with eqsat.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

import ziggurat as zg
from ziggurat.dialects import ztensor_kernels
from ziggurat.driver import Executable, parse_module, parse_pipeline
from ziggurat.interpreter import run_function
from ziggurat.lowering.llvm_translate import translate_module
from ziggurat.runtime import ArgSpec, compile_llvm_ir
from ziggurat.universe import make_context

NDArray = np.ndarray[Any, Any]

SHAPE = (64,)
KINDS = ("mulc", "addc", "tanh", "addx", "mulc2", "subw", "neg", "maxw")
"""One step of the chain each: y*1.0001, y+0.5, tanh(y), y+x, y*0.999, y-w, -y, max(y, w)."""

NO_EQSAT = "cpu-pipeline{eqsat=false}"


def chain_mlir(n: int, shape: tuple[int, ...] = SHAPE) -> str:
    """`@chain(%x, %w)`: a chain of `n` ztensor ops (see KINDS) as .mlir text."""
    ty = "tensor<" + "x".join(map(str, shape)) + "xf32>"
    lines = [
        f"func.func @chain(%x: {ty}, %w: {ty}) -> {ty} {{",
        f"  %c1 = ztensor.constant dense<1.0001> : {ty}",
        f"  %c2 = ztensor.constant dense<0.5> : {ty}",
        f"  %c3 = ztensor.constant dense<0.999> : {ty}",
    ]
    binary = {
        "mulc": ("mul", "%c1"),
        "addc": ("add", "%c2"),
        "addx": ("add", "%x"),
        "mulc2": ("mul", "%c3"),
        "subw": ("sub", "%w"),
        "maxw": ("maximum", "%w"),
    }
    cur = "%x"
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        if kind in binary:
            name, rhs = binary[kind]
            lines.append(f"  %v{i} = ztensor.{name} {cur}, {rhs} : ({ty}, {ty}) -> {ty}")
        else:
            lines.append(f"  %v{i} = ztensor.{kind} {cur} : {ty}")
        cur = f"%v{i}"
    lines += [f"  func.return {cur} : {ty}", "}", ""]
    return "\n".join(lines)


def chain_numpy(n: int, x: NDArray, w: NDArray) -> NDArray:
    """The chain computed by numpy in float32."""
    y = x
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        if kind == "mulc":
            y = y * np.float32(1.0001)
        elif kind == "addc":
            y = y + np.float32(0.5)
        elif kind == "tanh":
            y = np.tanh(y)
        elif kind == "addx":
            y = y + x
        elif kind == "mulc2":
            y = y * np.float32(0.999)
        elif kind == "subw":
            y = y - w
        elif kind == "neg":
            y = -y
        else:
            y = np.maximum(y, w)
    return y


def chain_function(n: int) -> Callable[[Any, Any], Any]:
    """The chain as a Python function for `zg.jit`."""

    def chain(x: Any, w: Any) -> Any:
        y = x
        for i in range(n):
            kind = KINDS[i % len(KINDS)]
            if kind == "mulc":
                y = y * 1.0001
            elif kind == "addc":
                y = y + 0.5
            elif kind == "tanh":
                y = zg.tanh(y)
            elif kind == "addx":
                y = y + x
            elif kind == "mulc2":
                y = y * 0.999
            elif kind == "subw":
                y = y - w
            elif kind == "neg":
                y = -y
            else:
                y = zg.maximum(y, w)
        return y

    return chain


def inputs(shape: tuple[int, ...] = SHAPE) -> tuple[NDArray, NDArray]:
    rng = np.random.default_rng(0)
    return (
        rng.standard_normal(shape).astype(np.float32),
        rng.standard_normal(shape).astype(np.float32),
    )


@contextmanager
def shallow_stack(headroom: int = 250) -> Iterator[None]:
    """Run with a recursion limit only `headroom` frames above the current depth: any walk
    that recurses once per op of a 1,000-op program fails inside."""
    frame: Any = sys._getframe()
    depth = 0
    while frame is not None:
        depth += 1
        frame = frame.f_back
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + headroom)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def test_chain_text_is_valid() -> None:
    module = parse_module(chain_mlir(16))
    x, w = inputs()
    (got,) = run_function(module, "chain", x, w)
    np.testing.assert_allclose(got, chain_numpy(16, x, w), rtol=1e-6, atol=1e-6)


def test_deep_chain_lowers_without_recursion() -> None:
    """1,000 ops through every pass of the pipeline, the LLVM translation and the reference
    interpreter with a recursion limit far below the program's depth."""
    n = 1000
    module = parse_module(chain_mlir(n))
    x, w = inputs()
    with shallow_stack():
        (reference,) = run_function(module, "chain", x, w)
        lowered = module.clone()
        parse_pipeline(NO_EQSAT).apply(make_context(), lowered)
        ir_text = translate_module(lowered)
    np.testing.assert_allclose(reference, chain_numpy(n, x, w), rtol=1e-5, atol=1e-5)
    assert "define" in ir_text


def test_long_chains_split_into_bounded_kernels() -> None:
    """Fusion stops at MAX_FUSED_OPS ops per kernel: a chain of 1,000 ops is 4 grids."""
    n = 1000
    module = parse_module(chain_mlir(n))
    with shallow_stack():
        parse_pipeline("ztensor-to-ztile").apply(make_context(), module)
    grids = [op for op in module.walk() if op.name == "ztile.grid"]
    cap = ztensor_kernels.MAX_FUSED_OPS
    assert len(grids) == -(-n // cap)
    for grid in grids:
        computed = [op for op in grid.walk() if op.name in _TILE_COMPUTE]
        assert 0 < len(computed) <= cap


_TILE_COMPUTE = {f"ztile.{k}" for k in ("add", "sub", "mul", "maximum", "tanh", "neg")}


def test_wide_dag_with_shared_values_fuses_and_splits() -> None:
    """Every value used twice (y = tanh(y) * y): the use counting of the planner, across
    the kernel boundaries the size cap makes."""
    n = 300
    ty = "tensor<8x16xf32>"
    lines = [f"func.func @dag(%x: {ty}) -> {ty} {{"]
    cur = "%x"
    for i in range(n):
        lines.append(f"  %t{i} = ztensor.tanh {cur} : {ty}")
        lines.append(f"  %v{i} = ztensor.mul %t{i}, {cur} : ({ty}, {ty}) -> {ty}")
        cur = f"%v{i}"
    lines += [f"  func.return {cur} : {ty}", "}", ""]
    text = "\n".join(lines)
    x = np.random.default_rng(1).uniform(0.5, 0.9, (8, 16)).astype(np.float32)
    expected = x
    for _ in range(n):
        expected = np.tanh(expected) * expected
    with shallow_stack(400):
        exe = zg.compile(text, pipeline=NO_EQSAT, cache=False)
    got = exe(x)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)


def _run_llvm_ir(ir_text: str, x: NDArray, w: NDArray) -> NDArray:
    spec = ArgSpec(SHAPE, np.float32, "in")
    sigs: dict[str, tuple[ArgSpec, ...]] = {
        "chain": (spec, spec, ArgSpec(SHAPE, np.float32, "out"))
    }
    # LLVM at O0: this test is about our pipeline; O3 takes ~4x longer on 10,000 ops.
    compiled = compile_llvm_ir(ir_text, sigs, opt_level=0, cache=False)
    out = Executable(compiled, sigs, ir_text, entry="chain")(x, w)
    return np.asarray(out[0] if isinstance(out, tuple) else out)


def _script(name: str) -> str:
    # The session's fork-server clients (tests/pytest/conftest.py), else the installed one.
    local = Path(os.environ.get("ZIGGURAT_TEST_BIN") or Path(sys.executable).parent) / name
    found = str(local) if local.exists() else shutil.which(name)
    assert found is not None, f"{name} is not installed"
    return found


def test_10000_op_chain_through_the_cli(tmp_path: Path) -> None:
    """`ziggurat-opt F -p cpu-pipeline -t llvm` on a 10,000-op chain; the LLVM IR runs and
    matches numpy."""
    n = 10_000
    source = tmp_path / "chain.mlir"
    source.write_text(chain_mlir(n))
    out = tmp_path / "chain.ll"
    proc = subprocess.run(
        [
            _script("ziggurat-opt"),
            str(source),
            "-p",
            NO_EQSAT,
            "-t",
            "llvm",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=230,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "RecursionError" not in proc.stderr
    x, w = inputs()
    got = _run_llvm_ir(out.read_text(), x, w)
    np.testing.assert_allclose(got, chain_numpy(n, x, w), rtol=1e-4, atol=1e-5)


def test_jit_of_a_1200_op_chain() -> None:
    """`zg.jit` traces and compiles a 1,200-op Python function (eqsat off)."""
    n = 1200
    x, w = inputs()
    f = zg.jit(chain_function(n), eqsat=False)
    with shallow_stack(400):
        got = f(x, w)
    np.testing.assert_allclose(got, chain_numpy(n, x, w), rtol=1e-4, atol=1e-5)


def test_traced_module_of_a_deep_chain() -> None:
    """The tracer builds the module op by op: no recursion on its depth."""
    n = 1500
    x, w = inputs()
    f = zg.jit(chain_function(n), eqsat=False)
    with shallow_stack():
        lowered = f.lower(x, w)
        text = lowered.as_text("ztensor")
    assert text.count("ztensor.tanh") == sum(KINDS[i % len(KINDS)] == "tanh" for i in range(n))
