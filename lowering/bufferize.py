"""`bufferize`: tensors become memrefs, with the calling convention of compiled functions.

After `ztensor-to-ztile` a function computes on buffers and only passes tensors around:
`bufferization.to_buffer` of its tensor arguments and of kernel results, `to_tensor` of the
buffers its kernels write, and `func.return` of tensors. This pass, for each `func.func`:

1. turns every tensor argument into a memref argument of the same shape and element type;
2. folds `to_buffer(to_tensor(%m))` to `%m`;
3. appends one caller-provided output memref argument per result (after the inputs) and
   makes the function return nothing: `@f(%in..., %out...)`. A result computed into a
   buffer allocated by this function is computed in place into the output argument (the
   `memref.alloc` is replaced by the argument); a result that is a function argument, or a
   buffer already used for an earlier result (the same value returned twice), is copied into
   the output (a `ztile.grid` for ranks 1 to 3, scalar loops otherwise); a `func.call` on
   tensors passes buffers of its operands and a fresh buffer per result (the callee follows
   this same convention);
4. gives every remaining `memref.alloc` of the function body a `memref.dealloc` right after
   its last use (no leaks); a use of a view of the buffer (`memref.collapse_shape` /
   `expand_shape`) counts as a use of the buffer;
5. reuses, where legal, a dead temporary of the same type instead of allocating a new one
   (an alloc whose every use comes after the last use of an earlier temporary takes over
   that temporary's buffer).

Assumes the output of `ztensor-to-ztile`: tensor values are only produced by function
arguments, `to_tensor` and calls of functions defined in the module, and only used by
`to_buffer`, such calls and `func.return`; outputs do not
alias inputs (the runtime passes distinct buffers). Raises a ValueError naming the function
otherwise. Functions without tensors are left alone (so the pass is idempotent).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import bufferization, func, memref
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter
from xdsl.traits import SymbolTable

from ziggurat.dialects.tiling import DefaultTileSizes
from ziggurat.lowering.ztile_builder import Gen, memref_of, tile_copy


def _top_level_user(block: Block, op: Operation) -> Operation | None:
    """The ancestor of `op` that sits directly in `block` (None if outside it)."""
    current: Operation | None = op
    while current is not None and current.parent_block() is not block:
        current = current.parent_op()
    return current


VIEW_OPS = (memref.CollapseShapeOp, memref.ExpandShapeOp)
"""Ops whose result is a view of their operand's memory: a use of the view uses the buffer."""


def _users(value: SSAValue) -> list[Operation]:
    """The ops that use `value`, directly or through views of it."""
    found: list[Operation] = []
    for use in value.uses:
        found.append(use.operation)
        if isinstance(use.operation, VIEW_OPS):
            found += _users(use.operation.results[0])
    return found


def _last_use_index(block: Block, value: SSAValue, order: dict[Operation, int]) -> int:
    last = -1
    for op in _users(value):
        user = _top_level_user(block, op)
        if user is not None:
            last = max(last, order[user])
    return last


def _first_use_index(block: Block, value: SSAValue, order: dict[Operation, int]) -> int:
    first = len(order)
    for op in _users(value):
        user = _top_level_user(block, op)
        if user is not None:
            first = min(first, order[user])
    return first


def _is_tensor_call(op: Operation) -> bool:
    return isinstance(op, func.CallOp) and any(
        isinstance(v.type, TensorType) for v in (*op.arguments, *op.res)
    )


