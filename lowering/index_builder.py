"""Index arithmetic that folds what is known at compile time: one builder for the lowerings.

`ztensor-to-ztile` (offsets of tiles, batch indices), `ztile-to-zloop` (element offsets,
bounds tests) and `convert-to-llvm` (addresses of memref elements) all build integer index
arithmetic. `IndexBuilder` is that arithmetic, once: it keeps the compile-time value of every
constant it made, folds sums, differences, products, quotients and remainders of known
values and the identities `x + 0`, `x - 0`, `x * 1`, `x * 0`, `x / 1`, `x % 1`, and reuses
each constant it made (where constants go, and whether they may be reused, is the client's:
`constants_at`).

The ops come from an `IndexOps`: `ARITH_INDEX` builds `arith` ops on `index` values,
`LLVM_I64` builds `llvm` ops on `i64` values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from xdsl.dialects import arith, llvm
from xdsl.dialects.builtin import IndexType, IntegerAttr, i64
from xdsl.ir import Operation, SSAValue

Index = int | SSAValue
"""An index operand: a compile-time integer or a value."""


@dataclass(frozen=True)
class IndexOps:
    """The ops index arithmetic is built from at one level of the tower."""

    constant: Callable[[int], Operation]
    add: Callable[[SSAValue, SSAValue], Operation]
    sub: Callable[[SSAValue, SSAValue], Operation]
    mul: Callable[[SSAValue, SSAValue], Operation]
    div: Callable[[SSAValue, SSAValue], Operation]
    """Signed division rounding toward zero (indices divided here are non-negative)."""
    rem: Callable[[SSAValue, SSAValue], Operation]
    """Signed remainder (of non-negative indices)."""
    cmp: Callable[[str, SSAValue, SSAValue], Operation]
    """An i1 comparison with an `arith.cmpi` predicate name (`slt`, `sge`, ...)."""
    select: Callable[[SSAValue, SSAValue, SSAValue], Operation]


def _llvm_cmp(predicate: str, a: SSAValue, b: SSAValue) -> Operation:
    flag = llvm.ICmpPredicateFlag(predicate)
    return llvm.ICmpOp(a, b, IntegerAttr(flag.to_int(), i64))


ARITH_INDEX = IndexOps(
    constant=lambda n: arith.ConstantOp(IntegerAttr(n, IndexType())),
    add=arith.AddiOp,
    sub=arith.SubiOp,
    mul=arith.MuliOp,
    div=arith.DivSIOp,
    rem=arith.RemSIOp,
    cmp=lambda p, a, b: arith.CmpiOp(a, b, p),
    select=arith.SelectOp,
)
"""`arith` ops on `index` values (ztensor-to-ztile, ztile-to-zloop)."""

LLVM_I64 = IndexOps(
    constant=lambda n: llvm.ConstantOp(IntegerAttr(n, i64), i64),
    add=llvm.AddOp,
    sub=llvm.SubOp,
    mul=llvm.MulOp,
    div=llvm.SDivOp,
    rem=llvm.SRemOp,
    cmp=_llvm_cmp,
    select=llvm.SelectOp,
)
"""`llvm` ops on `i64` values (convert-to-llvm)."""


class IndexBuilder:
    """Builds index arithmetic with `ops`, inserting each op with `emit`.

    Constants go where `constants_at` puts them (by default with `emit`, at the current
    insertion point). With `reuse=True` a constant is made once per value and reused: the
    client puts constants where they dominate every later use (a prologue, or an insertion
    point whose block encloses every later one). `parent` shares the constants and known
    values made so far (a builder for a nested block)."""

    def __init__(
        self,
        ops: IndexOps,
        emit: Callable[[Operation], object],
        constants_at: Callable[[Operation], object] | None = None,
        reuse: bool = True,
        parent: IndexBuilder | None = None,
    ) -> None:
        self.index_ops = ops
        self._insert = emit
        self._constants_at = constants_at or emit
        self._reuse = reuse
        self.known: dict[SSAValue, int] = dict(parent.known) if parent else {}
        self._constants: dict[int, SSAValue] = dict(parent._constants) if parent else {}

    def _value(self, op: Operation) -> SSAValue:
        self._insert(op)
        return op.results[0]

    def index(self, n: int) -> SSAValue:
        """The index constant `n`."""
        if self._reuse and n in self._constants:
            return self._constants[n]
        op = self.index_ops.constant(n)
        self._constants_at(op)
        value = op.results[0]
        self.known[value] = n
        if self._reuse:
            self._constants[n] = value
        return value

    def value_of(self, v: Index) -> int | None:
        """The compile-time value of `v`, else None."""
        return v if isinstance(v, int) else self.known.get(v)

    def operand(self, v: Index) -> SSAValue:
        return self.index(v) if isinstance(v, int) else v

    def addi(self, a: Index, b: Index) -> SSAValue:
        ka, kb = self.value_of(a), self.value_of(b)
        if ka is not None and kb is not None:
            return self.index(ka + kb)
        if kb == 0:
            return self.operand(a)
        if ka == 0:
            return self.operand(b)
        return self._value(self.index_ops.add(self.operand(a), self.operand(b)))

    def subi(self, a: Index, b: Index) -> SSAValue:
        ka, kb = self.value_of(a), self.value_of(b)
        if ka is not None and kb is not None:
            return self.index(ka - kb)
        if kb == 0:
            return self.operand(a)
        return self._value(self.index_ops.sub(self.operand(a), self.operand(b)))

    def muli(self, a: Index, b: Index) -> SSAValue:
        ka, kb = self.value_of(a), self.value_of(b)
        if ka is not None and kb is not None:
            return self.index(ka * kb)
        if kb == 1:
            return self.operand(a)
        if ka == 1:
            return self.operand(b)
        if ka == 0 or kb == 0:
            return self.index(0)
        return self._value(self.index_ops.mul(self.operand(a), self.operand(b)))

    def divi(self, a: Index, n: int) -> SSAValue:
        """`a / n` of a non-negative `a` and a positive `n`."""
        ka = self.value_of(a)
        if ka is not None:
            return self.index(ka // n)
        if n == 1:
            return self.operand(a)
        return self._value(self.index_ops.div(self.operand(a), self.index(n)))

    def remi(self, a: Index, n: int) -> SSAValue:
        """`a % n` of a non-negative `a` and a positive `n`."""
        ka = self.value_of(a)
        if ka is not None:
            return self.index(ka % n)
        if n == 1:
            return self.index(0)
        return self._value(self.index_ops.rem(self.operand(a), self.index(n)))

    def cmpi(self, predicate: str, a: Index, b: Index) -> SSAValue:
        """An i1 comparison (`arith.cmpi` predicate names)."""
        return self._value(self.index_ops.cmp(predicate, self.operand(a), self.operand(b)))

    def select(self, condition: SSAValue, a: Index, b: Index) -> SSAValue:
        return self._value(self.index_ops.select(condition, self.operand(a), self.operand(b)))

    def min(self, a: Index, b: Index) -> SSAValue:
        """The smaller of two indices (compare and select)."""
        return self.select(self.cmpi("slt", a, b), a, b)

    def max(self, a: Index, b: Index) -> SSAValue:
        """The larger of two indices (compare and select)."""
        return self.select(self.cmpi("sgt", a, b), a, b)

    def nonnegative(self, values: Sequence[Index]) -> SSAValue:
        """An i1 that is true when every index in `values` is >= 0."""
        low = self.operand(values[0])
        for v in values[1:]:
            low = self.min(low, v)
        return self.cmpi("sge", low, 0)

    def linear(self, idx: Sequence[Index], shape: Sequence[int]) -> SSAValue:
        """The row-major linear index of `idx` in `shape` (dims of size 1 contribute
        nothing: their index is 0 in bounds)."""
        total: SSAValue | None = None
        stride = 1
        for i, d in reversed(list(zip(idx, shape, strict=True))):
            if d != 1:
                term = self.muli(i, stride)
                total = term if total is None else self.addi(total, term)
            stride *= d
        return total if total is not None else self.index(0)

    def delinear(self, lin: Index, shape: Sequence[int]) -> list[SSAValue]:
        """The row-major multi-index of linear index `lin` in `shape`."""
        out: list[SSAValue] = []
        stride = math.prod(shape)
        for k, d in enumerate(shape):
            stride //= d
            if d == 1:
                out.append(self.index(0))
                continue
            q = self.divi(lin, stride)
            out.append(q if k == 0 else self.remi(q, d))
        return out
