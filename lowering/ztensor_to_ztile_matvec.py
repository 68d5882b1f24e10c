"""Matrix-vector products for `ztensor-to-ztile`: lowered as reductions of a product.

The matmul kernel's register tiles span the vector width along N (and its packed panels
several rows along M), so a product with one column (`A[M,K] @ v[K,1]`) or one row
(`u[1,K] @ B[K,N]`) would run its inner loop one lane wide: 10-15x slower than a
memory-bound pass over the matrix. Such a product is rewritten, before planning, as the
reduction kernel that computes it at memory speed:

    A @ v  ->  reduce_sum(A * reshape(v, 1xK), axes=[1], keepdims)  (row sums, M x 1)
    u @ B  ->  reduce_sum(reshape(u, Kx1) * B, axes=[0], keepdims)  (column sums, 1 x N)

with the multiply as the reduction's prologue, never written to memory. A transposed matrix
is reduced the other way, in its own (row-major) order: `transpose(X) @ v` is the column sums
of `X * reshape(v, Kx1)` and `u @ transpose(Y)` the row sums of `Y * reshape(u, 1xK)`, each
reshaped into the result's shape (a copy of its M or N elements). The reshape is a
copy of the vector's K elements (of the 1-D vector a numpy operand was reshaped from, if it
was), in the shape whose tiles the reduction loads best: a `[K, 1]` column tile transposed in
every program instead was measured 1.7x slower for `A @ v` at 4096 x 4096.

Both compute the same sum of the same products as the matmul, from +0.0 (`ztensor.matmul` and
`ztensor.reduce_sum` leave the order of the additions unspecified), so NaN, infinities and
signed zeros come out as the matmul's do. Only f32 and f64 products of rank 2 with K >= 2 are rewritten (a 16-bit
matmul sums its products in f32, which a 16-bit multiply would round first), and only where
the reduction kernel takes the multiply as its prologue under the default tile sizes
(`ztensor_kernels.prologue_term_ok`). A `ztensor.fused` matmul kernel around such a product
is inlined first; the planner then makes its epilogue a kernel of its own (an elementwise
pass over the M or N results).
"""

from __future__ import annotations

from xdsl.dialects.builtin import Float32Type, Float64Type, TensorType
from xdsl.ir import Block, Operation, SSAValue
from xdsl.rewriter import Rewriter

from ziggurat.dialects import ztensor as zt
from ziggurat.dialects.ztensor_kernels import inline_fused, prologue_term_ok


def _vector(value: SSAValue) -> SSAValue:
    """The 1-D tensor `value` was reshaped from (how a numpy 1-D operand of `@` is traced),
    else `value`."""
    owner = value.owner
    if isinstance(owner, zt.ReshapeOp):
        source = owner.input.type
        if isinstance(source, TensorType) and source.get_num_dims() == 1:
            return owner.input
    return value


def _transposed(value: SSAValue) -> SSAValue | None:
    """The matrix `value` is the 2-D transpose of, if it is one."""
    owner = value.owner
    if isinstance(owner, zt.TransposeOp) and tuple(owner.perm) == (1, 0):
        return owner.input
    return None


def _as_reduction(op: zt.MatmulOp, build: bool = True) -> list[Operation] | None:
    """The ops computing `op` as a reduction (an empty list if `build` is False), or None
    when `op` is not a matrix-vector product this rewrites."""
    lt, rt = op.lhs.type, op.rhs.type
    if not isinstance(lt, TensorType) or not isinstance(rt, TensorType):
        return None
    if lt.get_num_dims() != 2 or rt.get_num_dims() != 2:
        return None
    elt = lt.element_type
    if not isinstance(elt, Float32Type | Float64Type):
        return None
    (m, k), (_, n) = lt.get_shape(), rt.get_shape()
    if k < 2:
        return None
    lhs_t = _transposed(op.lhs)
    if n == 1 and lhs_t is not None and prologue_term_ok((k, m), (0,)):
        # transpose(X) @ v: column sums of X * v (X read in its own row-major order)
        if not build:
            return []
        column = zt.ReshapeOp(_vector(op.rhs), TensorType(elt, (k, 1)))
        product = zt.MulOp(lhs_t, column)
        sums = zt.ReduceSumOp(product, (0,), keepdims=True)
        return [column, product, sums, zt.ReshapeOp(sums, TensorType(elt, (m, 1)))]
    rhs_t = _transposed(op.rhs)
    if m == 1 and n > 1 and rhs_t is not None and prologue_term_ok((n, k), (1,)):
        # u @ transpose(Y): row sums of Y * u
        if not build:
            return []
        row = zt.ReshapeOp(_vector(op.lhs), TensorType(elt, (1, k)))
        product = zt.MulOp(rhs_t, row)
        sums = zt.ReduceSumOp(product, (1,), keepdims=True)
        return [row, product, sums, zt.ReshapeOp(sums, TensorType(elt, (1, n)))]
    if n == 1 and prologue_term_ok((m, k), (1,)):
        if not build:
            return []
        row = zt.ReshapeOp(_vector(op.rhs), TensorType(elt, (1, k)))
        product = zt.MulOp(op.lhs, row)
        return [row, product, zt.ReduceSumOp(product, (1,), keepdims=True)]
    if m == 1 and n > 1 and prologue_term_ok((k, n), (0,)):
        if not build:
            return []
        column = zt.ReshapeOp(_vector(op.lhs), TensorType(elt, (k, 1)))
        product = zt.MulOp(column, op.rhs)
        return [column, product, zt.ReduceSumOp(product, (0,), keepdims=True)]
    return None


def _fused_matvec(op: zt.FusedOp) -> bool:
    return any(
        isinstance(m, zt.MatmulOp) and _as_reduction(m, build=False) is not None
        for m in op.body.ops
    )


def matvecs_as_reductions(block: Block) -> None:
    """Rewrite the matrix-vector products of `block` as reductions of a product (see the
    module docstring). A `ztensor.fused` matmul kernel around one is inlined first: its
    epilogue becomes a kernel of its own, which the planner forms."""
    for op in list(block.ops):
        if isinstance(op, zt.FusedOp) and _fused_matvec(op):
            inline_fused(op)
    for op in list(block.ops):
        if not isinstance(op, zt.MatmulOp):
            continue
        ops = _as_reduction(op)
        if ops is None:
            continue
        for new in ops:
            block.insert_op_before(new, op)
        op.results[0].replace_all_uses_with(ops[-1].results[0])
        operands = [v.owner for v in op.operands]
        Rewriter.erase_op(op)
        for owner in operands:  # a transpose or reshape the rewrite reads through
            if isinstance(owner, zt.TransposeOp | zt.ReshapeOp) and not owner.results[0].uses:
                Rewriter.erase_op(owner)


__all__ = ["matvecs_as_reductions"]
