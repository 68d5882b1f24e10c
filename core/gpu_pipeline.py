"""`gpu-pipeline{arch=sm_80 num-warps=4 eqsat=true fast-math=...}`: from ztensor to GPU kernels
(LLVM IR for NVPTX) and their host manifest.

The same front as `cpu-pipeline` (`linalg-to-ztensor`, `canonicalize`, `eqsat`; linalg it
cannot raise is a located "not supported" error: the loop fallback, `linalg-to-zloop`, is
CPU-only), then `ztensor-to-ztile{target=gpu}` (the small tiles of `GpuTileSizes`) and
`ztile-to-nvvm{arch=.. num-warps=..}`. `-t ptx` prints the PTX of the result, `-t cubin`
assembles it with ptxas; `ziggurat.runtime.cuda` launches it. Like `cpu-pipeline` it is a
composite pass (`inner_passes()`), and it checks its input first (the same checks as
`cpu-pipeline`, f16 and bf16 tensors included: `?` dimensions, ... are reported at the op,
naming gpu-pipeline). `fast-math` selects eqsat's rewrites as in `cpu-pipeline` (the kernels
themselves carry no LLVM fast-math flags).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass, PassPipeline

from ziggurat.cpu_pipeline import (
    INNER_PASSES,
    _loader,
    check_supported,
    eqsat_spec,
    run_composite,
)
from ziggurat.errors import PassOptionError
from ziggurat.lowering.ztile_to_nvvm import ARCHS
from ziggurat.passes.fast_math import parse_fast_math

GPU_INNER_PASSES: dict[str, str] = {
    **INNER_PASSES,
    "ztile-to-nvvm": "ziggurat.lowering.ztile_to_nvvm:ZTileToNVVMPass",
}


@dataclass(frozen=True)
class GpuPipelinePass(ModulePass):
    """ztensor to GPU kernels: canonicalize, eqsat (unless `eqsat=false`; IEEE-exact rules
    unless `fast-math` enables flags), GPU tiles, `ztile-to-nvvm` for `arch` with `num-warps`
    warps a block."""

    name = "gpu-pipeline"

    arch: str = "sm_80"
    num_warps: int = 4
    eqsat: bool = True
    fast_math: tuple[str, ...] = ()

    def validate(self) -> None:
        try:
            parse_fast_math(self.fast_math)
        except ValueError as exc:
            raise PassOptionError(self.name, "fast-math", str(exc)) from exc
        if self.arch not in ARCHS:
            raise PassOptionError(
                self.name, "arch", f"must be one of {', '.join(ARCHS)}, got '{self.arch}'"
            )
        if not 1 <= self.num_warps <= 32:
            raise PassOptionError(self.name, "num-warps", f"must be 1..32, got {self.num_warps}")

    def stages(self) -> list[tuple[str, str]]:
        """(stage name, pipeline spec) in order."""
        return [
            ("canonicalize", "linalg-to-ztensor{fallback=false},canonicalize"),
            *([("eqsat", eqsat_spec(self.fast_math))] if self.eqsat else []),
            ("ztile", "ztensor-to-ztile{target=gpu}"),
            ("nvvm", f"ztile-to-nvvm{{arch={self.arch} num-warps={self.num_warps}}}"),
        ]

    def inner_passes(self) -> list[ModulePass]:
        """The passes this pipeline runs, in order (the expansion of `stages()`)."""
        spec = ",".join(s for _, s in self.stages())
        passes = {name: _loader(target) for name, target in GPU_INNER_PASSES.items()}
        return list(PassPipeline.parse_spec(passes, spec).passes)

    def check_input(self, module: ModuleOp) -> None:
        check_supported(module, narrow=True, pipeline=self.name)

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        run_composite(self, ctx, op)


__all__ = ["GpuPipelinePass"]
