"""Profiling marks for `ztensor-to-ztile{profile=true}`: each kernel between two calls of
`ziggurat_profile_mark`, and a description of each kernel on its function.

Kernel `k` of a function (its groups in block order, then its splat-constant fills) is
bracketed by `func.call @ziggurat_profile_mark(2k)` before its first op and
`func.call @ziggurat_profile_mark(2k + 1)` after its last (`runtime/profile.py` records the
times). Reshapes, which are views, are no kernels and get no marks. The function's attribute
`ziggurat.profile_kernels` holds a JSON list whose item `k` describes kernel `k`:

    {"kind": "elementwise" | "matmul_epilogue" | "reduction" | "generic",
     "ops": [{"op": "ztensor.add", "operands": [T, ...], "result": T}, ...],
     "reads": [T, ...],    # what the kernel reads from memory (not its matmul's operands)
     "output": T}          # T: [shape, element type], e.g. [[256, 768], "f32"]

`ops` are the kernel's ztensor ops in order (operands that are splat constants are left out of
`operands`). The description names ops and types only, so that a cost model can price the
kernel the way it prices e-nodes (`passes/eqsat/calibration.py`).
"""

from __future__ import annotations

import json
from typing import Any

from xdsl.dialects import arith, func
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, StringAttr, TensorType, i64
from xdsl.ir import Operation, SSAValue

from ziggurat.dialects.ztensor_kernels import Group, splat_value
from ziggurat.runtime.abi import PROFILE_MARK_SYMBOL

KERNELS_ATTR = "ziggurat.profile_kernels"
"""The function attribute holding the kernels' descriptions (a JSON string)."""


def _type(value: SSAValue) -> list[Any] | None:
    ty = value.type
    if not isinstance(ty, TensorType):
        return None
    return [list(ty.get_shape()), str(ty.element_type)]


def _is_splat(value: SSAValue) -> bool:
    owner = value.owner
    return isinstance(owner, Operation) and splat_value(owner) is not None


def describe(group: Group) -> dict[str, Any]:
    """The description of the kernel `group` computes (see the module docstring)."""
    members = group.topological()
    ops = []
    reads: list[SSAValue] = []
    for m in members:
        operands = [t for v in m.operands if not _is_splat(v) and (t := _type(v)) is not None]
        ops.append({"op": m.name, "operands": operands, "result": _type(m.results[0])})
        if m is group.matmul:
            continue
        for v in m.operands:
            owner = v.owner
            inside = isinstance(owner, Operation) and owner in group.members
            if not inside and not _is_splat(v) and v not in reads and _type(v) is not None:
                reads.append(v)
    kind = group.kind
    if splat_value(group.root) is not None:
        kind = "generic"
    return {
        "kind": kind,
        "ops": ops,
        "reads": [_type(v) for v in reads],
        "output": _type(group.root.results[0]),
    }


def _mark(index: int) -> list[Operation]:
    constant = arith.ConstantOp(IntegerAttr(index, i64))
    return [constant, func.CallOp(PROFILE_MARK_SYMBOL, [constant.result], [])]


class KernelMarks:
    """Numbers the kernels of one function as they are lowered and brackets each by marks."""

    def __init__(self) -> None:
        self.kernels: list[dict[str, Any]] = []

    def bracket(self, group: Group) -> None:
        """Describe `group` as the next kernel and put its start mark in front of its root and
        its end mark after it (the lowering emits the kernel in front of the root)."""
        root = group.root
        block = root.parent_block()
        assert block is not None
        self.kernels.append(describe(group))
        index = len(self.kernels) - 1
        for op in _mark(2 * index):
            block.insert_op_before(op, root)
        end = _mark(2 * index + 1)
        for op in reversed(end):
            block.insert_op_after(op, root)

    def attach(self, function: Operation) -> None:
        """Store the descriptions on `function` and declare the mark symbol in its module."""
        if not self.kernels:
            return
        function.attributes[KERNELS_ATTR] = StringAttr(json.dumps(self.kernels))
        module = function.parent_op()
        while module is not None and not isinstance(module, ModuleOp):
            module = module.parent_op()
        if module is None:
            return
        for op in module.ops:
            if isinstance(op, func.FuncOp) and op.sym_name.data == PROFILE_MARK_SYMBOL:
                return
        module.body.block.add_op(func.FuncOp.external(PROFILE_MARK_SYMBOL, [i64], []))


__all__ = ["KERNELS_ATTR", "KernelMarks", "describe"]