class FunctionBufferizer:
    """Bufferizes one `func.func` (see the module docstring)."""

    def __init__(self, fn: func.FuncOp) -> None:
        self.fn = fn
        self.block = fn.body.block

    def fail(self, message: str) -> ValueError:
        return ValueError(f"bufferize: function @{self.fn.sym_name.data}: {message}")

    def run(self) -> None:
        fn, block = self.fn, self.block
        ret = block.last_op
        if not isinstance(ret, func.ReturnOp):
            raise self.fail("expects a body ending in func.return")
        has_tensors = (
            any(isinstance(a.type, TensorType) for a in block.args)
            or any(isinstance(v.type, TensorType) for v in ret.arguments)
            or any(_is_tensor_call(op) for op in block.ops)
        )
        if not has_tensors:
            return
        self.convert_arguments()
        self.convert_calls()
        self.fold_pairs()
        self.bind_results(ret)
        for op in list(block.ops):
            if isinstance(op, bufferization.ToTensorOp):
                if op.tensor.uses:
                    raise self.fail(
                        f"a tensor is still used by '{next(iter(op.tensor.uses)).operation.name}'"
                    )
                Rewriter.erase_op(op)
        fn.update_function_type()
        self.reuse_temporaries()
        self.insert_deallocs()

    def convert_arguments(self) -> None:
        block = self.block
        first = block.first_op
        assert first is not None
        for index, arg in enumerate(list(block.args)):
            if not isinstance(arg.type, TensorType):
                continue
            new_arg = block.insert_arg(memref_of(arg.type), index)
            new_arg.name_hint = arg.name_hint
            as_tensor = bufferization.ToTensorOp(new_arg)
            block.insert_op_before(as_tensor, first)
            arg.replace_all_uses_with(as_tensor.tensor)
            block.erase_arg(arg)

    def convert_calls(self) -> None:
        """`%r = func.call @g(%t)` on tensors becomes `func.call @g(%m, %out)`: the callee is
        bufferized to the same convention (inputs, then one output buffer per result), so
        the caller passes buffers of its tensor operands and a fresh buffer per result."""
        for op in list(self.block.ops):
            if not _is_tensor_call(op):
                continue
            assert isinstance(op, func.CallOp)
            callee = SymbolTable.lookup_symbol(self.fn, op.callee)
            if not isinstance(callee, func.FuncOp) or callee.is_declaration:
                raise self.fail(
                    f"calls @{op.callee.string_value()} on tensors, which is not a function "
                    "defined in this module"
                )
            operands: list[SSAValue] = []
            for value in op.arguments:
                if isinstance(value.type, TensorType):
                    as_buffer = bufferization.ToBufferOp(
                        operands=[value], result_types=[memref_of(value.type)]
                    )
                    self.block.insert_op_before(as_buffer, op)
                    value = as_buffer.memref
                operands.append(value)
            outs: list[SSAValue] = []
            for result in op.res:
                if not isinstance(result.type, TensorType):
                    raise self.fail(f"calls @{op.callee.string_value()} returning {result.type}")
                alloc = memref.AllocOp.get(result.type.element_type, shape=result.type.get_shape())
                self.block.insert_op_before(alloc, op)
                outs.append(alloc.memref)
            call = func.CallOp(op.callee, [*operands, *outs], [])
            self.block.insert_op_before(call, op)
            anchor: Operation = call
            for result, out in zip(op.res, outs, strict=True):
                as_tensor = bufferization.ToTensorOp(out)
                self.block.insert_op_after(as_tensor, anchor)
                anchor = as_tensor
                result.replace_all_uses_with(as_tensor.tensor)
            Rewriter.erase_op(op)

    def fold_pairs(self) -> None:
        for op in list(self.fn.walk()):
            if not isinstance(op, bufferization.ToBufferOp):
                continue
            source = op.tensor.owner
            if not isinstance(source, bufferization.ToTensorOp):
                raise self.fail(f"cannot bufferize a tensor produced by '{op.tensor.owner}'")
            if source.memref.type != op.memref.type:
                raise self.fail(f"buffer types differ: {source.memref.type} vs {op.memref.type}")
            op.memref.replace_all_uses_with(source.memref)
            Rewriter.erase_op(op)

    def bind_results(self, ret: func.ReturnOp) -> None:
        block = self.block
        claimed: set[SSAValue] = set()
        copies: list[tuple[SSAValue, SSAValue]] = []
        for value in list(ret.arguments):
            if not isinstance(value.type, TensorType):
                raise self.fail(f"returns a non-tensor value of type {value.type}")
            source = value.owner
            if not isinstance(source, bufferization.ToTensorOp):
                raise self.fail(f"returns a tensor produced by '{source}'")
            out = block.insert_arg(memref_of(value.type), len(block.args))
            buffer = source.memref
            owner = buffer.owner
            if (
                isinstance(owner, memref.AllocOp)
                and owner.parent_block() is block
                and buffer not in claimed
                and buffer.type == out.type
            ):
                buffer.replace_all_uses_with(out)
                Rewriter.erase_op(owner)
                claimed.add(out)
            else:
                copies.append((buffer, out))
            claimed.add(buffer)
        new_ret = func.ReturnOp()
        Rewriter.replace_op(ret, new_ret)
        gen = Gen(block, before=new_ret)
        chooser = DefaultTileSizes()
        for src, dst in copies:
            tile_copy(gen, src, dst, chooser)

    def reuse_temporaries(self) -> None:
        """An alloc whose uses all follow the last use of an earlier alloc of the same type
        takes that buffer over (the earlier one is dead by then)."""
        block = self.block
        order = {op: i for i, op in enumerate(block.ops)}
        allocs = [op for op in block.ops if isinstance(op, memref.AllocOp)]
        free: list[tuple[int, memref.AllocOp]] = []  # (last use index, alloc) of live buffers
        for op in allocs:
            first = _first_use_index(block, op.memref, order)
            candidate = None
            for k, (last, earlier) in enumerate(free):
                if earlier.memref.type == op.memref.type and last < first and last < order[op]:
                    candidate = k
                    break
            if candidate is not None:
                _, earlier = free.pop(candidate)
                op.memref.replace_all_uses_with(earlier.memref)
                Rewriter.erase_op(op)
                free.append((_last_use_index(block, earlier.memref, order), earlier))
            else:
                free.append((_last_use_index(block, op.memref, order), op))

    def insert_deallocs(self) -> None:
        block = self.block
        ops = list(block.ops)
        order = {op: i for i, op in enumerate(ops)}
        for op in ops:
            if not isinstance(op, memref.AllocOp):
                continue
            last = _last_use_index(block, op.memref, order)
            if last < 0:
                Rewriter.erase_op(op)
                continue
            dealloc = memref.DeallocOp.get(op.memref)
            anchor = ops[last]
            if isinstance(anchor, func.ReturnOp):
                raise self.fail("a temporary buffer is used by func.return")
            block.insert_op_after(dealloc, anchor)


@dataclass(frozen=True)
class BufferizePass(ModulePass):
    """Tensors -> memrefs with caller-provided outputs (see the module docstring)."""

    name = "bufferize"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for fn in list(op.walk()):
            if isinstance(fn, func.FuncOp) and not fn.is_declaration:
                FunctionBufferizer(fn).run()


__all__ = ["BufferizePass", "FunctionBufferizer"]
