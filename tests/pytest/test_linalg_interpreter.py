"""The reference interpreter on linalg on tensors (ziggurat.linalg_semantics): the torch-mlir
fixtures against numpy re-implementations of their models on random inputs, and the pieces
they are made of (multi-result generics with `linalg.index`, accumulators, fills, reshapes,
`dense_resource` constants)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest
from numpy_models import CASES, linear_relu
from xdsl.dialects import arith
from xdsl.dialects.builtin import DenseResourceAttr, TensorType

import ziggurat as zg
from ziggurat.dialects.resources import resource_array
from ziggurat.interpreter import run_function
from ziggurat.parsing import parse_file, parse_module

FIXTURES = Path(__file__).resolve().parents[1] / "interop" / "fixtures"
NDArray = np.ndarray[Any, Any]


def _randn(rng: np.random.Generator, *shape: int) -> NDArray:
    return rng.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_matches_numpy(name: str) -> None:
    reference, shapes = CASES[name]
    module = parse_file(str(FIXTURES / f"{name}.mlir"))
    for seed in range(2):
        rng = np.random.default_rng(seed)
        args = [_randn(rng, *s) for s in shapes]
        (result,) = run_function(module, "main", *args)
        assert result.dtype == np.float32
        np.testing.assert_allclose(result, reference(*args), rtol=2e-5, atol=2e-5)


def test_frozen_weights_from_dense_resource() -> None:
    """The blobs hold torch's parameters (randn with seed 0, w scaled by 1/2)."""
    module = parse_file(str(FIXTURES / "linear_relu_frozen.mlir"))
    weights = {
        tuple(cast(TensorType[Any], op.result.type).get_shape()): resource_array(op.value)
        for op in module.walk()
        if isinstance(op, arith.ConstantOp) and isinstance(op.value, DenseResourceAttr)
    }
    w, b = weights[(4, 8)], weights[(8,)]
    assert w.dtype == b.dtype == np.float32
    x = _randn(np.random.default_rng(3), 2, 4)
    (result,) = run_function(module, "main", x)
    np.testing.assert_allclose(result, linear_relu(x, w, b), rtol=1e-6, atol=1e-6)
    # run_reference (zg.run_reference) reads the same text the same way, parsed afresh.
    (again,) = zg.run_reference((FIXTURES / "linear_relu_frozen.mlir").read_text(), "main", [x])
    np.testing.assert_array_equal(again, result)


MAX_ARGMAX = """
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d0)>
func.func @main(%x: tensor<3x5xf32>) -> (tensor<3xf32>, tensor<3xi64>) {
  %zero = arith.constant 0 : i64
  %ninf = arith.constant 0xFF800000 : f32
  %e0 = tensor.empty() : tensor<3xi64>
  %i0 = linalg.fill ins(%zero : i64) outs(%e0 : tensor<3xi64>) -> tensor<3xi64>
  %e1 = tensor.empty() : tensor<3xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e1 : tensor<3xf32>) -> tensor<3xf32>
  %r:2 = linalg.generic {indexing_maps = [#map, #map1, #map1], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<3x5xf32>) outs(%m0, %i0 : tensor<3xf32>, tensor<3xi64>) {
  ^bb0(%in: f32, %out: f32, %out_1: i64):
    %j = linalg.index 1 : index
    %j64 = arith.index_cast %j : index to i64
    %max = arith.maximumf %in, %out : f32
    %gt = arith.cmpf ogt, %in, %out : f32
    %arg = arith.select %gt, %j64, %out_1 : i64
    linalg.yield %max, %arg : f32, i64
  } -> (tensor<3xf32>, tensor<3xi64>)
  return %r#0, %r#1 : tensor<3xf32>, tensor<3xi64>
}
"""


def test_two_result_generic_computes_max_and_first_argmax() -> None:
    x = np.array([[1, 5, 2, 5, 0], [-3, -2, -1, -4, -1], [0, 0, 0, 0, 0]], dtype=np.float32)
    m, i = run_function(parse_module(MAX_ARGMAX), "main", x)
    np.testing.assert_array_equal(m, x.max(axis=1))
    assert i.dtype == np.int64
    np.testing.assert_array_equal(i, [1, 2, 0])  # the first maximum, as torch.argmax


OTHERS = """
func.func @main(%x: tensor<2x3x4xf32>, %acc: tensor<3x2xf32>) -> (tensor<6x4xf32>, tensor<3x2xf32>, tensor<f32>, tensor<2x3x4xf32>) {
  %c = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
  // out[j, i] = acc[j, i] + sum_k x[i, j, k] * (k + 1): an accumulator that is not zero,
  // transposed output map, linalg.index in an elementwise factor.
  %s = linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, j, k)>, affine_map<(i, j, k) -> (j, i)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<2x3x4xf32>) outs(%acc : tensor<3x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %k = linalg.index 2 : index
    %k64 = arith.index_cast %k : index to i64
    %kf = arith.sitofp %k64 : i64 to f32
    %one = arith.constant 1.0 : f32
    %w = arith.addf %kf, %one : f32
    %p = arith.mulf %in, %w : f32
    %r = arith.addf %p, %out : f32
    linalg.yield %r : f32
  } -> tensor<3x2xf32>
  // A full reduction to a rank-0 tensor, from a fill that is not zero.
  %e = tensor.empty() : tensor<f32>
  %seven = arith.constant 7.0 : f32
  %f = linalg.fill ins(%seven : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %t = linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, j, k)>, affine_map<(i, j, k) -> ()>], iterator_types = ["reduction", "reduction", "reduction"]} ins(%x : tensor<2x3x4xf32>) outs(%f : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %out : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  // A broadcast through a map with a constant and a reversed dim.
  %e2 = tensor.empty() : tensor<2x3x4xf32>
  %b = linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (1 - i, 0, 3 - k)>, affine_map<(i, j, k) -> (i, j, k)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<2x3x4xf32>) outs(%e2 : tensor<2x3x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x3x4xf32>
  return %c, %s, %t, %b : tensor<6x4xf32>, tensor<3x2xf32>, tensor<f32>, tensor<2x3x4xf32>
}
"""


def test_generic_maps_accumulators_fills_and_reshapes() -> None:
    rng = np.random.default_rng(5)
    x, acc = _randn(rng, 2, 3, 4), _randn(rng, 3, 2)
    c, s, t, b = run_function(parse_module(OTHERS), "main", x, acc)
    np.testing.assert_array_equal(c, x.reshape(6, 4))
    expected = acc + np.einsum("ijk,k->ji", x, np.arange(1, 5, dtype=np.float32))
    np.testing.assert_allclose(s, expected, rtol=1e-6, atol=1e-6)
    assert t.shape == () and t.dtype == np.float32
    np.testing.assert_allclose(t, 7.0 + x.sum(), rtol=1e-5)
    np.testing.assert_array_equal(b, np.broadcast_to(x[::-1, :1, ::-1], (2, 3, 4)))


def test_matmul_accumulates_into_its_output() -> None:
    text = """
func.func @main(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %c: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<3x4xf32>, tensor<4x5xf32>) outs(%c : tensor<3x5xf32>) -> tensor<3x5xf32>
  return %r : tensor<3x5xf32>
}
"""
    rng = np.random.default_rng(6)
    a, b, c = _randn(rng, 3, 4), _randn(rng, 4, 5), _randn(rng, 3, 5)
    (r,) = run_function(parse_module(text), "main", a, b, c)
    np.testing.assert_allclose(r, c + a @ b, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(c, run_function(parse_module(text), "main", a, 0 * b, c)[0])
