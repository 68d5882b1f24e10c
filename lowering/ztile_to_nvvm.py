"""`ztile-to-nvvm{arch=sm_80 num-warps=4}`: the ztile programs of a module become GPU kernels
(LLVM IR for NVPTX) and a host manifest of launches.

Input: functions as `ztensor-to-ztile` leaves them: tensor arguments turned into buffers
(`bufferization.to_buffer`), `memref.alloc` for intermediate and result buffers, `ztile.grid`
programs, host loops (`scf.for` nests with `memref.load/store`, e.g. a bias reshaped into a
row), `bufferization.to_tensor` and `func.return`.

- every `ztile.grid` becomes one kernel `<function>_k<i>`: grid point = thread block (grid
  axes 0, 1, 2 are `ctaid.x/y/z`), `32 * num-warps` threads a block, the blocked layout and
  op lowerings of `ztile_to_nvvm_kernel` (and its `_math`, `_transfers`, `_shared` modules); its parameters are the buffers its body
  captures, in order of first use;
- every run of host code between grids (loop nests, scalar loads and stores) becomes a
  one-thread kernel (a 1x1x1 launch);
- a kernel whose staged tiles need more than 48 KiB of shared memory is rejected, located at
  the op that needs the most, with a hint to use smaller tile sizes.

Output: the module's functions are replaced by two module attributes: `zg.gpu.llvm_ir`, the
LLVM IR of every kernel (`ptx_kernel` calling convention; no triple or data layout: the PTX
target sets them), and `zg.gpu.manifest`, JSON describing, per function, its buffers
(`{"kind": "arg", "index": i}`, `{"kind": "alloc"}`, each with `shape` and `dtype`), the
launches in program order (`kernel`, `grid` and `block` as 3 numbers, `args`: buffer ids)
and the buffers it returns. `ziggurat.runtime.cuda` runs that manifest;
`ziggurat.lowering.nvvm_interpret` runs it on the CPU, thread block by thread block.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, cast

from llvmlite import ir
from xdsl.context import Context
from xdsl.dialects import arith, bufferization, func, memref, scf
from xdsl.dialects.builtin import (
    BFloat16Type,
    Float16Type,
    Float32Type,
    IntegerType,
    MemRefType,
    ModuleOp,
    StringAttr,
    TensorType,
)
from xdsl.ir import BlockArgument, Operation, SSAValue
from xdsl.passes import ModulePass

from ziggurat.diagnostics import DiagnosticError, op_diagnostic
from ziggurat.dialects import ztile
from ziggurat.errors import PassOptionError

# The op lowerings register themselves with the kernel builder on import.
from ziggurat.lowering import ztile_to_nvvm_shared, ztile_to_nvvm_transfers  # noqa: F401
from ziggurat.lowering.ztile_to_nvvm_kernel import (
    SHARED_BUDGET_BYTES,
    KernelBuilder,
    LoweringError,
    Storage,
    element_name,
    shared_floats_needed,
    storage_of,
)

LLVM_IR_ATTR = "zg.gpu.llvm_ir"
MANIFEST_ATTR = "zg.gpu.manifest"
ARCHS = ("sm_80", "sm_86", "sm_89", "sm_90", "sm_100", "sm_120")
"""The architectures accepted by `arch` (FACTS: LLVM emits PTX 7.0+ for them)."""


def _dtype(op: Operation, ty: MemRefType | TensorType[Any]) -> str:
    elt = ty.element_type
    if isinstance(elt, IntegerType) and elt.width.data == 1:
        return "bool"
    if isinstance(elt, Float32Type | Float16Type | BFloat16Type):
        return element_name(op, elt)
    raise LoweringError(op, f"ztile-to-nvvm supports f32, f16, bf16 and i1 data only, got {ty}")


@dataclass
class GpuProgram:
    """The kernels of a module (an llvmlite module) and the host manifest."""

    module: ir.Module
    manifest: dict[str, Any] = field(default_factory=dict)
    threads: int = 128


@dataclass
class _Function:
    """The host side of one function while it is lowered."""

    name: str
    buffers: list[dict[str, Any]] = field(default_factory=list)
    ids: dict[SSAValue, int] = field(default_factory=dict)
    launches: list[dict[str, Any]] = field(default_factory=list)
    results: list[int] = field(default_factory=list)


def _captured(ops: list[Operation]) -> list[SSAValue]:
    """Values used by `ops` (or inside them) and defined outside them, in order of use."""
    inside: set[SSAValue] = set()
    out: list[SSAValue] = []
    walked = [inner for op in ops for inner in op.walk()]
    for op in walked:
        for region in op.regions:
            for block in region.blocks:
                inside.update(block.args)
        inside.update(op.results)
    for op in walked:
        for v in op.operands:
            if v not in inside and v not in out:
                out.append(v)
    return out


class _Lowerer:
    def __init__(self, program: GpuProgram) -> None:
        self.program = program
        self.threads = program.threads

    def function(self, fn: func.FuncOp) -> None:
        host = _Function(fn.sym_name.data)
        tensors: dict[SSAValue, int] = {}
        block = fn.body.block
        for i, arg in enumerate(block.args):
            if isinstance(arg.type, TensorType):
                shape = list(arg.type.get_shape())
                dtype = _dtype(fn, arg.type)
                tensors[arg] = len(host.buffers)
                host.buffers.append({"kind": "arg", "index": i, "shape": shape, "dtype": dtype})
            else:
                raise LoweringError(fn, f"ztile-to-nvvm: argument {i} is not a tensor ({arg.type})")
        kernels = 0
        serial: list[Operation] = []

        def flush() -> None:
            nonlocal kernels
            if serial:
                self.kernel(host, list(serial), f"{host.name}_k{kernels}")
                kernels += 1
                serial.clear()

        for op in block.ops:
            if isinstance(op, bufferization.ToBufferOp):
                if op.tensor not in tensors:
                    raise LoweringError(op, "ztile-to-nvvm: a buffer of an unknown tensor")
                host.ids[op.memref] = tensors[op.tensor]
            elif isinstance(op, bufferization.ToTensorOp):
                tensors[op.tensor] = host.ids[op.memref]
            elif isinstance(op, memref.CollapseShapeOp | memref.ExpandShapeOp):
                # A row-major reshape: the same buffer, indexed with the view's shape.
                if op.src not in host.ids:
                    raise LoweringError(op, "ztile-to-nvvm: a view of a buffer of unknown origin")
                host.ids[op.result] = host.ids[op.src]
            elif isinstance(op, memref.AllocOp):
                ty = cast(MemRefType, op.memref.type)
                host.ids[op.memref] = len(host.buffers)
                host.buffers.append(
                    {"kind": "alloc", "shape": list(ty.get_shape()), "dtype": _dtype(op, ty)}
                )
            elif isinstance(op, ztile.GridOp):
                flush()
                self.kernel(host, [op], f"{host.name}_k{kernels}")
                kernels += 1
            elif isinstance(op, scf.ForOp | memref.LoadOp | memref.StoreOp) or (
                op.dialect_name() == "arith" and not isinstance(op, arith.ConstantOp)
            ):
                serial.append(op)  # host code: one single-thread kernel per run of it
            elif isinstance(op, func.ReturnOp):
                flush()
                for v in op.arguments:
                    if v not in tensors:
                        raise LoweringError(op, "ztile-to-nvvm: returns a value not in a buffer")
                    host.results.append(tensors[v])
            elif isinstance(op, arith.ConstantOp | memref.DeallocOp):
                continue  # constants are re-created in the kernels that use them
            else:
                raise LoweringError(
                    op, f"ztile-to-nvvm: '{op.name}' outside a ztile.grid has no GPU lowering"
                )
        self.program.manifest[host.name] = {
            "buffers": host.buffers,
            "launches": host.launches,
            "results": host.results,
        }

    def kernel(self, host: _Function, ops: list[Operation], name: str) -> None:
        """One kernel: a `ztile.grid` (`ops` = [it]) or a run of host ops on one thread."""
        op = ops[0]
        captured = _captured(ops)
        params: list[tuple[SSAValue, Storage]] = []
        constants: list[arith.ConstantOp] = []
        for v in captured:
            if isinstance(v.type, MemRefType):
                if v not in host.ids:
                    raise LoweringError(
                        op, "ztile-to-nvvm: a kernel uses a buffer of unknown origin"
                    )
                params.append((v, storage_of(op, v.type)))
            elif isinstance(v, BlockArgument) or not isinstance(v.owner, arith.ConstantOp):
                raise LoweringError(
                    op, "ztile-to-nvvm: a kernel may capture buffers and constants only"
                )
            else:
                constants.append(v.owner)
        is_grid = isinstance(op, ztile.GridOp)
        if is_grid:
            shape = cast(ztile.GridOp, op).grid_shape
            limits = (2**31 - 1, 65535, 65535)
            if any(g > limit for g, limit in zip(shape, limits, strict=False)):
                raise LoweringError(
                    op,
                    f"ztile-to-nvvm: grid {list(shape)} exceeds CUDA's grid limits "
                    "(2^31-1 blocks along axis 0, 65535 along axes 1 and 2)",
                )
        threads = self.threads if is_grid else 1
        staged, worst = 0, op
        for inner in (i for o in ops for i in o.walk()):
            need = shared_floats_needed(inner)
            if need > staged:
                staged, worst = need, inner
        if (staged + 1) * 4 > SHARED_BUDGET_BYTES:
            raise LoweringError(
                worst,
                f"ztile-to-nvvm: '{worst.name}' stages {staged * 4} bytes in shared memory, over "
                f"the {SHARED_BUDGET_BYTES // 1024} KiB budget; use smaller tiles (e.g. "
                "ztensor-to-ztile{target=gpu} or tile-sizes=64,64,32)",
            )
        kb = KernelBuilder(self.program.module, name, params, threads, staged + 1 if staged else 0)
        for c in constants:
            kb.lower_op(c)
        if is_grid:
            grid = list(cast(ztile.GridOp, op).grid_shape)
            kb.lower_block(cast(ztile.GridOp, op).body.block)
        else:
            grid = [1]
            for o in ops:
                kb.lower_op(o)
        kb.b.ret_void()
        grid = grid + [1] * (3 - len(grid))
        host.launches.append(
            {
                "kernel": name,
                "grid": grid,
                "block": [threads, 1, 1],
                "args": [host.ids[v] for v, _ in params],
            }
        )


def lower_module(module: ModuleOp, num_warps: int = 4) -> GpuProgram:
    """The kernels and manifest of every function of `module` (raises `LoweringError`)."""
    program = GpuProgram(ir.Module(name="ziggurat_gpu"), threads=32 * num_warps)
    program.module.triple = "nvptx64-nvidia-cuda"
    lowerer = _Lowerer(program)
    for op in module.body.ops:
        if isinstance(op, func.FuncOp):
            if op.is_declaration:
                continue
            lowerer.function(op)
        else:
            raise LoweringError(op, f"ztile-to-nvvm: unexpected top-level '{op.name}'")
    return program


def manifest_of(module: ModuleOp) -> dict[str, Any] | None:
    """The manifest `ztile-to-nvvm` recorded on `module`, if any."""
    attr = module.attributes.get(MANIFEST_ATTR)
    if not isinstance(attr, StringAttr):
        return None
    return cast(dict[str, Any], json.loads(attr.data))


def llvm_ir_of(module: ModuleOp) -> str | None:
    """The kernels' LLVM IR `ztile-to-nvvm` recorded on `module`, if any."""
    attr = module.attributes.get(LLVM_IR_ATTR)
    return attr.data if isinstance(attr, StringAttr) else None


