"""Output targets for `ziggurat-opt -t`, and which IR each target applies to.

Ziggurat defines `llvm` (LLVM IR text of an llvm-dialect module) and `asm` (assembly). Both
go through the runtime's backend (`ziggurat.runtime.compiler`), so they show what the runtime
compiles and runs (for a module lowered by `gpu-pipeline`/`ztile-to-nvvm`, `-t llvm` prints
the kernels' LLVM IR; `-t ptx` their PTX and `-t cubin` the ptxas output, see
`ziggurat.runtime.ptx`):

- `-t llvm` prints the LLVM IR the runtime is handed (`zg.compile(...).llvm_ir`, the input of
  `compile_llvm_ir`): no target triple, no data layout, not optimized;
- `-t llvm{optimized=true}` prints that IR as the runtime optimizes it
  (`CompiledModule.llvm_ir()`);
- `-t asm` prints the assembly the runtime emits for it (`CompiledModule.asm()`).

The last two compile for the runtime's default target (`$ZIGGURAT_TARGET` or the host CPU) at
the LLVM level of the opt level `cpu-pipeline` recorded on the module (`OPT_LEVEL_ATTR`; 3 if
none; `pipeline_llvm_level`), as the runtime does. A module not yet in the llvm dialect is
first lowered by `convert-to-llvm`.

xDSL's other targets print only IR of their own dialects: `target_problem` says, for a
module, why a target does not apply (located at the first op it cannot print), so the driver
reports a clear error instead of xDSL's assertion or an empty output.

The lowering and the runtime (llvmlite) are imported when a target emits, not with this
module: `ziggurat-opt` and `xdsl-opt` (through the `xdsl.universe` entry point) import it at
start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp
from xdsl.ir import Operation
from xdsl.utils.target import Target

OPT_LEVEL_ATTR = "ziggurat.opt_level"
"""Module attribute recording the LLVM optimization level the pipeline asked for (set by
`cpu-pipeline`, read by the `llvm{optimized=true}` and `asm` targets)."""

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


def llvm_ir_text(module: ModuleOp) -> str:
    """The LLVM IR text of `module` that the runtime compiles (`convert-to-llvm` runs first,
    on a copy, when the module is not in the llvm dialect yet)."""
    from xdsl.dialects import llvm

    from ziggurat.lowering.llvm_translate import lower_to_llvm_ir, translate_module
    from ziggurat.lowering.ztile_to_nvvm import llvm_ir_of

    gpu = llvm_ir_of(module)
    if gpu is not None:
        return gpu
    if all(isinstance(op, llvm.FuncOp | llvm.GlobalOp) for op in module.ops):
        return translate_module(module)
    return lower_to_llvm_ir(module)


def recorded_opt_level(module: ModuleOp) -> int:
    """The opt level `cpu-pipeline` recorded on `module` (`OPT_LEVEL_ATTR`), 3 if none."""
    level = module.attributes.get(OPT_LEVEL_ATTR)
    return level.value.data if isinstance(level, IntegerAttr) else 3


def _reject_gpu(module: ModuleOp, target: str) -> None:
    """DiagnosticException if `module` holds GPU kernels (`target` compiles for the host)."""
    from xdsl.utils.exceptions import DiagnosticException

    from ziggurat.lowering.ztile_to_nvvm import llvm_ir_of

    if llvm_ir_of(module) is not None:
        raise DiagnosticException(
            f"target '{target}' compiles for the host CPU, but the module holds GPU kernels "
            "(lowered by ztile-to-nvvm): use -t ptx, -t cubin or -t llvm"
        )


@dataclass(frozen=True)
class LLVMIRTarget(Target):
    """`-t llvm`: the LLVM IR the runtime compiles; `-t llvm{optimized=true}`: that IR as
    the runtime optimizes it for its default target."""

    name = "llvm"

    optimized: bool = False

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        from ziggurat.runtime import Target as CpuTarget
        from ziggurat.runtime import optimized_ir
        from ziggurat.runtime.compiler import pipeline_llvm_level

        text = llvm_ir_text(module)
        if self.optimized:
            _reject_gpu(module, "llvm{optimized=true}")
            level = pipeline_llvm_level(recorded_opt_level(module))
            text = optimized_ir(text, CpuTarget.default(), level)
        output.write(text)


@dataclass(frozen=True)
class AsmTarget(Target):
    """`-t asm`: the assembly the runtime compiles the module's LLVM IR to, for its default
    target (`$ZIGGURAT_TARGET` or the host CPU) at the LLVM level of the recorded opt level
    (3 if none: `pipeline_llvm_level`)."""

    name = "asm"

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        from ziggurat.runtime import Target as CpuTarget
        from ziggurat.runtime import assembly
        from ziggurat.runtime.compiler import pipeline_llvm_level

        _reject_gpu(module, self.name)
        text = llvm_ir_text(module)
        level = pipeline_llvm_level(recorded_opt_level(module))
        output.write(assembly(text, CpuTarget.default(), level))


def _gpu_parts(module: ModuleOp, target: str) -> tuple[str, str]:
    """(kernels' LLVM IR, arch) recorded by `ztile-to-nvvm`; DiagnosticException if none."""
    from xdsl.utils.exceptions import DiagnosticException

    from ziggurat.lowering.ztile_to_nvvm import llvm_ir_of, manifest_of

    text, manifest = llvm_ir_of(module), manifest_of(module)
    if text is None or manifest is None:
        raise DiagnosticException(
            f"target '{target}' prints GPU code: lower the module with gpu-pipeline (or "
            "ztile-to-nvvm) first"
        )
    return text, str(manifest["arch"])


@dataclass(frozen=True)
class PtxTarget(Target):
    """`-t ptx`: the PTX of the kernels `ztile-to-nvvm` generated, for the arch it recorded
    (LLVM's NVPTX backend at O3)."""

    name = "ptx"

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        from xdsl.utils.exceptions import DiagnosticException

        from ziggurat.runtime.ptx import PtxError, ptx_of

        text, arch = _gpu_parts(module, self.name)
        try:
            output.write(ptx_of(text, arch))
        except PtxError as err:
            raise DiagnosticException(str(err)) from err


@dataclass(frozen=True)
class CubinTarget(Target):
    """`-t cubin`: that PTX assembled by `ptxas` (an ELF file: write it with `-o`; to a text
    buffer it is written as latin-1 characters, one a byte, which `ziggurat-opt -o` writes
    back as the same bytes)."""

    name = "cubin"

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        from xdsl.utils.exceptions import DiagnosticException

        from ziggurat.runtime.ptx import PtxError, cubin_of, ptx_of

        text, arch = _gpu_parts(module, self.name)
        try:
            cubin = cubin_of(ptx_of(text, arch), arch)
        except PtxError as err:
            raise DiagnosticException(str(err)) from err
        binary = getattr(output, "buffer", None)
        if binary is not None:  # a real file or stdout
            output.flush()
            binary.write(cubin)
            binary.flush()
        else:  # ziggurat-opt's buffer for -o, which it writes as latin-1
            output.write(cubin.decode("latin-1"))


def get_all_targets() -> dict[str, Callable[[], type[Target]]]:
    """Target name -> loader of the target class."""
    return {
        "llvm": lambda: LLVMIRTarget,
        "asm": lambda: AsmTarget,
        "ptx": lambda: PtxTarget,
        "cubin": lambda: CubinTarget,
    }


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


__all__ = [
    "OPT_LEVEL_ATTR",
    "UNIMPLEMENTED_TARGETS",
    "AsmTarget",
    "CubinTarget",
    "LLVMIRTarget",
    "PtxTarget",
    "get_all_targets",
    "llvm_ir_text",
    "recorded_opt_level",
    "target_problem",
]
