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
from ziggurat.frontend import COL_MAJOR, LAYOUT_ATTR, TracedProgram
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


class AutotuneExecutable(OutExecutable):
    """A specialization under `autotune=True`: its first calls profiled, then the program
    compiled under the refit model (`ziggurat.autotune.Tuner`)."""

    __slots__ = ("tuner",)

    def __init__(
        self,
        backend: CompiledBackend,
        program: TracedProgram,
        func_name: str,
        options: JitOptions,
    ) -> None:
        from dataclasses import replace

        from ziggurat.autotune import Tuner, compile_profiled

        def profiled() -> tuple[KernelExecutable, list[dict[str, Any]]]:
            exe, kernels = compile_profiled(
                take_transposes(program.module()),
                func_name,
                options.opt_level,
                options.eqsat,
                options.fast_math_flags(),
                options.threads,
            )
            return KernelExecutable(exe.function(func_name), options.threads), kernels

        untuned = backend.pipeline_spec(replace(options, autotune=False))
        self.tuner = Tuner(
            f"{program.key}|{untuned}",
            options.threads,
            profiled,
            lambda: backend.compile_untimed(program, func_name, options),
            func_name,
        )

    def __call__(self, *arrays: NDArray, out: tuple[Any, ...] | None = None) -> tuple[NDArray, ...]:
        result: tuple[NDArray, ...] = self.tuner(*arrays, out=out)
        return result

    def single(self) -> Callable[..., NDArray] | None:
        """For one output: a callable taking the inputs (and the output array, positionally)
        that returns the result, whatever the phase."""
        specs = self._current().kernel.specs
        if sum(spec.role == "out" for spec in specs) != 1:
            return None
        inputs = len(specs) - 1

        def direct(*arrays: NDArray) -> NDArray:
            if len(arrays) > inputs:
                return self(*arrays[:inputs], out=tuple(arrays[inputs:]))[0]
            return self(*arrays)[0]

        return direct

    def native_entry(
        self, fallback: Callable[..., Any], out_keyword: bool = True
    ) -> Callable[..., Any] | None:
        """The tuned program's native entry (`KernelExecutable.native_entry`) once tuned; None
        while calls are profiled."""
        if not self.tuner.tuned:
            return None
        return self._current().native_entry(fallback, out_keyword)

    def _current(self) -> KernelExecutable:
        current = self.tuner.current
        assert isinstance(current, KernelExecutable)
        return current


def take_transposes(module: ModuleOp) -> ModuleOp:
    """`module` (in place) with every argument of rank >= 2 marked `{ziggurat.layout =
    "col_major"}` (an F-contiguous array) replaced by an argument of the reversed shape (the
    array's transpose, C-contiguous in the same buffer) and a `ztensor.transpose` of it back
    as the function's first op, the mark dropped."""
    from xdsl.dialects import func
    from xdsl.dialects.builtin import (
        ArrayAttr,
        DictionaryAttr,
        FunctionType,
        StringAttr,
        TensorType,
    )

    from ziggurat.dialects import ztensor as zt

    for f in module.ops:
        if not isinstance(f, func.FuncOp) or f.arg_attrs is None or not f.body.blocks:
            continue
        block = f.body.blocks[0]
        attrs = list(f.arg_attrs.data)
        for i, marks in enumerate(attrs):
            arg = block.args[i]
            ty = arg.type
            mark = marks.data.get(LAYOUT_ATTR)
            if not isinstance(ty, TensorType) or mark != StringAttr(COL_MAJOR):
                continue
            shape = tuple(ty.get_shape())
            if len(shape) < 2:
                continue
            new = block.insert_arg(TensorType(ty.element_type, shape[::-1]), i)
            back = zt.TransposeOp(new, tuple(range(len(shape) - 1, -1, -1)))
            if block.first_op is not None:
                block.insert_op_before(back, block.first_op)
            else:
                block.add_op(back)
            arg.replace_all_uses_with(back.results[0])
            block.erase_arg(arg)
            rest = {k: v for k, v in marks.data.items() if k != LAYOUT_ATTR}
            attrs[i] = DictionaryAttr(rest)
        f.arg_attrs = ArrayAttr(attrs) if any(a.data for a in attrs) else None
        f.function_type = FunctionType.from_lists(
            [a.type for a in block.args], list(f.function_type.outputs.data)
        )
    return module


class CompiledBackend:
    """The default `zg.jit` backend: compiles traced modules with `zg.compile` (the default
    pipeline `cpu-pipeline{opt-level=.. eqsat=..}`, or `options.pipeline` when given) and runs
    the native code through the runtime.

    Array arguments are passed to the runtime as they come, without a copy. Compiled code
    reads statically shaped, identity-layout (row-major) memrefs, so an F-contiguous argument
    (marked `{ziggurat.layout = "col_major"}` on the traced argument) is compiled as its
    transpose (`take_transposes`: the function takes the array's C-contiguous transpose and
    transposes it back as its first op, which the kernels fuse into their reads), and
    `zg.jit` hands the executable `a.T` (`transposes_col_major`). Results are fresh C-ordered
    arrays. The executable is cached in memory by `zg.jit` and on disk by `zg.compile`.
    """

    name = "compiled"
    transposes_col_major = True
    """Executables of F-contiguous arguments take their transposes (`take_transposes`)."""

    def pipeline_spec(self, options: JitOptions) -> str:
        """The pipeline string these options compile with (with `autotune`, pricing with the
        newest refit model of this CPU, if there is one)."""
        if options.pipeline is not None:
            return options.pipeline
        if options.autotune:
            from ziggurat.autotune import tuned_spec

            return tuned_spec(
                options.opt_level, options.eqsat, options.fast_math_flags(), options.threads
            )
        return default_spec(
            options.opt_level, Target.default(), options.eqsat, options.fast_math_flags()
        )

    def compile_program(
        self, program: TracedProgram, func_name: str, options: JitOptions
    ) -> Executable:
        """`compile` for a traced program: with the default pipeline, the disk cache is looked
        up by `program.key` first, so a warm call builds no module and imports no xDSL. With
        `autotune`, an `AutotuneExecutable` (profiled calls first: `ziggurat.autotune`)."""
        if options.autotune:
            return AutotuneExecutable(self, program, func_name, options)
        return self.compile_untimed(program, func_name, options)

    def compile_untimed(
        self, program: TracedProgram, func_name: str, options: JitOptions
    ) -> KernelExecutable:
        """The executable of `program` under `options`' pipeline, without profiling marks."""
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
            take_transposes(program.module()),
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
            take_transposes(module.clone()),
            pipeline=self.pipeline_spec(options),
            opt_level=options.opt_level,
            threads=options.threads,
            entry=func_name,
        )
        return KernelExecutable(exe.function(func_name), options.threads)

    def stage_text(self, module: ModuleOp, stage: str, options: JitOptions) -> str:
        from ziggurat.driver import compile, lower_to_llvm_ir, pipeline_stage

        check_stage(stage)
        spec = self.pipeline_spec(options)
        if stage != "ztensor":
            module = take_transposes(module.clone())
        if stage == "llvm":
            return lower_to_llvm_ir(module.clone(), spec)
        if stage == "asm":
            return compile(module, pipeline=spec, opt_level=options.opt_level).asm()
        if stage == "ztensor":
            return str(module)
        return pipeline_stage(module, spec, stage)

    def __repr__(self) -> str:
        return "CompiledBackend()"
