"""`bufferize`: calling convention, in-place outputs, copies, deallocation, buffer reuse."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from xdsl.dialects import bufferization, func, memref
from xdsl.dialects.builtin import MemRefType, ModuleOp, TensorType, f32
from xdsl.parser import Parser
from xdsl.passes import PassPipeline

from ziggurat.dialects import ztile
from ziggurat.interpreter import run_function
from ziggurat.universe import all_passes, make_context

NDArray = np.ndarray[Any, Any]
RNG = np.random.default_rng(1)


def lowered(text: str, pipeline: str = "ztensor-to-ztile,bufferize") -> ModuleOp:
    module = Parser(make_context(), text).parse_module()
    PassPipeline.parse_spec(all_passes(), pipeline).apply(make_context(), module)
    module.verify()
    return module


def ops(module: ModuleOp, op_type: type) -> list[Any]:
    return [op for op in module.walk() if isinstance(op, op_type)]


def function(module: ModuleOp, name: str = "f") -> func.FuncOp:
    (fn,) = [op for op in ops(module, func.FuncOp) if op.sym_name.data == name]
    return fn


def test_signature_and_in_place_output() -> None:
    text = """
func.func @f(%x: tensor<3x17xf32>, %y: tensor<17xf32>) -> tensor<3x17xf32> {
  %a = ztensor.exp %x : tensor<3x17xf32>
  %r = ztensor.add %a, %y : (tensor<3x17xf32>, tensor<17xf32>) -> tensor<3x17xf32>
  func.return %r : tensor<3x17xf32>
}
"""
    module = lowered(text)
    fn = function(module)
    assert list(fn.function_type.inputs) == [
        MemRefType(f32, [3, 17]),
        MemRefType(f32, [17]),
        MemRefType(f32, [3, 17]),
    ]
    assert list(fn.function_type.outputs) == []
    assert not any(isinstance(a.type, TensorType) for a in fn.body.block.args)
    assert not ops(module, bufferization.ToTensorOp) and not ops(module, bufferization.ToBufferOp)
    # The kernel stores straight into the output argument.
    (store,) = ops(module, ztile.StoreOp)
    assert store.memref is fn.body.block.args[2]
    x = RNG.standard_normal((3, 17)).astype(np.float32)
    y = RNG.standard_normal(17).astype(np.float32)
    out = np.zeros((3, 17), np.float32)
    run_function(module, "f", x, y, out)
    np.testing.assert_allclose(out, np.exp(x) + y, rtol=1e-6)


def test_every_temporary_is_deallocated_after_its_last_use() -> None:
    text = """
func.func @f(%x: tensor<3x17xf32>, %w: tensor<17x17xf32>, %y: tensor<17xf32>) -> tensor<3x17xf32> {
  %a = ztensor.exp %x : tensor<3x17xf32>
  %s = ztensor.reduce_sum %a {axes = array<i64: 1>, keepdims = true} : tensor<3x17xf32> -> tensor<3x1xf32>
  %d = ztensor.div %a, %s : (tensor<3x17xf32>, tensor<3x1xf32>) -> tensor<3x17xf32>
  %m = ztensor.matmul %d, %w : (tensor<3x17xf32>, tensor<17x17xf32>) -> tensor<3x17xf32>
  func.return %m : tensor<3x17xf32>
}
"""
    module = lowered(text)
    fn = function(module)
    block = fn.body.block
    allocs = [op for op in block.ops if isinstance(op, memref.AllocOp)]
    deallocs = [op for op in block.ops if isinstance(op, memref.DeallocOp)]
    assert allocs and len(allocs) == len(deallocs)
    order = {op: i for i, op in enumerate(block.ops)}
    for alloc in allocs:
        (dealloc,) = [d for d in deallocs if d.memref is alloc.memref]
        users = []
        for use in alloc.memref.uses:
            user = use.operation
            if isinstance(user, memref.DeallocOp):
                continue
            while user.parent_block() is not block:
                parent = user.parent_op()
                assert parent is not None
                user = parent
            users.append(order[user])
        between = list(block.ops)[max(users) + 1 : order[dealloc]]
        assert order[dealloc] > max(users)
        assert all(isinstance(op, memref.DeallocOp) for op in between)
    x = RNG.standard_normal((3, 17))
    w = RNG.standard_normal((17, 17))
    y = RNG.standard_normal(17)
    module_text = text.replace("f32", "f64")
    module = lowered(module_text)
    out = np.zeros((3, 17))
    run_function(module, "f", x, w, y, out)
    e = np.exp(x)
    np.testing.assert_allclose(out, (e / e.sum(1, keepdims=True)) @ w, rtol=1e-12)


def test_returning_an_argument_and_the_same_value_twice_copies() -> None:
    text = """
func.func @f(%x: tensor<4x5xf64>, %z: tensor<f64>) -> (tensor<4x5xf64>, tensor<4x5xf64>, tensor<4x5xf64>, tensor<f64>) {
  %a = ztensor.neg %x : tensor<4x5xf64>
  func.return %x, %a, %a, %z : tensor<4x5xf64>, tensor<4x5xf64>, tensor<4x5xf64>, tensor<f64>
}
"""
    module = lowered(text)
    fn = function(module)
    assert len(fn.body.block.args) == 6
    assert not ops(module, memref.AllocOp)
    x = RNG.standard_normal((4, 5))
    z = np.asarray(2.5)
    outs = [np.full((4, 5), np.nan), np.full((4, 5), np.nan), np.full((4, 5), np.nan), np.zeros(())]
    run_function(module, "f", x, z, *outs)
    np.testing.assert_array_equal(outs[0], x)
    np.testing.assert_array_equal(outs[1], -x)
    np.testing.assert_array_equal(outs[2], -x)
    assert outs[3] == 2.5


def test_dead_temporaries_are_reused() -> None:
    """Three chained kernels with a shared operand: the third reuses the first's buffer."""
    text = """
func.func @f(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> tensor<4x8xf32> {
  %a = ztensor.matmul %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %b = ztensor.matmul %a, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %c = ztensor.matmul %b, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %d = ztensor.matmul %c, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  func.return %d : tensor<4x8xf32>
}
"""
    module = lowered(text)
    assert len(ops(module, memref.AllocOp)) == 2
    x = RNG.standard_normal((4, 8)).astype(np.float32)
    w = (RNG.standard_normal((8, 8)) / 3).astype(np.float32)
    out = np.zeros((4, 8), np.float32)
    run_function(module, "f", x, w, out)
    np.testing.assert_allclose(out, x @ w @ w @ w @ w, rtol=1e-5, atol=1e-5)


def test_functions_without_tensors_are_left_alone() -> None:
    text = """
func.func @g(%m: memref<4xf32>) {
  func.return
}
"""
    module = lowered(text, "bufferize")
    assert list(function(module, "g").function_type.inputs) == [MemRefType(f32, [4])]


def test_unsupported_tensor_producer_is_reported() -> None:
    text = """
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  func.return %e : tensor<4xf32>
}
"""
    with pytest.raises(ValueError, match="bufferize: function @f"):
        lowered(text, "bufferize")
