"""`ztensor-to-linalg` (`zg.to_linalg`): ztensor programs written back as linalg on tensors.

Every program of a corpus (one function per op form, the torch-mlir fixtures raised and
optimized, examples/mlp.mlir after eqsat) is exported, and the export must compute what the
ztensor program computes:

- in the reference interpreter (linalg semantics against ztensor semantics), always;
- compiled by Ziggurat again (the export raised by `linalg-to-ztensor`), always;
- compiled by IREE (`iree-compile` for the host CPU), against Ziggurat's compiled ztensor
  program: the round trip ztensor -> linalg -> IREE. Needs the `interop` extra; skipped
  without it.

Random programs of test_frontend_hypothesis are exported too and interpreted on both sides.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from random_programs import Step, Zg, programs, run
from xdsl.dialects import func
from xdsl.dialects.builtin import TensorType

import ziggurat as zg
from ziggurat.dialects import optable
from ziggurat.dialects.ztensor_semantics import numpy_dtype
from ziggurat.lowering.ztensor_to_linalg import reassociation

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "interop" / "fixtures"

NDArray = np.ndarray[Any, Any]


def _t(shape: tuple[int, ...], elt: str = "f32") -> str:
    return "tensor<" + "".join(f"{d}x" for d in shape) + elt + ">"


def _unary(name: str) -> str:
    ty = _t((4, 8))
    return (
        f"func.func @{name}(%x: {ty}) -> {ty} {{\n"
        f"  %r = ztensor.{name} %x : {ty}\n  func.return %r : {ty}\n}}\n"
    )


def _binary(name: str, a: tuple[int, ...], b: tuple[int, ...], out: tuple[int, ...]) -> str:
    tag = "x".join(map(str, a)) + "_" + "x".join(map(str, b))
    return (
        f"func.func @{name}_{tag}(%a: {_t(a)}, %b: {_t(b)}) -> {_t(out)} {{\n"
        f"  %r = ztensor.{name} %a, %b : ({_t(a)}, {_t(b)}) -> {_t(out)}\n"
        f"  func.return %r : {_t(out)}\n}}\n"
    )


def _one(name: str, args: str, body: str, result: str) -> str:
    return f"func.func @{name}({args}) -> {result} {{\n{body}\n}}\n"


CASES: dict[str, str] = {}
for row in optable.UNARY:
    CASES[row.name] = _unary(row.name)
for row in optable.BINARY:
    CASES[f"{row.name}_bcast"] = _binary(row.name, (4, 8), (8,), (4, 8))
CASES["add_outer"] = _binary("add", (4, 1), (1, 8), (4, 8))
_A, _B = _t((4, 8)), _t((8,))
CASES["cmp_select"] = _one(
    "cmp_select",
    f"%a: {_A}, %b: {_B}",
    f'  %c = ztensor.cmp "olt" %a, %b : ({_A}, {_B}) -> {_t((4, 8), "i1")}\n'
    f"  %r = ztensor.select %c, %a, %b : ({_t((4, 8), 'i1')}, {_A}, {_B}) -> {_A}\n"
    f"  func.return %r : {_A}",
    _A,
)
CASES["casts"] = _one(
    "casts",
    f"%a: {_A}",
    f"  %d = ztensor.cast %a : {_A} -> {_t((4, 8), 'f64')}\n"
    f"  %e = ztensor.exp %d : {_t((4, 8), 'f64')}\n"
    f"  %f = ztensor.cast %e : {_t((4, 8), 'f64')} -> {_A}\n"
    f"  func.return %f : {_A}",
    _A,
)
CASES["broadcast_to"] = _one(
    "broadcast_to",
    f"%a: {_t((4, 1))}",
    f"  %r = ztensor.broadcast_to %a : {_t((4, 1))} -> {_t((3, 4, 8))}\n"
    f"  func.return %r : {_t((3, 4, 8))}",
    _t((3, 4, 8)),
)
CASES["matmul"] = _binary("matmul", (4, 8), (8, 5), (4, 5))
CASES["matmul_batched"] = _binary("matmul", (2, 4, 8), (8, 5), (2, 4, 5))
CASES["matmul_same_batch"] = _binary("matmul", (2, 4, 8), (2, 8, 5), (2, 4, 5))
CASES["matmul_batch_bcast"] = _binary("matmul", (2, 1, 4, 8), (3, 8, 5), (2, 3, 4, 5))
CASES["transpose"] = _one(
    "transpose",
    f"%a: {_t((2, 3, 4))}",
    f"  %r = ztensor.transpose %a {{permutation = array<i64: 2, 0, 1>}} : {_t((2, 3, 4))} -> "
    f"{_t((4, 2, 3))}\n  func.return %r : {_t((4, 2, 3))}",
    _t((4, 2, 3)),
)
for src, dst in [
    ((4, 6), (24,)),
    ((24,), (2, 3, 4)),
    ((4, 6), (3, 8)),
    ((2, 1, 3), (6, 1)),
    ((), (1, 1)),
    ((1, 1), ()),
]:
    tag = "x".join(map(str, src)) + "_to_" + "x".join(map(str, dst))
    CASES[f"reshape_{tag}"] = _one(
        f"reshape_{tag}",
        f"%a: {_t(src)}",
        f"  %r = ztensor.reshape %a : {_t(src)} -> {_t(dst)}\n  func.return %r : {_t(dst)}",
        _t(dst),
    )
for kind in ("sum", "max", "mean"):
    for axes, keep, out in [("1", "false", (2, 4)), ("0, 2", "true", (1, 3, 1))]:
        name = f"reduce_{kind}_{axes.replace(', ', '')}_{keep}"
        CASES[name] = _one(
            name,
            f"%a: {_t((2, 3, 4))}",
            f"  %r = ztensor.reduce_{kind} %a {{axes = array<i64: {axes}>, keepdims = {keep}}} : "
            f"{_t((2, 3, 4))} -> {_t(out)}\n  func.return %r : {_t(out)}",
            _t(out),
        )
CASES["softmax"] = _one(
    "softmax",
    f"%a: {_t((3, 5))}",
    f"  %r = ztensor.softmax %a {{axis = 0 : i64}} : {_t((3, 5))}\n  func.return %r : {_t((3, 5))}",
    _t((3, 5)),
)
CASES["layernorm"] = _one(
    "layernorm",
    f"%a: {_t((3, 5))}",
    f"  %r = ztensor.layernorm %a {{axis = 1 : i64, epsilon = 1.0e-05 : f32}} : {_t((3, 5))}\n"
    f"  func.return %r : {_t((3, 5))}",
    _t((3, 5)),
)
CASES["constants"] = _one(
    "constants",
    f"%a: {_t((2, 3))}",
    f"  %c = ztensor.constant dense<[[1.0, -2.0, 3.5], [0.25, 8.0, -0.0]]> : {_t((2, 3))}\n"
    f"  %s = ztensor.constant dense<2.0> : {_t((2, 3))}\n"
    f"  %m = ztensor.mul %a, %c : ({_t((2, 3))}, {_t((2, 3))}) -> {_t((2, 3))}\n"
    f"  %r = ztensor.add %m, %s : ({_t((2, 3))}, {_t((2, 3))}) -> {_t((2, 3))}\n"
    f"  func.return %r : {_t((2, 3))}",
    _t((2, 3)),
)
CASES["fused_elementwise"] = _one(
    "fused_elementwise",
    f"%a: {_A}, %b: {_B}",
    f'  %r = ztensor.fused "elementwise" (%a, %b) : ({_A}, {_B}) -> {_A} {{\n'
    f"  ^bb0(%x: {_A}, %y: {_B}):\n"
    f"    %s = ztensor.add %x, %y : ({_A}, {_B}) -> {_A}\n"
    f"    %t = ztensor.tanh %s : {_A}\n"
    f"    %u = ztensor.mul %t, %x : ({_A}, {_A}) -> {_A}\n"
    f"    ztensor.yield %u : {_A}\n  }}\n"
    f"  func.return %r : {_A}",
    _A,
)

SOURCES: dict[str, str] = {
    **{f"op_{name}": f"builtin.module {{\n{text}}}\n" for name, text in CASES.items()},
    **{f"torch_{p.stem}": p.read_text() for p in sorted(FIXTURES.glob("*.mlir"))},
    "example_mlp": (ROOT / "examples" / "mlp.mlir").read_text(),
}


def _inputs(text: str, seed: int) -> list[NDArray]:
    module = zg.parse_module(text)
    (main,) = [op for op in module.ops if isinstance(op, func.FuncOp)]
    rng = np.random.default_rng(seed)
    arrays = []
    for ty in main.function_type.inputs.data:
        assert isinstance(ty, TensorType)
        dtype = numpy_dtype(ty.element_type)
        arrays.append(np.asarray(rng.standard_normal(ty.get_shape()) + 0.1, dtype=dtype))
    return arrays


def _entry(text: str) -> str:
    module = zg.parse_module(text)
    (main,) = [op for op in module.ops if isinstance(op, func.FuncOp)]
    return main.sym_name.data


def _close(got: Any, expected: Any, rtol: float = 2e-5) -> None:
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol, equal_nan=True)


@pytest.fixture(scope="module")
def exported() -> dict[str, str]:
    return {name: zg.to_linalg(text) for name, text in SOURCES.items()}


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_export_has_no_ztensor_and_matches_the_interpreter(
    name: str, exported: dict[str, str]
) -> None:
    text = exported[name]
    assert "ztensor." not in text
    entry = _entry(SOURCES[name])
    args = _inputs(SOURCES[name], 1)
    (expected,) = zg.run_reference(SOURCES[name], entry, args)
    (got,) = zg.run_reference(text, entry, args)
    _close(got, expected, 1e-6 if expected.dtype == np.float64 else 2e-5)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_export_compiles_again(name: str, exported: dict[str, str]) -> None:
    """ztensor -> linalg -> (linalg-to-ztensor) -> our CPU code = ztensor -> our CPU code."""
    args = _inputs(SOURCES[name], 2)
    expected = zg.compile(SOURCES[name])(*args)
    _close(zg.compile(exported[name])(*args), expected)


def test_fused_elementwise_is_one_generic(exported: dict[str, str]) -> None:
    assert exported["op_fused_elementwise"].count("linalg.generic") == 1


def test_matrices_use_linalg_matmul(exported: dict[str, str]) -> None:
    assert "linalg.matmul" in exported["op_matmul"]
    assert "linalg.matmul" not in exported["op_matmul_batched"]
    assert "linalg.batch_matmul" in exported["op_matmul_same_batch"]


def test_reassociation() -> None:
    assert reassociation((4, 1, 6), (4, 6)) == [[0], [1, 2]]
    assert reassociation((2, 3, 4), (6, 4)) == [[0, 1], [2]]
    assert reassociation((2, 3, 1), (6,)) == [[0, 1, 2]]
    assert reassociation((4, 6), (3, 8)) is None
    assert reassociation((1, 1), ()) == []


def test_to_linalg_errors_are_located() -> None:
    with pytest.raises(zg.DiagnosticError, match=r"<string>:\d+:\d+: error"):
        zg.to_linalg(
            "func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {\n  func.return %b : tensor<4xf32>\n}"
        )
    with pytest.raises(zg.PipelineError, match="end it with ztensor-to-linalg"):
        zg.to_linalg(SOURCES["op_exp"], pipeline="canonicalize")


# ---------------------------------------------------------------------------------------------
# IREE: the round trip ztensor -> linalg -> IREE
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_iree_runs_the_export(name: str, exported: dict[str, str]) -> None:
    ireec = pytest.importorskip(
        "iree.compiler", reason="IREE is not installed (pip install -e '.[interop]')"
    )
    ireert = pytest.importorskip(
        "iree.runtime", reason="IREE's runtime is not installed (pip install -e '.[interop]')"
    )
    vmfb = ireec.compile_str(
        exported[name],
        target_backends=["llvm-cpu"],
        extra_args=["--iree-llvmcpu-target-cpu=host"],
    )
    context = ireert.SystemContext(config=ireert.Config("local-task"))
    context.add_vm_module(ireert.VmModule.copy_buffer(context.instance, vmfb))
    theirs = context.modules.module[_entry(SOURCES[name])]
    args = _inputs(SOURCES[name], 3)
    expected = zg.compile(SOURCES[name])(*args)
    _close(np.asarray(theirs(*args).to_host()), expected, 1e-4)


# ---------------------------------------------------------------------------------------------
# Random programs: the export computes what the traced ztensor program computes
# ---------------------------------------------------------------------------------------------


@settings(
    max_examples=int(os.environ.get("ZIGGURAT_HYPOTHESIS_EXAMPLES", "60")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(programs())
def test_random_programs_export(program: tuple[list[Step], list[Any], tuple[int, ...]]) -> None:
    """The frontend's random programs (test_frontend_hypothesis), traced to ztensor and
    optimized by eqsat, exported: the linalg interpreter agrees with the ztensor one."""
    steps, inputs, outputs = program
    fn = zg.jit(lambda *xs: run(Zg, steps, list(xs), outputs))
    text = fn.lower(*inputs).as_text("eqsat")
    entry = _entry(text)
    # From the eqsat stage on, the compiled backend's module takes an F-contiguous array as
    # its transpose (a C-contiguous view; `compiled_backend.take_transposes`).
    taken = [
        x.T if x.ndim >= 2 and x.flags.f_contiguous and not x.flags.c_contiguous else x
        for x in inputs
    ]
    with np.errstate(all="ignore"):
        expected = zg.run_reference(text, entry, taken)
        got = zg.run_reference(zg.to_linalg(text, pipeline="ztensor-to-linalg"), entry, taken)
    # Both sides round in the program's dtype but may sum in different orders: allow that
    # rounding relative to the largest magnitude involved.
    rtol = 1e-4 if inputs[0].dtype == np.float32 else 1e-10
    for g, e in zip(got, expected, strict=True):
        g, e = np.asarray(g), np.asarray(e)
        assert g.shape == e.shape and g.dtype == e.dtype
        scale = 1.0 + max(float(np.max(np.abs(a), initial=0.0)) for a in (*inputs, e))
        np.testing.assert_allclose(g, e, rtol=rtol, atol=rtol * scale, equal_nan=True)
