"""Splat constants stay splat (one stored element) from parse to lowering; sizes beyond the
index range are verifier errors; dense literals round-trip bit for bit (issue 14, item 4)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from xdsl.dialects.builtin import (
    BFloat16Type,
    BytesAttr,
    DenseIntOrFPElementsAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    ModuleOp,
    TensorType,
)
from xdsl.printer import Printer

import ziggurat.driver as zg
from ziggurat.diagnostics import DiagnosticError
from ziggurat.dialects import ztensor as zt
from ziggurat.dialects.tiling import DefaultTileSizes
from ziggurat.dialects.ztensor_canonicalization import _splat_value
from ziggurat.dialects.ztensor_semantics import (
    SPLAT_MATERIALIZE_LIMIT,
    constant_value,
    dense_attr,
)
from ziggurat.parsing import parse_module

HUGE = 2**40
F32 = Float32Type()


def _constants(module: ModuleOp) -> list[zt.ConstantOp]:
    return [op for op in module.walk() if isinstance(op, zt.ConstantOp)]


def _text(module: ModuleOp) -> str:
    import io

    out = io.StringIO()
    Printer(stream=out).print_op(module)
    return out.getvalue()


def _program(n: int | str, value: str = "1.5") -> str:
    t = f"tensor<{n}xf32>"
    return f"""
func.func @f(%x: {t}) -> {t} {{
  %c = ztensor.constant dense<{value}> : {t}
  %z = ztensor.constant dense<-0.0> : {t}
  %a = ztensor.add %x, %c : ({t}, {t}) -> {t}
  %b = ztensor.add %a, %z : ({t}, {t}) -> {t}
  %d = ztensor.mul %c, %c : ({t}, {t}) -> {t}
  %e = ztensor.sub %b, %d : ({t}, {t}) -> {t}
  func.return %e : {t}
}}
"""


# ----- representation -------------------------------------------------------------------------


@pytest.mark.parametrize("n", [10**8, 2**31, HUGE])
def test_parse_print_holds_one_element(n: int) -> None:
    tracemalloc.start()
    t0 = time.perf_counter()
    module = parse_module(_program(n))
    text = _text(module)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert f"ztensor.constant dense<1.500000e+00> : tensor<{n}xf32>" in text
    assert f"ztensor.constant dense<-0.000000e+00> : tensor<{n}xf32>" in text
    for op in _constants(module):
        assert len(op.value.data.data) == 4
        assert zt.is_compact_splat(op.value)
    assert peak < 20 * 2**20, f"parse+print of a {n}-element splat peaked at {peak} bytes"
    assert elapsed < 10, f"parse+print of a {n}-element splat took {elapsed:.1f} s"


def test_generic_form_of_a_large_splat_is_held_once() -> None:
    t = f"tensor<{HUGE}xf32>"
    text = f'"ztensor.constant"() {{value = dense<2.0> : {t}}} : () -> {t}'
    (op,) = _constants(parse_module(text))
    assert len(op.value.data.data) == 4
    assert zt.splat_scalar(op.value) == 2.0
    hexed = f'"ztensor.constant"() {{value = dense<"0x00000040"> : {t}}} : () -> {t}'
    (op,) = _constants(parse_module(hexed))
    assert op.value.data.data == b"\x00\x00\x00\x40"


def test_small_splats_of_other_ops_stay_as_xdsl_builds_them() -> None:
    # Below `LARGE_SPLAT`, dense attributes outside ztensor.constant keep every element, so
    # xDSL's passes see what they expect.
    module = parse_module("%c = arith.constant dense<2.0> : tensor<4xf32>")
    (op,) = list(module.ops)
    value = op.properties["value"]
    assert isinstance(value, DenseIntOrFPElementsAttr)
    assert len(value.data.data) == 16


def test_splat_scalar_reads_bits() -> None:
    ty = TensorType(F32, [HUGE])
    assert zt.splat_scalar(zt.splat_attr(ty, 3.0)) == 3.0
    negzero = zt.splat_scalar(zt.splat_attr(ty, -0.0))
    assert negzero == 0.0 and np.signbit(negzero)
    small = TensorType(F32, [3])
    assert zt.splat_scalar(DenseIntOrFPElementsAttr.from_list(small, [7.0, 7.0, 7.0])) == 7.0
    assert zt.splat_scalar(DenseIntOrFPElementsAttr.from_list(small, [0.0, -0.0, 0.0])) is None
    assert zt.splat_scalar(DenseIntOrFPElementsAttr.from_list(small, [1.0, 2.0, 1.0])) is None
    nan = zt.splat_scalar(zt.splat_attr(ty, float("nan")))
    assert nan is not None and np.isnan(nan)
    empty = TensorType(F32, [0])
    assert zt.splat_scalar(zt.splat_attr(empty, 1.0)) is None
    assert zt.splat_attr(empty, 1.0).data.data == b""


def test_constant_op_compacts_an_expanded_splat() -> None:
    ty = TensorType(F32, [1000])
    op = zt.ConstantOp(DenseIntOrFPElementsAttr.from_list(ty, [2.5]))
    assert len(op.value.data.data) == 4
    op.verify()
    mixed = zt.ConstantOp(DenseIntOrFPElementsAttr.from_list(TensorType(F32, [2]), [0.0, -0.0]))
    assert len(mixed.value.data.data) == 8


def test_verifier_rejects_a_count_that_matches_neither() -> None:
    ty = TensorType(F32, [4])
    op = zt.ConstantOp(DenseIntOrFPElementsAttr(ty, BytesAttr(b"\x00" * 8)))
    with pytest.raises(Exception, match="value holds 2 elements, but tensor<4xf32> has 4"):
        op.verify()


@pytest.mark.parametrize(
    "elt, values",
    [
        (Float32Type(), [1.0, -0.0, float("inf"), -3.5]),
        (Float64Type(), [1e-310, -0.0, float("-inf"), 2.0]),
        (Float16Type(), [65504.0, -0.0, 6e-08, 1.0]),
        (BFloat16Type(), [1.0, -0.0, 2.0, 3.0]),
    ],
)
def test_dense_attr_and_constant_value_are_exact(elt: Any, values: list[float]) -> None:
    ty = TensorType(elt, [2, 2])
    from ziggurat.dialects.ztensor_semantics import numpy_dtype

    array = np.asarray(values, dtype=numpy_dtype(elt)).reshape(2, 2)
    op = zt.ConstantOp(dense_attr(array, ty))
    back = constant_value(op)
    assert back.dtype == array.dtype
    assert back.tobytes() == array.tobytes()  # bit for bit: -0.0, subnormals, infinities


def test_constant_value_of_a_huge_splat_is_a_view() -> None:
    op = zt.ConstantOp(zt.splat_attr(TensorType(F32, [HUGE]), -0.0))
    value = constant_value(op)
    assert value.shape == (HUGE,) and value.strides == (0,)
    assert np.signbit(value[HUGE - 1]) and value.dtype == np.float32
    small = constant_value(zt.ConstantOp(zt.splat_attr(TensorType(F32, [8]), 2.0)))
    assert small.flags.writeable and small.tolist() == [2.0] * 8
    assert SPLAT_MATERIALIZE_LIMIT < HUGE


# ----- canonicalize, fold, interpret, lower --------------------------------------------------


def test_canonicalize_folds_splats_without_expanding() -> None:
    module = parse_module(_program(HUGE))
    t0 = time.perf_counter()
    zg.run_pipeline(zg.parse_pipeline("canonicalize"), module)
    assert time.perf_counter() - t0 < 10
    text = _text(module)
    # x + -0.0 -> x (IEEE-exact), 1.5 * 1.5 folded once on the scalars to 2.25
    assert f"ztensor.constant dense<2.250000e+00> : tensor<{HUGE}xf32>" in text
    assert "dense<-0.000000e+00>" not in text
    assert all(len(op.value.data.data) == 4 for op in _constants(module))


def test_splat_fold_keeps_the_sign_of_zero() -> None:
    t = "tensor<100000xf32>"
    module = parse_module(
        f"""
