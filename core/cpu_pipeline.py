"""`cpu-pipeline`: the default pipeline from ztensor to the llvm dialect for the host CPU.

It composes passes of `ziggurat.passes` and `ziggurat.lowering`, so it sits above both
(docs/layout.md). It is a composite pass: `inner_passes()` lists the passes it runs, so drivers can show each
one (`ziggurat-opt --print-between-passes`, `--time-passes`) and `Lowered.as_text` can stop
between them. Before running, it checks that the input is something it compiles and reports
what is not (`?` dimensions, zero-size tensors, linalg ops that even the loop fallback
cannot lower, ...) at the op. It compiles f16 and bf16 tensors (held as `half` and `bfloat` in
memory, computed in f32 and rounded as the semantics say: `ztile-widen`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    AnyFloat,
    BFloat16Type,
    ComplexType,
    ContainerType,
    Float16Type,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    TensorType,
    f16,
    f32,
    f64,
    i1,
    i8,
    i16,
    i32,
    i64,
)
from xdsl.ir import Attribute, Operation
from xdsl.passes import ModulePass, PassPipeline

from ziggurat.diagnostics import DiagnosticError, op_diagnostic
from ziggurat.errors import PassOptionError
from ziggurat.passes.fast_math import flags_text, parse_fast_math
from ziggurat.passes.options import check_input, check_options
from ziggurat.passes.pipeline_text import option_text
from ziggurat.runtime.target import Target
from ziggurat.targets import OPT_LEVEL_ATTR

SUPPORTED_DIALECTS = (
    "builtin",
    "linalg",
    "tensor",
    "func",
    "ztensor",
    "ztile",
    "zloop",
    "arith",
    "math",
    "scf",
    "memref",
    "vector",
    "bufferization",
    "llvm",
)
"""Dialects whose ops `cpu-pipeline` accepts: ztensor, the ops of the lower levels its
passes produce (a module may enter at any level), and linalg on tensors, which its first pass
(`linalg-to-ztensor`) raises to ztensor and the loop fallback (`linalg-to-zloop`) compiles
where it cannot; what neither can is rejected up front, located at the op."""

INNER_PASSES: dict[str, str] = {
    "bufferize": "ziggurat.lowering.bufferize:BufferizePass",
    "canonicalize": "xdsl.transforms.canonicalize:CanonicalizePass",
    "convert-to-llvm": "ziggurat.lowering.convert_to_llvm:ConvertToLLVMPass",
    "eqsat": "ziggurat.passes.eqsat:EqsatPass",
    "linalg-to-zloop": "ziggurat.lowering.linalg_to_zloop:LinalgToZLoopPass",
    "linalg-to-ztensor": "ziggurat.passes.linalg_to_ztensor:LinalgToZTensorPass",
    "ztensor-to-ztile": "ziggurat.lowering.ztensor_to_ztile:ZTensorToZTilePass",
    "zloop-parallelize": "ziggurat.passes.zloop_parallelize:ZLoopParallelizePass",
    "ztile-to-zloop": "ziggurat.lowering.ztile_to_zloop:ZTileToZLoopPass",
}
"""Pass name -> "module:ClassName" of the passes `stages()` names. Each is imported when the
pipeline is first expanded with it (eqsat loads egglog), not with this module."""


def _loader(target: str) -> Callable[[], type[ModulePass]]:
    module, _, name = target.partition(":")
    return lambda: getattr(import_module(module), name)


MAX_BYTES = 2**63 - 1
"""The largest tensor or memref (in bytes) whose addresses fit the index type."""


class UnsupportedError(DiagnosticError):
    """Valid IR that the default pipeline does not compile, located at the op (integer
    elements outside function signatures, dynamic or zero-size dimensions, sizes beyond the index range, ops of
    dialects it does not lower)."""


def eqsat_spec(fast_math: tuple[str, ...], calibration: str = "") -> str:
    """The `eqsat` step of a pipeline allowed the fast-math flags `fast_math`, pricing with
    the refit model file `calibration` when one is named."""
    flags = parse_fast_math(fast_math)
    options = [f"fast-math={flags_text(flags)}"] if flags else []
    if calibration:
        options.append(f"calibration={option_text(calibration)}")
    return f"eqsat{{{' '.join(options)}}}" if options else "eqsat"


def default_vector_width() -> int:
    """Vector lanes of f32 for the host: 16 with AVX-512, 8 otherwise."""
    return Target.default().vector_width()


INTEGER_ELEMENTS = (i8, i16, i32, i64)
"""Integer elements of the tensors that functions take and return: linalg ops on them are
compiled as loops (`linalg-to-zloop`); ztensor ops hold f32, f64 and i1 only."""


NARROW_ELEMENTS = (f16, BFloat16Type())
"""The 16-bit float elements `cpu-pipeline` compiles (in tensors and memrefs)."""


def type_problem(ty: Attribute, integers: bool = False, narrow: bool = True) -> str | None:
    """What `cpu-pipeline` does not support about values of the tensor or memref type `ty`
    (None if it compiles them, or if `ty` is not shaped): a phrase that follows
    "cpu-pipeline does not support". `integers` accepts the `INTEGER_ELEMENTS` too (in
    function signatures); `narrow=False` rejects the `NARROW_ELEMENTS`."""
    if not isinstance(ty, TensorType | MemRefType):
        return None
    shape = tuple(ty.get_shape())
    element = ty.get_element_type()
    floats = (f32, f64, *NARROW_ELEMENTS) if narrow else (f32, f64)
    if integers and element in INTEGER_ELEMENTS:
        pass
    elif element not in (*floats, i1):
        also = ", and i8 to i64 integers in function signatures" if integers else ""
        names = "f16, bf16, f32 and f64" if narrow else "f32 and f64"
        return f"element type {element} (it compiles {names} tensors, and i1 booleans{also})"
    if any(d < 0 for d in shape):
        return "dynamic dimensions ('?'): give every dimension a static size"
    if 0 in shape:
        return "zero-size tensors (this one has no elements)"
    size = {f64: 8, f32: 4, i1: 1, i8: 1, i16: 2, i32: 4, i64: 8}.get(element, 2)
    for d in shape:
        size *= d
    if size > MAX_BYTES:
        return f"values of {size} bytes (beyond the index range, at most 2^63-1 bytes)"
    return None


def _float_problem(ty: Attribute, narrow: bool = True) -> str | None:
    """Floating-point or complex scalars, vectors, tensors or memrefs other than f32/f64
    (and, when `narrow`, f16/bf16 ones other than scalars of a function signature: those the
    runtime does not pass)."""
    element = ty.get_element_type() if isinstance(ty, ContainerType) else ty
    if isinstance(element, ComplexType):
        return "complex numbers"
    if narrow and isinstance(element, Float16Type | BFloat16Type):
        return None
    if isinstance(element, AnyFloat) and element not in (f32, f64):
        names = "f16, bf16 (in tensors), f32 and f64" if narrow else "f32 and f64"
        return f"{element} values (it compiles {names})"
    return None


def _signature_problem(ty: Attribute, narrow: bool) -> str | None:
    """`type_problem` and `_float_problem` of a function argument or result type (f16/bf16
    only as the elements of tensors and memrefs)."""
    if narrow and isinstance(ty, Float16Type | BFloat16Type):
        return f"{ty} scalars in function signatures (pass them as 0-d tensors)"
    return type_problem(ty, integers=True, narrow=narrow) or _float_problem(ty, narrow)


def _unsupported(op: Operation, message: str) -> UnsupportedError:
    return UnsupportedError(op_diagnostic(op, message, None))


def check_supported(module: ModuleOp, narrow: bool = False, pipeline: str = "cpu-pipeline") -> None:
    """Raise a located `UnsupportedError` at the first op `cpu-pipeline` cannot compile
    (linalg and tensor ops: what even the loop fallback, `linalg-to-zloop`, cannot lower).
    `narrow` accepts f16 and bf16 tensors (both pipelines pass it); `pipeline` is the name
    the messages give (`gpu-pipeline` runs the same checks)."""
    fallback: Callable[[Operation], str | None] | None = None
    for op in module.walk():
        dialect = op.dialect_name()
        if dialect not in SUPPORTED_DIALECTS:
            raise _unsupported(
                op,
                f"is not supported by {pipeline}: it compiles the ztensor dialect (and the "
                f"ztile and zloop levels below it), not '{dialect}' ops",
            )
        if isinstance(op, func.FuncOp):
            kinds = (
                ("argument", op.function_type.inputs.data),
                ("result", op.function_type.outputs.data),
            )
            for kind, types in kinds:
                for i, ty in enumerate(types):
                    problem = _signature_problem(ty, narrow)
                    if problem is not None:
                        raise _unsupported(
                            op,
                            f"{kind} #{i} has type {ty}: {pipeline} does not support {problem}",
                        )
            continue
        if dialect in ("linalg", "tensor") or (
            dialect == "arith" and any(isinstance(r.type, TensorType) for r in op.results)
        ):
            if fallback is None:
                fallback = import_module("ziggurat.lowering.linalg_to_zloop").unsupported_reason
            reason = fallback(op)
            if reason is not None:
                raise _unsupported(op, f"is not supported by {pipeline}: {reason}")
        for kind, values in (("operand", op.operands), ("result", op.results)):
            for i, value in enumerate(values):
                ty = value.type
                problem = (
                    type_problem(ty, narrow=narrow) if dialect == "ztensor" else None
                ) or _float_problem(ty, narrow)
                if problem is not None:
                    raise _unsupported(
                        op, f"{kind} #{i} has type {ty}: {pipeline} does not support {problem}"
                    )


def run_composite(composite: Any, ctx: Context, op: ModuleOp) -> None:
    """Apply a composite pipeline pass: its option and input checks, then each inner pass
    after that pass's own checks (as the drivers run them one by one)."""
    composite.validate()
    composite.check_input(op)
    for p in composite.inner_passes():
        check_options(p)
        check_input(p, op)
        p.apply(ctx, op)