@dataclass(frozen=True)
class ZTileToNVVMPass(ModulePass):
    """Lowers the ztile programs of the module to GPU kernels (see the module docstring).

    `arch` is recorded in the manifest (the PTX target compiles for it); `num-warps` sets the
    threads of a block (32 each).
    """

    name = "ztile-to-nvvm"

    arch: str = "sm_80"
    num_warps: int = 4

    def validate(self) -> None:
        """Option checks (`PassOptionError`), run by every driver when it builds the pass."""
        if self.arch not in ARCHS:
            raise PassOptionError(
                self.name, "arch", f"must be one of {', '.join(ARCHS)}, got '{self.arch}'"
            )
        if not 1 <= self.num_warps <= 32:
            raise PassOptionError(self.name, "num-warps", f"must be 1..32, got {self.num_warps}")

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        self.validate()
        try:
            program = lower_module(op, self.num_warps)
        except LoweringError as err:
            raise DiagnosticError(op_diagnostic(err.op, str(err), None)) from None
        for inner in list(op.body.ops):
            op.body.block.erase_op(inner)
        manifest = {"arch": self.arch, "functions": program.manifest}
        op.attributes[LLVM_IR_ATTR] = StringAttr(str(program.module))
        op.attributes[MANIFEST_ATTR] = StringAttr(json.dumps(manifest, sort_keys=True))


__all__ = [
    "ARCHS",
    "LLVM_IR_ATTR",
    "MANIFEST_ATTR",
    "GpuProgram",
    "ZTileToNVVMPass",
    "llvm_ir_of",
    "lower_module",
    "manifest_of",
]
