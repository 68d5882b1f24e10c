"""linalg-to-ztensor end to end: the torch-mlir fixtures compile with the default pipeline
(`zg.compile`, `ziggurat-run --check`) and match the reference interpreter and numpy models of
the PyTorch modules on random inputs; what the pass raises them to; and bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy_models import CASES, linear_relu
from xdsl.dialects import func
from xdsl.dialects.builtin import Float64Type, TensorType, i1

import ziggurat as zg
from ziggurat.diagnostics import DiagnosticError
from ziggurat.interpreter import run_function
from ziggurat.parsing import parse_file, parse_module
from ziggurat.passes.linalg_to_ztensor import LinalgToZTensorPass
from ziggurat.universe import make_context

FIXTURES = Path(__file__).resolve().parents[1] / "interop" / "fixtures"


def _raised(name: str) -> str:
    module = parse_file(str(FIXTURES / f"{name}.mlir"))
    LinalgToZTensorPass().apply(make_context(), module)
    return str(module)


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_compiles_and_matches(name: str) -> None:
    reference, shapes = CASES[name]
    text = (FIXTURES / f"{name}.mlir").read_text()
    exe = zg.compile(text)
    rng = np.random.default_rng(11)
    args = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    result = exe(*args)
    np.testing.assert_allclose(result, reference(*args), rtol=1e-4, atol=1e-4)
    (interpreted,) = zg.run_reference(text, "main", args)
    np.testing.assert_allclose(result, interpreted, rtol=1e-5, atol=1e-5)


def test_frozen_fixture_compiles_with_its_blobs() -> None:
    path = FIXTURES / "linear_relu_frozen.mlir"
    module = parse_file(str(path))
    exe = zg.compile(path.read_text())
    x = np.random.default_rng(12).standard_normal((2, 4)).astype(np.float32)
    (expected,) = run_function(module, "main", x)
    np.testing.assert_allclose(exe(x), expected, rtol=1e-6, atol=1e-6)
    assert not np.allclose(expected, linear_relu(x, np.zeros((4, 8)), np.zeros(8)))


@pytest.mark.parametrize("name", ["mlp_gelu_frozen", "layernorm_frozen"])
def test_frozen_mlp_and_layernorm_compile_with_their_blobs(name: str) -> None:
    """`nn.Linear` and `nn.LayerNorm` parameters frozen into `dense_resource` blobs: raised
    to constants (no weight arguments) and compiled; equal to the interpreter, which reads
    the blobs itself (IREE checks the same files in test_iree_oracle.py)."""
    path = FIXTURES / f"{name}.mlir"
    module = parse_file(str(path))
    raised = parse_file(str(path))
    LinalgToZTensorPass().apply(make_context(), raised)
    assert "ztensor.constant dense<" in str(raised) and "linalg." not in str(raised)
    x = np.random.default_rng(12).standard_normal((8, 32)).astype(np.float32)
    (expected,) = run_function(module, "main", x)
    np.testing.assert_allclose(zg.compile(path.read_text())(x), expected, rtol=1e-5, atol=1e-5)


def test_raised_forms_are_ztensor_idioms() -> None:
    """Only ztensor (and leftover scalar constants): relu for torch's cmpf ugt + select, erf
    for exact GELU, matmul for linalg.matmul into a zero fill, reductions for generics."""
    for name in CASES:
        text = _raised(name)
        assert "linalg." not in text and "tensor.empty" not in text, text
    relu = _raised("linear_relu")
    assert "ztensor.relu" in relu and "ztensor.select" not in relu
    assert "ztensor.matmul" in relu
    mlp = _raised("mlp_gelu")
    assert mlp.count("ztensor.transpose") == 2 and "ztensor.erf" in mlp
    softmax = _raised("softmax")
    assert "ztensor.reduce_max" in softmax and "ztensor.reduce_sum" in softmax
    assert "xi64>" not in softmax  # the unused argmax is gone
    layernorm = _raised("layernorm")
    assert "tensor<8x32xf64>" in layernorm and "ztensor.rsqrt" in layernorm


def test_ziggurat_run_check_accepts_the_fixtures() -> None:
    """Every fixture (weights as arguments, and frozen into `dense_resource` blobs) runs
    through `ziggurat-run --check` and matches the reference interpreter."""
    run = Path(sys.executable).with_name("ziggurat-run")
    for name in sorted(p.stem for p in FIXTURES.glob("*.mlir")):
        proc = subprocess.run(
            [str(run), str(FIXTURES / f"{name}.mlir"), "--check"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        assert "check: OK" in proc.stdout


def test_unraisable_op_is_left_with_a_located_remark_and_compiled_as_loops(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = """
func.func @main(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %r = linalg.add ins(%x, %y : tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}
"""
    module = parse_module(text, "add.mlir")
    LinalgToZTensorPass().apply(make_context(), module)
    assert capsys.readouterr().err.startswith(
        "add.mlir:4:8: remark: 'linalg.add' op is not raised by linalg-to-ztensor, left for "
        "linalg-to-zloop: 'linalg.add' has no ztensor form"
    )
    assert "linalg.add" in str(module)  # left for the fallback
    x, y = np.arange(4, dtype=np.float32), np.ones(4, np.float32)
    np.testing.assert_array_equal(zg.compile(parse_module(text, "add.mlir"))(x, y), x + y)


def test_what_the_fallback_cannot_compile_is_a_located_error() -> None:
    text = """
func.func @main(%x: memref<4xf32>, %y: memref<4xf32>) {
  linalg.add ins(%x, %x : memref<4xf32>, memref<4xf32>) outs(%y : memref<4xf32>)
  return
}
"""
    with pytest.raises(zg.DiagnosticError) as info:
        zg.compile(parse_module(text, "add.mlir"))
    message = str(info.value)
    assert message.startswith(
        "add.mlir:3:3: error: 'linalg.add' op is not supported by cpu-pipeline: it works on memrefs"
    )
    assert "internal" not in message


SMALL_PROGRAMS = {
    "full_reduction": """func.func @full_reduce(%x: tensor<4x8xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%z : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %out : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  return %s : tensor<f32>
}""",
    "transposed_output": """func.func @transposed_out(%x: tensor<4x2xf32>) -> tensor<2x4xf32> {
  %e = tensor.empty() : tensor<2x4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1, d0)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x2xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%a: f32, %out: f32):
    linalg.yield %a : f32
  } -> tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}""",
    "boolean_result": """func.func @bool_out(%x: tensor<4xf32>) -> tensor<4xi1> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xi1>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%e : tensor<4xi1>) {
  ^bb0(%a: f32, %out: i1):
    %n = arith.cmpf olt, %a, %zero : f32
    linalg.yield %n : i1
  } -> tensor<4xi1>
  return %r : tensor<4xi1>
}""",
    "boolean_operand_and_two_results": """func.func @bools(%x: tensor<4x2xf32>, %m: tensor<2xi1>) -> (tensor<4x2xf32>, tensor<4x2xi1>) {
  %t = arith.constant true
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x2xf32>
  %eb = tensor.empty() : tensor<4x2xi1>
  %r:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %m : tensor<4x2xf32>, tensor<2xi1>) outs(%e, %eb : tensor<4x2xf32>, tensor<4x2xi1>) {
  ^bb0(%a: f32, %b: i1, %out: f32, %ob: i1):
    %s = arith.select %b, %a, %zero : f32
    %n = arith.cmpf olt, %a, %zero : f32
    %w = arith.select %t, %n, %n : i1
    linalg.yield %s, %n : f32, i1
  } -> (tensor<4x2xf32>, tensor<4x2xi1>)
  return %r#0, %r#1 : tensor<4x2xf32>, tensor<4x2xi1>
}""",
    "f64_select_and_extf": """func.func @f64mix(%x: tensor<4xf64>, %y: tensor<4xf32>) -> tensor<4xf64> {
  %e = tensor.empty() : tensor<4xf64>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x, %y : tensor<4xf64>, tensor<4xf32>) outs(%e : tensor<4xf64>) {
  ^bb0(%a: f64, %b: f32, %out: f64):
    %m = arith.addf %a, %a : f64
    %n = arith.cmpf olt, %a, %m : f64
    %k = arith.extf %b : f32 to f64
    %s = arith.select %n, %k, %m : f64
    linalg.yield %s : f64
  } -> tensor<4xf64>
  return %r : tensor<4xf64>
}""",
    "rank0_operand": """func.func @scalar_in(%x: tensor<4xf32>, %s: tensor<f32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x, %s : tensor<4xf32>, tensor<f32>) outs(%e : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}""",
    "yield_of_a_constant": """func.func @yield_const(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %c = arith.constant 3.0 : f32
  %e = tensor.empty() : tensor<4x2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x2xf32>) outs(%e : tensor<4x2xf32>) {
  ^bb0(%a: f32, %out: f32):
    linalg.yield %c : f32
  } -> tensor<4x2xf32>
  return %r : tensor<4x2xf32>
}""",
    "named_broadcast_and_reduce": """func.func @named(%x: tensor<3x5xf32>, %b: tensor<4xf32>) -> (tensor<3x5xf32>, tensor<4x5xf32>) {
  %e = tensor.empty() : tensor<3x4x5xf32>
  %bx = linalg.broadcast ins(%x : tensor<3x5xf32>) outs(%e : tensor<3x4x5xf32>) dimensions = [1]
  %zero = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<3x5xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e2 : tensor<3x5xf32>) -> tensor<3x5xf32>
  %s = linalg.reduce ins(%bx : tensor<3x4x5xf32>) outs(%z : tensor<3x5xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %p = arith.addf %in, %acc : f32
      linalg.yield %p : f32
    }
  %e3 = tensor.empty() : tensor<4x5xf32>
  %bb = linalg.broadcast ins(%b : tensor<4xf32>) outs(%e3 : tensor<4x5xf32>) dimensions = [1]
  %e4 = tensor.empty() : tensor<3x4x5xf32>
  %bbb = linalg.broadcast ins(%bb : tensor<4x5xf32>) outs(%e4 : tensor<3x4x5xf32>) dimensions = [0]
  %ninf = arith.constant 0xFF800000 : f32
  %ones = arith.constant 1.0 : f32
  %e5 = tensor.empty() : tensor<4x5xf32>
  %init = linalg.fill ins(%ones : f32) outs(%e5 : tensor<4x5xf32>) -> tensor<4x5xf32>
  %m = linalg.reduce ins(%bbb : tensor<3x4x5xf32>) outs(%init : tensor<4x5xf32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %q = arith.maximumf %acc, %in : f32
      linalg.yield %q : f32
    }
  return %s, %m : tensor<3x5xf32>, tensor<4x5xf32>
}""",
}
"""Hand-written generics and named ops beyond the fixtures: each compiles and matches the
interpreter."""


@pytest.mark.parametrize("name", sorted(SMALL_PROGRAMS))
def test_small_generic_compiles_and_matches_the_interpreter(name: str) -> None:
    text = SMALL_PROGRAMS[name]
    module = parse_module(text)
    (entry,) = [op for op in module.ops if isinstance(op, func.FuncOp)]
    rng = np.random.default_rng(13)
    args: list[np.ndarray[Any, Any]] = []
    for ty in entry.function_type.inputs.data:
        assert isinstance(ty, TensorType)
        shape = tuple(ty.get_shape())
        if ty.element_type == i1:
            args.append(rng.random(shape) < 0.5)
        else:
            dtype = np.float64 if isinstance(ty.element_type, Float64Type) else np.float32
            args.append(rng.standard_normal(shape).astype(dtype))
    expected = run_function(module, entry.sym_name.data, *args)
    got = zg.compile(text)(*args)
    got = got if isinstance(got, tuple) else (got,)
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.dtype == e.dtype and g.shape == e.shape
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5)


def test_named_broadcast_and_reduce_are_raised() -> None:
    """`linalg.broadcast` becomes reshape + broadcast_to and `linalg.reduce` a ztensor
    reduction (its init folded in unless it is the identity); a product reduction is left
    for the loop fallback, with a remark that says why."""
    raised = parse_module(SMALL_PROGRAMS["named_broadcast_and_reduce"])
    LinalgToZTensorPass(remarks=False).apply(make_context(), raised)
    text = str(raised)
    assert "linalg." not in text
    assert text.count("ztensor.broadcast_to") == 3
    assert "ztensor.reduce_sum" in text and "ztensor.reduce_max" in text
    assert text.count("ztensor.maximum ") == 1  # the init of ones, folded in
    product = SMALL_PROGRAMS["named_broadcast_and_reduce"].replace(
        "%p = arith.addf %in, %acc", "%p = arith.mulf %in, %acc"
    )
    module = parse_module(product)
    with pytest.raises(DiagnosticError, match=r"a linalg\.reduce body must yield arith\.addf"):
        LinalgToZTensorPass(fallback=False).apply(make_context(), module)


MATVEC = """func.func @main(%a: tensor<6x5xf32>, %x: tensor<5xf32>, %y: tensor<6xf32>) -> tensor<6xf32> {
  %0 = linalg.matvec ins(%a, %x : tensor<6x5xf32>, tensor<5xf32>) outs(%y : tensor<6xf32>) -> tensor<6xf32>
  func.return %0 : tensor<6xf32>
}
"""


def test_matvec_and_batch_matmul_parse_raise_and_compile() -> None:
    """MLIR's `linalg.matvec` and `linalg.batch_matmul`, which xDSL 0.74 lacks
    (`ziggurat.dialects.linalg_named`): raised to `ztensor.matmul`, init added."""
    raised = parse_module(MATVEC)
    LinalgToZTensorPass().apply(make_context(), raised)
    assert "ztensor.matmul" in str(raised) and "linalg." not in str(raised)
    rng = np.random.default_rng(13)
    a, x, y = (rng.standard_normal(s).astype(np.float32) for s in [(6, 5), (5,), (6,)])
    expected = a.astype(np.float64) @ x + y
    np.testing.assert_allclose(zg.compile(MATVEC)(a, x, y), expected, rtol=1e-5, atol=1e-5)
    (interpreted,) = zg.run_reference(MATVEC, "main", [a, x, y])
    np.testing.assert_allclose(interpreted, expected, rtol=1e-5, atol=1e-5)
    assert "ztensor.matmul" in _raised("bmm_attention")


def test_named_contraction_verifier_is_located() -> None:
    bad = MATVEC.replace("tensor<5xf32>)", "tensor<4xf32>)").replace(
        "%x: tensor<5xf32>", "%x: tensor<4xf32>"
    )
    with pytest.raises(
        zg.DiagnosticError,
        match=r"<string>:2:8: error: 'linalg.matvec' op rhs dimension of size 4 does not match size 5",
    ):
        parse_module(bad)
