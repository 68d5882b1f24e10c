"""`CompiledBackend`: the default `zg.jit` backend, compiling traced modules to native code.

It joins the frontend (`ziggurat.jit`) to the embedding API (`ziggurat.driver`), so it sits in
the frontend layer (docs/layout.md). `ziggurat.jit` imports it when the first jitted function
runs, so that `import ziggurat` does not load xDSL and llvmlite; it imports the driver (and
with it xDSL and the passes) only when a traced program is not in the disk cache.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from ziggurat.artifacts import default_spec, load_traced, traced_key
from ziggurat.errors import StageUnavailableError
from ziggurat.frontend import TracedProgram
from ziggurat.jit import Executable, JitOptions, OutExecutable, check_stage
from ziggurat.runtime import Kernel, Target
from ziggurat.runtime.compiler import default_cache

if TYPE_CHECKING:
    from xdsl.dialects.builtin import ModuleOp

NDArray = np.ndarray[Any, Any]


class KernelExecutable(OutExecutable):
    """The executable of one compiled function: calls its runtime `Kernel` (which checks the
    arguments) and returns the results as a tuple; `out=` hands output arrays to the kernel."""

    __slots__ = ("kernel", "threads")

    def __init__(self, kernel: Kernel, threads: int | None) -> None:
        self.kernel = kernel
        self.threads = threads

    def __call__(self, *arrays: NDArray, out: tuple[Any, ...] | None = None) -> tuple[NDArray, ...]:
        result = self.kernel(*arrays, threads=self.threads, out=out)
        return result if isinstance(result, tuple) else (result,)

    def single(self) -> Callable[..., NDArray] | None:
        """The kernel itself (with this executable's thread count), when it has one output."""
        if sum(spec.role == "out" for spec in self.kernel.specs) != 1:
            return None
        if self.threads is not None:
            return partial(self.kernel, threads=self.threads)
        return self.kernel.native_entry()

    def native_entry(
        self, fallback: Callable[..., Any], out_keyword: bool = True
    ) -> Callable[..., Any] | None:
        """The kernel's native entry (`Kernel.native_entry`, taking `out=` as the output when
        `out_keyword`) with `fallback` for every call it does not make itself; None with a
        thread count of its own, or without one."""
        if self.threads is not None:
            return None
        entry = self.kernel.native_entry(fallback, out_keyword)
        return None if entry is fallback else entry


class CompiledBackend:
    """The default `zg.jit` backend: compiles traced modules with `zg.compile` (the default
    pipeline `cpu-pipeline{opt-level=.. eqsat=..}`, or `options.pipeline` when given) and runs
    the native code through the runtime.

    Array arguments are passed to the runtime as they come: C-contiguous arrays without a copy,
    F-contiguous ones (marked `{ziggurat.layout = "col_major"}` on the traced argument) are
    copied to row-major first by the runtime (`ziggurat.runtime.calling`), since compiled code
    reads statically shaped, identity-layout (row-major) memrefs. Results are fresh C-ordered
    arrays. The executable is cached in memory by `zg.jit` and on disk by `zg.compile`.
    """

    name = "compiled"

    def pipeline_spec(self, options: JitOptions) -> str:
        """The pipeline string these options compile with."""
        if options.pipeline is not None:
            return options.pipeline
        return default_spec(
            options.opt_level, Target.default(), options.eqsat, options.fast_math_flags()
        )

    def compile_program(
        self, program: TracedProgram, func_name: str, options: JitOptions
    ) -> Executable:
        """`compile` for a traced program: with the default pipeline, the disk cache is looked
        up by `program.key` first, so a warm call builds no module and imports no xDSL."""
        spec = self.pipeline_spec(options)
        target = Target.default()
        store = default_cache()
        alias = None
        if options.pipeline is None and store is not None:
            # The default pipeline names no files: its output depends on Ziggurat's sources.
            alias = traced_key(program.key, spec, target, options.opt_level)
            exe = load_traced(store, alias, target, options.opt_level, func_name, options.threads)
            if exe is not None:
                return KernelExecutable(exe.function(func_name), options.threads)
        from ziggurat.driver import compile_cpu  # a miss: xDSL and the passes

        exe = compile_cpu(
            program.module(),
            spec,
            options.opt_level,
            target,
            threads=options.threads,
            entry=func_name,
            alias=alias,
        )
        return KernelExecutable(exe.function(func_name), options.threads)

    def compile(self, module: ModuleOp, func_name: str, options: JitOptions) -> Executable:
        from ziggurat.driver import compile

        exe = compile(
            module,
            pipeline=self.pipeline_spec(options),
            opt_level=options.opt_level,
            threads=options.threads,
            entry=func_name,
        )
        return KernelExecutable(exe.function(func_name), options.threads)

    def stage_text(self, module: ModuleOp, stage: str, options: JitOptions) -> str:
        from ziggurat.driver import compile, lower_to_llvm_ir, pipeline_stages

        check_stage(stage)
        spec = self.pipeline_spec(options)
        if stage == "llvm":
            return lower_to_llvm_ir(module.clone(), spec)
        if stage == "asm":
            return compile(module, pipeline=spec, opt_level=options.opt_level).asm()
        if stage == "ztensor":
            return str(module)
        texts = pipeline_stages(module, spec, until=stage)
        if stage not in texts:
            raise StageUnavailableError(
                f"stage {stage!r} is not reached by the pipeline {spec!r} (it reaches "
                f"{', '.join(texts)})"
            )
        return texts[stage]

    def __repr__(self) -> str:
        return "CompiledBackend()"
