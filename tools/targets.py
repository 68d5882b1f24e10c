"""Output targets for `ziggurat-opt -t`, and which IR each target applies to.

Ziggurat defines `llvm` (LLVM IR text of an llvm-dialect module) and `asm` (host assembly).
xDSL's other targets print only IR of their own dialects: `target_problem` says, for a
module, why a target does not apply (located at the first op it cannot print), so the driver
reports a clear error instead of xDSL's assertion or an empty output.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation
from xdsl.utils.target import Target

UNIMPLEMENTED_TARGETS: dict[str, str] = {
    "mps": "xDSL's 'mps' target is a stub (it raises NotImplementedError for every module)",
}
"""Targets registered by xDSL that print nothing for any input."""

_ASSEMBLY_TARGETS = {
    "x86-asm": "x86 assembly from the x86 and x86_func dialects",
    "riscv-asm": "RISC-V assembly from the riscv, riscv_func (and related) dialects",
    "arm-asm": "ARM assembly from the arm and arm_func dialects",
}

_CONTAINER_TARGETS = {
    # target: (op name, where it must be, what the target prints)
    "wat": ("wasm.module", "anywhere", "WebAssembly text of 'wasm.module' ops"),
    "wgsl": ("gpu.module", "at the top level", "WGSL of the 'gpu.module' ops"),
    "csl": ("csl.module", "as every top-level op", "CSL of 'csl.module' ops"),
}


def get_all_targets() -> dict[str, Callable[[], type[Target]]]:
    """Target name -> lazy loader of the target class."""

    def get_llvm() -> type[Target]:
        from ziggurat.lowering.llvm_translate import LLVMIRTarget

        return LLVMIRTarget

    def get_asm() -> type[Target]:
        from ziggurat.lowering.llvm_translate import AsmTarget

        return AsmTarget

    return {"llvm": get_llvm, "asm": get_asm}


def target_problem(name: str, module: ModuleOp) -> tuple[Operation | None, str] | None:
    """Why target `name` cannot print `module`: (the op to locate the error at, or None;
    the message), or None if it applies (or if it is a target this module does not know)."""
    if name in UNIMPLEMENTED_TARGETS:
        return None, f"target '{name}' cannot print anything: {UNIMPLEMENTED_TARGETS[name]}"
    if name in _ASSEMBLY_TARGETS:
        from xdsl.backend.assembly_printer import AssemblyPrintable

        for op in module.body.walk():
            if not isinstance(op, AssemblyPrintable):
                return op, (
                    f"cannot be printed by target '{name}': it prints {_ASSEMBLY_TARGETS[name]} "
                    "only; lower the module to those dialects first (or use -t mlir, llvm, asm)"
                )
        return None
    if name in _CONTAINER_TARGETS:
        op_name, where, prints = _CONTAINER_TARGETS[name]
        tops = list(module.body.ops)
        if where == "at the top level":
            found = any(op.name == op_name for op in tops)
        elif where == "anywhere":
            found = any(op.name == op_name for op in module.walk())
        else:
            stray = next((op for op in tops if op.name != op_name), None)
            if stray is not None:
                return stray, (
                    f"cannot be printed by target '{name}': it prints {prints}, which must be "
                    "every top-level op"
                )
            found = bool(tops)
        if not found:
            return None, (
                f"target '{name}' does not apply to this module: it prints {prints}, and the "
                f"module has no '{op_name}' {where} (so it would print nothing)"
            )
    return None


__all__ = ["UNIMPLEMENTED_TARGETS", "get_all_targets", "target_problem"]