func.func @f() -> ({t}, {t}) {{
  %z = ztensor.constant dense<0.0> : {t}
  %n = ztensor.neg %z : {t}
  %m = ztensor.maximum %n, %z : ({t}, {t}) -> {t}
  func.return %n, %m : {t}, {t}
}}
"""
    )
    zg.run_pipeline(zg.parse_pipeline("canonicalize"), module)
    text = _text(module)
    assert "dense<-0.000000e+00>" in text and "dense<0.000000e+00>" in text
    assert "ztensor.neg" not in text and "ztensor.maximum" not in text


def test_empty_constant_does_not_crash_the_folders() -> None:
    t = "tensor<0xf32>"
    module = parse_module(
        f"""
func.func @f(%x: {t}) -> {t} {{
  %c = ztensor.constant dense<> : {t}
  %a = ztensor.add %x, %c : ({t}, {t}) -> {t}
  %b = ztensor.mul %c, %c : ({t}, {t}) -> {t}
  %d = ztensor.add %a, %b : ({t}, {t}) -> {t}
  func.return %d : {t}
}}
"""
    )
    zg.run_pipeline(zg.parse_pipeline("canonicalize"), module)
    (c, *_) = _constants(module)
    assert _splat_value(c.result) is None


def test_interpreter_reads_the_scalar() -> None:
    t = f"tensor<{HUGE}xf32>"
    module = parse_module(
        f"""
