"""`cpu-pipeline`: the default pipeline from ztensor to the llvm dialect for the host CPU."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, i64
from xdsl.passes import ModulePass, PassPipeline

OPT_LEVEL_ATTR = "ziggurat.opt_level"
"""Module attribute recording the LLVM optimization level the pipeline asked for."""


def default_vector_width() -> int:
    """Vector lanes of f32 for the host: 16 with AVX-512, 8 otherwise."""
    from ziggurat.runtime.target import Target

    return Target.default().vector_width()


@dataclass(frozen=True)
class CpuPipelinePass(ModulePass):
    """The default pipeline, shared by `zg.jit`, `zg.compile`, `ziggurat-run` and
    `ziggurat-opt -p cpu-pipeline`:

    `canonicalize`, optionally `eqsat`, `ztensor-to-ztile`, `bufferize`,
    `ztile-to-zloop{vector-width=W}`, `canonicalize`, `convert-to-llvm`.

    Assumes a module of `func.func`s on ztensor (or already-lowered levels: each pass leaves
    ops it does not own alone). Leaves a module in the llvm dialect whose attribute
    `ziggurat.opt_level` carries `opt-level` for the LLVM backend (`-t llvm`, `-t asm`, the
    runtime). `vector-width=0` picks the host's width (16 with AVX-512, else 8).
    """

    name = "cpu-pipeline"

    opt_level: int = 3
    vector_width: int = 0
    eqsat: bool = False

    def stages(self) -> list[tuple[str, str]]:
        """(stage name, pipeline spec) in order; stage names are those of `Lowered.as_text`."""
        width = self.vector_width or default_vector_width()
        return [
            ("canonicalize", "canonicalize"),
            *([("eqsat", "eqsat")] if self.eqsat else []),
            ("ztile", "ztensor-to-ztile"),
            ("bufferize", "bufferize"),
            ("zloop", f"ztile-to-zloop{{vector-width={width}}},canonicalize"),
            ("llvm-dialect", "convert-to-llvm"),
        ]

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.opt_level not in range(4):
            raise ValueError(f"cpu-pipeline: opt-level must be 0..3, got {self.opt_level}")
        from ziggurat.universe import all_passes

        passes = all_passes()
        spec = ",".join(s for _, s in self.stages())
        PassPipeline.parse_spec(passes, spec).apply(ctx, op)
        op.attributes[OPT_LEVEL_ATTR] = IntegerAttr(self.opt_level, i64)