@dataclass(frozen=True)
class RecordOptLevelPass(ModulePass):
    """The last step of `cpu-pipeline`: record its opt level on the module."""

    name = "record-opt-level"

    opt_level: int = 3

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        op.attributes[OPT_LEVEL_ATTR] = IntegerAttr(self.opt_level, i64)


@dataclass(frozen=True)
class CpuPipelinePass(ModulePass):
    """The default pipeline, shared by `zg.jit`, `zg.compile`, `ziggurat-run` and
    `ziggurat-opt -p cpu-pipeline`:

    `linalg-to-ztensor` (raises linalg on tensors, e.g. torch-mlir's output, to ztensor; it
    leaves other modules alone), `canonicalize`, `eqsat` (unless `eqsat=false`; IEEE-exact rules only unless `fast-math`
    enables flags, see passes/fast_math.py), `ztensor-to-ztile`, `linalg-to-zloop` (the
    linalg ops the raising left, as loops on buffers), `bufferize`,
    `ztile-to-zloop{vector-width=W}`, `zloop-parallelize` (outermost `zloop.for` nests without
    loop-carried dependences, e.g. hand-written ones, run on the thread pool), `canonicalize`,
    `convert-to-llvm`, then `record-opt-level`.

    Takes a module of `func.func`s on ztensor (or already-lowered levels: each pass leaves
    ops it does not own alone) and rejects, located at the op, what it cannot compile (see
    `check_supported`). Leaves a module in the llvm dialect whose attribute
    `ziggurat.opt_level` carries `opt-level` for the LLVM backend (`-t llvm`, `-t asm`, the
    runtime). `vector-width=0` picks the host's width (16 with AVX-512, else 8).
    `calibration=PATH` prices eqsat's extraction with a refit model file
    (`passes/eqsat/calibration.py`); `profile=true` brackets every kernel by profiling marks
    (`ztensor-to-ztile{profile=true}`). Both are what `zg.jit(autotune=True)` compiles with.
    """

    name = "cpu-pipeline"

    opt_level: int = 3
    vector_width: int = 0
    eqsat: bool = True
    fast_math: tuple[str, ...] = ()
    calibration: str = ""
    profile: bool = False

    def validate(self) -> None:
        """Option checks (`PassOptionError`), run by every driver when it builds the pass."""
        try:
            parse_fast_math(self.fast_math)
        except ValueError as exc:
            raise PassOptionError(self.name, "fast-math", str(exc)) from exc
        if self.opt_level not in range(4):
            raise PassOptionError(self.name, "opt-level", f"must be 0..3, got {self.opt_level}")
        if self.vector_width < 0:
            raise PassOptionError(
                self.name,
                "vector-width",
                f"must be 0 (the host's) or a lane count >= 1, got {self.vector_width}",
            )

    def stages(self) -> list[tuple[str, str]]:
        """(stage name, pipeline spec) in order; stage names are those of `Lowered.as_text`."""
        width = self.vector_width or default_vector_width()
        profile = "{profile=true}" if self.profile else ""
        return [
            ("canonicalize", "linalg-to-ztensor,canonicalize"),
            *([("eqsat", eqsat_spec(self.fast_math, self.calibration))] if self.eqsat else []),
            ("ztile", f"ztensor-to-ztile{profile},linalg-to-zloop"),
            ("bufferize", "bufferize"),
            ("zloop", f"ztile-to-zloop{{vector-width={width}}},zloop-parallelize,canonicalize"),
            ("llvm-dialect", "convert-to-llvm"),
        ]

    def inner_passes(self) -> list[ModulePass]:
        """The passes this pipeline runs, in order (the expansion of `stages()`)."""
        spec = ",".join(s for _, s in self.stages())
        passes = {name: _loader(target) for name, target in INNER_PASSES.items()}
        return [*PassPipeline.parse_spec(passes, spec).passes, RecordOptLevelPass(self.opt_level)]

    def check_input(self, module: ModuleOp) -> None:
        check_supported(module, narrow=True)

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        run_composite(self, ctx, op)