func.func @f() -> {t} {{
  %c = ztensor.constant dense<3.0> : {t}
  func.return %c : {t}
}}
"""
    )
    (result,) = zg.run_reference(module, "f", [])
    assert result.shape == (HUGE,) and float(result[12345]) == 3.0


def test_interpreter_matches_on_a_program_with_splats() -> None:
    n = 1000
    x = np.linspace(-2, 2, n, dtype=np.float32)
    (result,) = zg.run_reference(parse_module(_program(n)), "f", [x])
    np.testing.assert_array_equal(result, x + np.float32(1.5) + np.float32(-0.0) - np.float32(2.25))


def test_lowering_reads_the_scalar() -> None:
    module = parse_module(_program(HUGE))
    t0 = time.perf_counter()
    zg.run_pipeline(zg.parse_pipeline("ztensor-to-ztile"), module)
    assert time.perf_counter() - t0 < 20
    text = _text(module)
    assert "ztile.splat" in text and "ztensor.constant" not in text


# ----- the command line ---------------------------------------------------------------------


def _script(name: str) -> str:
    # The session's fork-server clients (tests/pytest/conftest.py), else the installed one.
    local = Path(os.environ.get("ZIGGURAT_TEST_BIN") or Path(sys.executable).parent) / name
    found = str(local) if local.exists() else shutil.which(name)
    assert found is not None, f"{name} is not installed"
    return found


@pytest.mark.parametrize("n", [10**8, 2**31, HUGE])
def test_cpu_pipeline_to_llvm_on_huge_splats(n: int, tmp_path: Path) -> None:
    path = tmp_path / "splat.mlir"
    path.write_text(_program(n))
    proc = subprocess.run(
        [_script("ziggurat-opt"), str(path), "-p", "cpu-pipeline", "-t", "llvm"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    # One program per tile of the n elements (every tile lies in bounds: no edge test).
    (tile,) = DefaultTileSizes().elementwise((n,))
    assert n % tile == 0 and f"i64 {n // tile}," in proc.stdout
    assert str(4 * n) not in proc.stdout  # no buffer of n constants


def test_ziggurat_run_check_with_splats(tmp_path: Path) -> None:
    path = tmp_path / "splat.mlir"
    path.write_text(_program(100_000))
    proc = subprocess.run(
        [_script("ziggurat-run"), str(path), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "check: OK" in proc.stdout


# ----- parse errors and sizes ---------------------------------------------------------------


@pytest.mark.parametrize(
    "literal, message",
    [
        ("dense<1.0> : tensor<100000000000000000000000000000xf32>", "dimension 0 is 1"),
        ("dense<1.0> : tensor<9223372036854775808xf32>", "beyond the index range"),
        ("dense<> : tensor<4xf32>", "value holds 0 elements, but tensor<4xf32> has 4"),
        ("dense<[1.0, 2.0]> : tensor<3xf32>", "dense literal has shape [2]"),
        ("dense<1.0e100> : tensor<3xf32>", "out of range for f32"),
        ("dense<(1.0, 2.0)> : tensor<3xcomplex<f32>>", "complex literals are not supported"),
        ("dense<1.0> : tensor<2xf80>", "float element type"),
    ],
)
def test_located_errors(literal: str, message: str) -> None:
    with pytest.raises(DiagnosticError) as info:
        parse_module(f"%c = ztensor.constant {literal}", "in.mlir")
    text = str(info.value)
    assert message in text
    assert "in.mlir:1:" in text


def test_hex_float_literals_are_bit_patterns() -> None:
    module = parse_module(
        '"ztensor.constant"() {value = dense<[0x7F800000, 0xFF800000, -0.0]> : tensor<3xf32>}'
        " : () -> tensor<3xf32>"
    )
    (op,) = _constants(module)
    value = constant_value(op)
    assert value[0] == np.inf and value[1] == -np.inf and np.signbit(value[2])
    again = parse_module(_text(module))
    assert constant_value(_constants(again)[0]).tobytes() == value.tobytes()


def test_interpreter_keeps_splats_splat() -> None:
    t = f"tensor<{HUGE}xf32>"
    module = parse_module(
        f"""
func.func @f() -> tensor<1024x{HUGE}xf32> {{
  %c = ztensor.constant dense<3.0> : {t}
  %z = ztensor.constant dense<-0.0> : tensor<1024x1xf32>
  %e = ztensor.exp %c : {t}
  %s = ztensor.mul %e, %z : ({t}, tensor<1024x1xf32>) -> tensor<1024x{HUGE}xf32>
  func.return %s : tensor<1024x{HUGE}xf32>
}}
"""
    )
    (result,) = zg.run_reference(module, "f", [])
    assert result.shape == (1024, HUGE) and result.strides == (0, 0)
    assert result[5, 7] == 0.0 and np.signbit(result[5, 7])
