"""The zloop dialect: Python construction API, verifiers and interpreter semantics vs numpy."""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.dialects import arith, func, memref
from xdsl.dialects.builtin import FloatAttr, IndexType, IntegerAttr, MemRefType, ModuleOp, f32
from xdsl.ir import Block, Region
from xdsl.ir.affine import AffineExpr, AffineMap
from xdsl.parser import Parser
from xdsl.utils.exceptions import VerifyException

from ziggurat.dialects import zloop
from ziggurat.interpreter import run_function
from ziggurat.universe import make_context


def _sum_module(n: int, step: int) -> ModuleOp:
    """@f(%m: memref<n x f32>, %out: memref<1xf32>): out[0] = sum of m[lb:ub:step] built in Python."""
    mt = MemRefType(f32, [n])
    ot = MemRefType(f32, [1])
    block = Block(arg_types=[mt, ot])
    m, out = block.args
    zero = arith.ConstantOp(FloatAttr(0.0, f32))
    loop = zloop.ForOp.from_constants(1, n, step, [zero.result])
    body = loop.body.block
    load = memref.LoadOp.get(m, [loop.induction_var])
    add = arith.AddfOp(loop.region_iter_args[0], load.res)
    body.add_ops([load, add, zloop.YieldOp(add.result)])
    c0 = arith.ConstantOp(IntegerAttr(0, IndexType()))
    store = memref.StoreOp.get(loop.res[0], out, [c0.result])
    block.add_ops([zero, loop, c0, store, func.ReturnOp()])
    fn = func.FuncOp("f", ((mt, ot), ()), Region(block))
    module = ModuleOp([fn])
    module.verify()
    return module


@pytest.mark.parametrize(("n", "step"), [(10, 1), (37, 4), (5, 16)])
def test_for_from_python_matches_numpy(n: int, step: int) -> None:
    module = _sum_module(n, step)
    m = np.random.default_rng(0).standard_normal(n).astype(np.float32)
    out = np.zeros(1, np.float32)
    run_function(module, "f", m, out)
    np.testing.assert_allclose(out[0], m[1:n:step].sum(dtype=np.float32), rtol=1e-6)
    text = str(module)
    assert "zloop.for %" in text and "iter_args(" in text
    reparsed = Parser(make_context(), text).parse_module()
    reparsed.verify()
    assert str(reparsed) == text


def test_min_max_bounds_and_parallel() -> None:
    text = """
func.func @f(%a: memref<10x20xf32>, %out: memref<10x20xf32>, %n: index) {
  zloop.parallel (%i, %j) = (max affine_map<()[s0] -> (1, s0 - 8)>()[%n], 0) to (10, min affine_map<(d0)[s0] -> (d0 + 3, s0 * 2)>(%n)[%n]) step (2, 1) {
    %x = memref.load %a[%i, %j] : memref<10x20xf32>
    %e = math.exp %x : f32
    memref.store %e, %out[%i, %j] : memref<10x20xf32>
  }
  func.return
}
"""
    module = Parser(make_context(), text).parse_module()
    module.verify()
    a = np.random.default_rng(1).standard_normal((10, 20)).astype(np.float32)
    out = np.zeros_like(a)
    n = 11
    run_function(module, "f", a, out, n)
    expected = np.zeros_like(a)
    for i in range(max(1, n - 8), 10, 2):
        for j in range(0, min(n + 3, 2 * n)):
            expected[i, j] = np.exp(a[i, j])
    np.testing.assert_array_equal(out, expected)


def test_parallel_from_python_and_verifier_errors() -> None:
    par = zloop.ParallelOp.from_constants([0, 0], [4, 8], [1, 2])
    par.body.block.add_op(zloop.YieldOp())
    par.verify()
    assert len(par.induction_vars) == 2 and par.step_values == (1, 2)
    bad = zloop.ParallelOp.from_constants([0], [4], [0])
    bad.body.block.add_op(zloop.YieldOp())
    with pytest.raises(VerifyException, match=r"'zloop.parallel' op expects positive steps"):
        bad.verify()
    sym = AffineMap(0, 1, (AffineExpr.symbol(0),))
    loop = zloop.ForOp([], 0, [], sym, 1)
    loop.body.block.add_op(zloop.YieldOp())
    with pytest.raises(
        VerifyException, match="upper bound map takes 0 dims \\+ 1 symbols but has 0 operands"
    ):
        loop.verify()


def test_vector_ops_in_interpreter() -> None:
    text = """
func.func @f(%a: memref<21xf64>, %out: memref<21xf64>, %s: memref<1xf64>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c5 = arith.constant 5 : index
  %zero = arith.constant dense<0.0> : vector<8xf64>
  %half = arith.constant 0.5 : f64
  %hv = vector.broadcast %half : f64 to vector<8xf64>
  %acc = zloop.for %i = 0 to 16 step 8 iter_args(%v = %zero) -> (vector<8xf64>) {
    %x = vector.load %a[%i] : memref<21xf64>, vector<8xf64>
    %y = vector.fma %x, %hv, %hv : vector<8xf64>
    %t = math.tanh %y : vector<8xf64>
    vector.store %t, %out[%i] : memref<21xf64>, vector<8xf64>
    %m = arith.maximumf %v, %t : vector<8xf64>
    zloop.yield %m : vector<8xf64>
  }
  %mask = vector.create_mask %c5 : vector<8xi1>
  %x = vector.maskedload %a[%c16], %mask, %zero : memref<21xf64>, vector<8xi1>, vector<8xf64> into vector<8xf64>
  %y = vector.fma %x, %hv, %hv : vector<8xf64>
  %t = math.tanh %y : vector<8xf64>
  vector.maskedstore %out[%c16], %mask, %t : memref<21xf64>, vector<8xi1>, vector<8xf64>
  %r = vector.reduction <maximumf>, %acc : vector<8xf64> into f64
  %e = vector.extract %t[0] : f64 from vector<8xf64>
  %sum = arith.addf %r, %e : f64
  memref.store %sum, %s[%c0] : memref<1xf64>
  func.return
}
"""
    module = Parser(make_context(), text).parse_module()
    module.verify()
    a = np.random.default_rng(2).standard_normal(21)
    out = np.zeros(21)
    s = np.zeros(1)
    run_function(module, "f", a, out, s)
    t = np.tanh(a * 0.5 + 0.5)
    np.testing.assert_allclose(out, t)
    np.testing.assert_allclose(s[0], max(0.0, t[:16].max()) + t[16])
