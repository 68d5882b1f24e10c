"""The index builder the three lowerings share (`ziggurat.lowering.index_builder`)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from xdsl.dialects import arith
from xdsl.dialects.builtin import IndexType, i64
from xdsl.ir import Block, Operation

from ziggurat.lowering.index_builder import ARITH_INDEX, LLVM_I64, IndexBuilder, IndexOps


def _builder(ops: IndexOps = ARITH_INDEX, reuse: bool = True) -> tuple[IndexBuilder, Block]:
    block = Block(arg_types=[IndexType() if ops is ARITH_INDEX else i64] * 2)
    return IndexBuilder(ops, block.add_op, reuse=reuse), block


def _names(block: Block) -> list[str]:
    return [op.name for op in block.ops]


def test_known_values_fold_and_identities_emit_nothing() -> None:
    b, block = _builder()
    x, _ = block.args
    assert b.value_of(b.addi(3, 4)) == 7
    assert b.value_of(b.subi(3, 4)) == -1
    assert b.value_of(b.muli(b.index(6), 7)) == 42
    assert b.value_of(b.divi(b.index(17), 5)) == 3
    assert b.value_of(b.remi(17, 5)) == 2
    zero = b.index(0)
    before = len(block.ops)
    assert b.addi(x, 0) is x and b.addi(0, x) is x and b.subi(x, 0) is x
    assert b.muli(x, 1) is x and b.muli(1, x) is x and b.divi(x, 1) is x
    assert b.muli(x, 0) is zero and b.remi(x, 1) is zero
    assert len(block.ops) == before


def test_unknown_operands_build_the_ops_of_the_level() -> None:
    b, block = _builder()
    x, y = block.args
    b.addi(x, y)
    b.subi(x, 2)
    b.muli(x, 3)
    b.divi(x, 4)
    b.remi(y, 5)
    b.min(x, y)
    ops = [op for op in block.ops if not isinstance(op, arith.ConstantOp)]
    assert [type(op) for op in ops] == [
        arith.AddiOp,
        arith.SubiOp,
        arith.MuliOp,
        arith.DivSIOp,
        arith.RemSIOp,
        arith.CmpiOp,
        arith.SelectOp,
    ]
    lb, lblock = _builder(LLVM_I64, reuse=False)
    lx, ly = lblock.args
    lb.addi(lx, ly)
    lb.muli(lx, 3)
    lb.max(lx, ly)
    assert _names(lblock) == [
        "llvm.add",
        "llvm.mlir.constant",
        "llvm.mul",
        "llvm.icmp",
        "llvm.select",
    ]


def test_constants_are_reused_only_when_asked() -> None:
    b, block = _builder()
    assert b.index(5) is b.index(5)
    assert _names(block) == ["arith.constant"]
    prologue: list[Operation] = []
    cblock = Block(arg_types=[IndexType()])
    c = IndexBuilder(ARITH_INDEX, cblock.add_op, constants_at=prologue.append)
    c.addi(cblock.args[0], 1)
    assert [op.name for op in prologue] == ["arith.constant"]
    assert _names(cblock) == ["arith.addi"]
    n, _ = _builder(LLVM_I64, reuse=False)
    assert n.index(5) is not n.index(5)
    assert n.value_of(n.addi(n.index(2), n.index(3))) == 5
    child = IndexBuilder(ARITH_INDEX, Block().add_op, parent=b)
    assert child.index(5) is b.index(5)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 7), min_size=1, max_size=4), st.data())
def test_linear_and_delinear_of_known_indices_match_numpy(
    shape: list[int], data: st.DataObject
) -> None:
    b, _ = _builder()
    idx = [data.draw(st.integers(0, d - 1)) for d in shape]
    lin = b.linear([b.index(i) for i in idx], shape)
    assert b.value_of(lin) == np.ravel_multi_index(idx, shape)
    assert [b.value_of(v) for v in b.delinear(lin, shape)] == idx


def test_nonnegative_tests_the_smallest_value() -> None:
    b, block = _builder()
    x, y = block.args
    b.nonnegative([x, y, 3])
    ops = [op for op in block.ops if not isinstance(op, arith.ConstantOp)]
    assert [op.name for op in ops] == [
        "arith.cmpi",
        "arith.select",
        "arith.cmpi",
        "arith.select",
        "arith.cmpi",
    ]
    last = ops[-1]
    assert isinstance(last, arith.CmpiOp) and last.predicate.value.data == 5  # sge
