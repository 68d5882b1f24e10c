"""`CudaBackend`: the `zg.jit(device="cuda")` backend, compiling traced modules to CUDA kernels.

Like `CompiledBackend` it joins the frontend (`ziggurat.jit`) to the embedding API
(`ziggurat.driver`), so it sits in the frontend layer (docs/layout.md). It compiles with
`gpu-pipeline{arch=<the GPU's> eqsat=.. fast-math=..}` (or `options.pipeline`) through
`zg.compile(..., device="cuda")` and runs the kernels through `ziggurat.runtime.cuda`.
Without cuda-python, a driver or a GPU, compiling raises one `CudaUnavailableError` saying
which, before anything is compiled. The IR stages (`Lowered.as_text`) need no GPU: they use
the GPU's arch when there is one and sm_80 otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ziggurat.errors import StageUnavailableError
from ziggurat.jit import Executable, JitOptions, check_stage
from ziggurat.passes.fast_math import flags_text, parse_fast_math

if TYPE_CHECKING:
    from xdsl.dialects.builtin import ModuleOp

    from ziggurat.runtime.cuda import GpuExecutable

NDArray = np.ndarray[Any, Any]

DEFAULT_ARCH = "sm_80"
"""The arch of the IR stages where no GPU is present."""

_GPU_STAGES = ("ztensor", "eqsat", "ztile", "llvm", "asm")


class CudaFunction:
    """The executable of one jitted function on the GPU: numpy arrays in, a tuple of fresh
    numpy arrays out (copied to and from the device by the runtime at every call)."""

    __slots__ = ("exe", "name")

    def __init__(self, exe: GpuExecutable, name: str) -> None:
        self.exe = exe
        self.name = name

    def __call__(self, *arrays: NDArray) -> tuple[NDArray, ...]:
        result = self.exe.run(self.name, arrays)
        return result if isinstance(result, tuple) else (result,)


class CudaBackend:
    """Compiles traced modules for the first CUDA GPU (`device` ordinal 0)."""

    name = "cuda"

    def pipeline_spec(self, options: JitOptions, arch: str) -> str:
        """The pipeline string these options compile with for `arch`."""
        if options.pipeline is not None:
            return options.pipeline
        eqsat = "" if options.eqsat else " eqsat=false"
        flags = parse_fast_math(options.fast_math_flags())
        fm = f" fast-math={flags_text(flags)}" if flags and options.eqsat else ""
        return f"gpu-pipeline{{arch={arch}{eqsat}{fm}}}"

    def compile(self, module: ModuleOp, func_name: str, options: JitOptions) -> Executable:
        from ziggurat.driver import compile
        from ziggurat.runtime import cuda

        arch = cuda.device(0).arch  # CudaUnavailableError, before anything is compiled
        exe = compile(
            module, pipeline=self.pipeline_spec(options, arch), entry=func_name, device="cuda"
        )
        return CudaFunction(exe, func_name)

    def stage_text(self, module: ModuleOp, stage: str, options: JitOptions) -> str:
        from ziggurat.driver import parse_pipeline, pipeline_stage, run_pipeline
        from ziggurat.lowering.ztile_to_nvvm import llvm_ir_of
        from ziggurat.runtime import cuda
        from ziggurat.runtime.ptx import ptx_of

        check_stage(stage)
        if stage not in _GPU_STAGES:
            raise StageUnavailableError(
                f"stage {stage!r} is CPU-only; the cuda backend has the stages "
                f"{', '.join(_GPU_STAGES)}"
            )
        try:
            arch = cuda.device(0).arch
        except cuda.CudaUnavailableError:
            arch = DEFAULT_ARCH
        spec = self.pipeline_spec(options, arch)
        if stage in ("llvm", "asm"):
            work = module.clone()
            run_pipeline(parse_pipeline(spec), work)
            text = llvm_ir_of(work)
            if text is None:
                raise StageUnavailableError(f"the pipeline {spec!r} makes no GPU kernels")
            return text if stage == "llvm" else ptx_of(text, arch)
        return pipeline_stage(module, spec, stage)

    def __repr__(self) -> str:
        return "CudaBackend()"


__all__ = ["CudaBackend", "CudaFunction"]
