"""Embedding API: parse pipelines, compile modules or .mlir text to executables.

```python
import ziggurat as zg
exe = zg.compile(open("examples/mlp.mlir").read())      # default pipeline, host CPU, O3
out = exe(x, w1, b1, w2, b2)                            # numpy in, numpy out
pipeline = zg.parse_pipeline("canonicalize,eqsat")      # an xDSL PassPipeline
pipeline.apply(zg.make_context(), module)
```

Compiled artifacts are cached on disk twice: the LLVM IR produced for (input, pipeline,
target, opt level) and, in the runtime, the object code for that IR, so a warm compile skips
both the Python passes and LLVM.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Sequence
from difflib import get_close_matches
from typing import Any, Literal, overload

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import IntegerType, MemRefType, ModuleOp, TensorType, i1
from xdsl.ir import Attribute
from xdsl.passes import PassPipeline
from xdsl.utils.arg_spec import parse_pipeline as parse_arg_specs
from xdsl.utils.exceptions import ArgSpecParseError

from ziggurat.artifacts import (
    DEFAULT_PIPELINE,
    Executable,
    default_spec,
    file_stamp,
    load_lowered,
    lowered_key,
    package_stamp,
    store_alias,
    store_lowered,
)
from ziggurat.cpu_pipeline import UnsupportedError, type_problem
from ziggurat.diagnostics import Diagnostic, DiagnosticError, op_diagnostic
from ziggurat.dialects.ztensor_semantics import numpy_dtype
from ziggurat.errors import ArgumentError, PipelineError, StageUnavailableError, ZigguratError
from ziggurat.lowering.llvm_translate import translate_module
from ziggurat.parsing import parse_module as parse_located
from ziggurat.passes.options import check_options, flatten, pass_failure, run_step
from ziggurat.runtime import ArgSpec, Target, compile_llvm_ir
from ziggurat.runtime.compiler import default_cache, pipeline_llvm_level
from ziggurat.runtime.cuda import GpuExecutable
from ziggurat.universe import BUILTIN_PASSES, all_passes, get_all_passes, make_context


def parse_pipeline(spec: str) -> PassPipeline:
    """Parse an opt-style pipeline string (`"canonicalize,eqsat{node-limit=1000}"`) into an
    xDSL `PassPipeline` over every pass Ziggurat and xDSL know (plug-ins included)."""
    passes = all_passes()
    try:
        names = [arg.name for arg in parse_arg_specs(spec)]
    except (ArgSpecParseError, Exception) as e:  # ArgSpecParseError is a BaseException
        raise PipelineError(f"invalid pipeline {spec!r}: {e}") from None
    unknown = [n for n in names if n not in passes]
    if unknown:
        ours = sorted(get_all_passes())
        hints = [
            f"'{n}' (did you mean {', '.join(repr(m) for m in close)}?)"
            if (close := get_close_matches(n, list(passes), n=3))
            else f"'{n}'"
            for n in unknown
        ]
        raise PipelineError(
            f"invalid pipeline {spec!r}: unknown pass {', '.join(hints)}; Ziggurat's passes "
            f"(registered ones included) are {', '.join(ours)}, plus {len(passes) - len(ours)} "
            "xDSL passes (`ziggurat-opt --help` lists every pass)"
        )
    try:
        pipeline = PassPipeline.parse_spec(passes, spec)
    except (ArgSpecParseError, Exception) as e:
        raise PipelineError(f"invalid pipeline {spec!r}: {e}") from None
    for p in pipeline.passes:
        check_options(p)
    flatten(pipeline.passes)  # checks the options of the passes composites run
    return pipeline


def parse_module(text: str, filename: str = "<string>") -> ModuleOp:
    """Parse and verify .mlir text; errors raise `DiagnosticError` with `file:line:col`."""
    return parse_located(text, filename, make_context())


def _public_functions(module: ModuleOp) -> list[func.FuncOp]:
    return [
        op
        for op in module.ops
        if isinstance(op, func.FuncOp) and not op.is_declaration and op.sym_visibility is None
    ]


def _unsupported_signature(f: func.FuncOp, message: str) -> ZigguratError:
    return UnsupportedError(op_diagnostic(f, f"@{f.sym_name.data}: {message}", None))


def _dtype(element: Attribute) -> np.dtype[Any]:
    """The numpy dtype of arguments and results with `element`s (integers: linalg on
    integer tensors, compiled by `linalg-to-zloop`)."""
    if isinstance(element, IntegerType) and element != i1:
        from ziggurat.dialects.zloop_semantics import numpy_dtype as integer_dtype

        return integer_dtype(element)
    return numpy_dtype(element)


def _check_signature(f: func.FuncOp) -> None:
    kinds = (("argument", f.function_type.inputs.data), ("result", f.function_type.outputs.data))
    for kind, types in kinds:
        for i, ty in enumerate(types):
            problem = type_problem(ty, integers=True)
            if problem is not None:
                raise _unsupported_signature(
                    f, f"{kind} #{i} has type {ty}: cpu-pipeline does not support {problem}"
                )


def signatures(module: ModuleOp) -> dict[str, tuple[ArgSpec, ...]]:
    """Calling signatures of the public functions of a module *before* lowering.

    Tensor arguments become inputs and tensor results outputs appended after them (the
    `bufferize` calling convention); memref arguments of already-bufferized functions are
    read and written in place (`inout`).
    """
    result: dict[str, tuple[ArgSpec, ...]] = {}
    for f in _public_functions(module):
        _check_signature(f)
        specs: list[ArgSpec] = []
        for i, ty in enumerate(f.function_type.inputs.data):
            if isinstance(ty, TensorType):
                specs.append(
                    ArgSpec(tuple(ty.get_shape()), _dtype(ty.element_type), "in", f"arg{i}")
                )
            elif isinstance(ty, MemRefType):
                specs.append(
                    ArgSpec(tuple(ty.get_shape()), _dtype(ty.element_type), "inout", f"arg{i}")
                )
            else:
                raise _unsupported_signature(
                    f, f"argument #{i} has type {ty}; compiled functions take tensors or memrefs"
                )
        for i, ty in enumerate(f.function_type.outputs.data):
            if not isinstance(ty, TensorType):
                raise _unsupported_signature(
                    f, f"result #{i} has type {ty}; compiled functions return tensors"
                )
            specs.append(
                ArgSpec(tuple(ty.get_shape()), _dtype(ty.element_type), "out", f"result{i}")
            )
        result[f.sym_name.data] = tuple(specs)
    return result


def _source_text(source: ModuleOp | str) -> str:
    return source if isinstance(source, str) else str(source)


def run_pipeline(pipeline: PassPipeline, module: ModuleOp, filename: str = "<string>") -> None:
    """Apply `pipeline` to `module` in place, pass by pass (composites like `cpu-pipeline`
    expanded), checking each pass's options and input first.

    A pass that rejects its input raises a `DiagnosticError` (located at the op when the pass
    says where, else naming the pass and `filename`); other exceptions are bugs and propagate.
    """
    for p in pipeline.passes:
        check_options(p)
    ctx = make_context()
    for step in flatten(pipeline.passes):
        try:
            run_step(step, ctx, module)
        except Exception as e:
            message = pass_failure(step, e)
            if message is None:
                raise
            raise DiagnosticError(Diagnostic("error", message, filename=filename)) from e


def lower_to_llvm_ir(
    module: ModuleOp,
    pipeline: str | PassPipeline = DEFAULT_PIPELINE,
    filename: str = "<string>",
) -> str:
    """Run `pipeline` on `module` (in place) and translate the result to LLVM IR text."""
    passes = parse_pipeline(pipeline) if isinstance(pipeline, str) else pipeline
    run_pipeline(passes, module, filename)
    left = sorted({op.name for op in module.ops if not op.name.startswith("llvm.")})
    if left:
        spec = pipeline if isinstance(pipeline, str) else ",".join(p.name for p in passes.passes)
        raise PipelineError(
            f"pipeline {spec!r} does not lower the module to the llvm dialect ({', '.join(left)} "
            f"left at the top level); a compiling pipeline must end with {DEFAULT_PIPELINE} "
            f"(e.g. 'canonicalize,my-pass,{DEFAULT_PIPELINE}')"
        )
    return translate_module(module)


def pipeline_fingerprint(pipeline: PassPipeline) -> str:
    """What the output of `pipeline` depends on besides its text: Ziggurat's sources, the
    source files of passes defined outside Ziggurat and xDSL (user passes, plug-ins), and
    files named by pass options (e.g. `eqsat{rules-file=...}`), by size and mtime."""
    parts = [package_stamp()]
    for p in pipeline.passes:
        cls = type(p)
        if not cls.__module__.startswith(("ziggurat.", "xdsl.")):
            where = getattr(sys.modules.get(cls.__module__), "__file__", None)
            # A pass defined without a source file (a REPL, a notebook) is keyed by identity.
            parts.append(file_stamp(where) if where else f"{cls.__qualname__}@{id(cls)}")
        for value in vars(p).values():
            if isinstance(value, str) and value and os.path.isfile(value):
                parts.append(file_stamp(os.path.abspath(value)))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def spec_fingerprint(spec: str) -> str | None:
    """`pipeline_fingerprint` of the pipeline `spec` names, read from the text alone (no pass
    is imported or built), when it names only Ziggurat's built-in passes; else None. What
    their output depends on is then Ziggurat's sources and the files named in options."""
    try:
        specs = list(parse_arg_specs(spec))
    except (ArgSpecParseError, Exception):  # ArgSpecParseError is a BaseException
        return None
    if not specs or any(s.name not in BUILTIN_PASSES for s in specs):
        return None
    parts = [package_stamp()]
    for s in specs:
        for values in s.parameters.values():
            for value in values:
                if isinstance(value, str) and value and os.path.isfile(value):
                    parts.append(file_stamp(os.path.abspath(value)))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@overload
def compile(
    source: ModuleOp | str,
    *,
    pipeline: str | None = None,
    opt_level: int = 3,
    target: Target | None = None,
    threads: int | None = None,
    entry: str | None = None,
    filename: str = "<string>",
    cache: bool = True,
    device: Literal["cpu"] = "cpu",
) -> Executable: ...


@overload
def compile(
    source: ModuleOp | str,
    *,
    pipeline: str | None = None,
    opt_level: int = 3,
    target: Target | None = None,
    threads: int | None = None,
    entry: str | None = None,
    filename: str = "<string>",
    cache: bool = True,
    device: Literal["cuda"],
) -> GpuExecutable: ...


@overload
def compile(
    source: ModuleOp | str,
    *,
    pipeline: str | None = None,
    opt_level: int = 3,
    target: Target | None = None,
    threads: int | None = None,
    entry: str | None = None,
    filename: str = "<string>",
    cache: bool = True,
    device: str,
) -> Executable | GpuExecutable: ...


def compile(
    source: ModuleOp | str,
    *,
    pipeline: str | None = None,
    opt_level: int = 3,
    target: Target | None = None,
    threads: int | None = None,
    entry: str | None = None,
    filename: str = "<string>",
    cache: bool = True,
    device: str = "cpu",
) -> Executable | GpuExecutable:
    """Compile a module (or .mlir text) with `pipeline` (default: `cpu-pipeline`) for `target`
    (default: the host) at `opt_level` and load it.

    `device="cuda"` compiles for the first CUDA GPU instead: `gpu-pipeline` for its arch
    (or `pipeline`), PTX, loaded by `ziggurat.runtime.cuda` (a `GpuExecutable`, called the same
    way). Without cuda-python, a driver or a GPU that raises one `CudaUnavailableError` saying
    what is missing, before anything is compiled.

    The input is not modified. `threads` sets the default thread count of the calls.
    Errors in the input raise `DiagnosticError` (located), unsupported constructs
    `UnsupportedError`, bad arguments `ArgumentError`, bad pipelines `PipelineError`: all
    `ZigguratError`s.
    """
    _check_compile_arguments(source, pipeline, opt_level, target, threads, entry)
    if device != "cpu":
        return _compile_cuda(source, pipeline, entry, filename, device)
    target = target or Target.default()
    spec = pipeline or default_spec(opt_level, target)
    return compile_cpu(source, spec, opt_level, target, threads, entry, filename, cache)


def compile_cpu(
    source: ModuleOp | str,
    spec: str,
    opt_level: int,
    target: Target,
    threads: int | None = None,
    entry: str | None = None,
    filename: str = "<string>",
    cache: bool = True,
    alias: str | None = None,
) -> Executable:
    """`compile` for the CPU with the pipeline `spec`, arguments already checked.

    The lowered IR is cached on disk under (input text, `spec`, `pipeline_fingerprint`,
    target, opt level); `alias` (a `ziggurat.artifacts.traced_key`) is made to name that
    entry too, so that `zg.jit` finds it from the traced program alone.
    """
    text = _source_text(source)
    store = default_cache() if cache else None
    # A cache hit of a built-in pipeline needs no pass built (eqsat's import of egglog alone
    # takes about 0.2 s); a miss checks the pipeline before anything else is done.
    fingerprint = spec_fingerprint(spec) if store is not None else None
    checked = fingerprint is None
    if fingerprint is None:
        fingerprint = pipeline_fingerprint(parse_pipeline(spec))
    digest = hashlib.sha256(text.encode()).hexdigest()
    key = lowered_key(digest, spec, fingerprint, target, opt_level)
    if store is not None:
        warm = load_lowered(store, key, target, opt_level, entry=entry, threads=threads)
        if warm is not None:
            if alias is not None:
                store_alias(store, alias, key)
            return warm
    # A miss, or a cached entry that was rejected: lower from scratch.
    if not checked:
        parse_pipeline(spec)
    module = parse_module(text, filename) if isinstance(source, str) else source.clone()
    sigs = signatures(module)
    ir_text = lower_to_llvm_ir(module, spec, filename)
    if store is not None:
        store_lowered(store, key, ir_text, sigs, alias)
    compiled = compile_llvm_ir(
        ir_text, sigs, target=target, opt_level=pipeline_llvm_level(opt_level), cache=cache
    )
    return Executable(compiled, sigs, ir_text, entry=entry, threads=threads)


EXPORT_PIPELINE = "linalg-to-ztensor,canonicalize,eqsat,ztensor-to-linalg"
"""What `to_linalg` runs by default: raise, optimize, and write the result as linalg."""


def to_linalg(
    source: ModuleOp | str,
    *,
    pipeline: str = EXPORT_PIPELINE,
    filename: str = "<string>",
) -> str:
    """The module (or .mlir text: ztensor, or linalg on tensors such as torch-mlir's) after
    `pipeline`, as MLIR text that `mlir-opt`/`iree-opt`/`iree-compile` accept: by default
    raised to ztensor, optimized by `eqsat` and written back as linalg on tensors
    (`ztensor-to-linalg`). The input is not modified. Located errors as in `compile`."""
    module = parse_module(source, filename) if isinstance(source, str) else source.clone()
    run_pipeline(parse_pipeline(pipeline), module, filename)
    left = sorted({op.name for op in module.walk() if op.dialect_name() == "ztensor"})
    if left:
        raise PipelineError(
            f"pipeline {pipeline!r} leaves ztensor ops ({', '.join(left)}): end it with "
            "ztensor-to-linalg"
        )
    return str(module)


def _compile_cuda(
    source: ModuleOp | str, pipeline: str | None, entry: str | None, filename: str, device: str
) -> GpuExecutable:
    """`compile(..., device="cuda")`: see `compile`."""
    if device != "cuda":
        raise ArgumentError(f"zg.compile: device must be 'cpu' or 'cuda', got {device!r}")
    from ziggurat.lowering.ztile_to_nvvm import llvm_ir_of, manifest_of
    from ziggurat.runtime import cuda
    from ziggurat.runtime.ptx import ptx_of

    gpu = cuda.device(0)
    spec = pipeline or f"gpu-pipeline{{arch={gpu.arch}}}"
    module = parse_module(source, filename) if isinstance(source, str) else source.clone()
    run_pipeline(parse_pipeline(spec), module, filename)
    ir_text, manifest = llvm_ir_of(module), manifest_of(module)
    if ir_text is None or manifest is None:
        raise PipelineError(f"pipeline {spec!r} does not end with gpu-pipeline or ztile-to-nvvm")
    return cuda.GpuExecutable(ptx_of(ir_text, str(manifest["arch"])), manifest, entry=entry)


def run_reference(
    source: ModuleOp | str, entry: str, inputs: Sequence[np.ndarray[Any, Any]]
) -> tuple[Any, ...]:
    """Run `entry` with the reference interpreter (the oracle compiled code is checked against)."""
    module = parse_module(source) if isinstance(source, str) else source
    # The interpreter is imported on use: it loads all of xDSL's interpreters (about 130 ms),
    # which compiling and calling compiled code never need.
    from ziggurat.interpreter import run_function

    return run_function(module, entry, *inputs)


def _check_compile_arguments(
    source: object,
    pipeline: object,
    opt_level: object,
    target: object,
    threads: object,
    entry: object,
) -> None:
    """`ArgumentError` for arguments of `compile` of the wrong type or out of range."""
    if not isinstance(source, ModuleOp | str):
        raise ArgumentError(f"zg.compile: source must be .mlir text or a ModuleOp, got {source!r}")
    if pipeline is not None and not isinstance(pipeline, str):
        raise ArgumentError(f"zg.compile: pipeline must be None or a str, got {pipeline!r}")
    if isinstance(opt_level, bool) or not isinstance(opt_level, int) or opt_level not in range(4):
        raise ArgumentError(f"zg.compile: opt_level must be an int in 0..3, got {opt_level!r}")
    if target is not None and not isinstance(target, Target):
        raise ArgumentError(
            f"zg.compile: target must be None or a zg.Target (e.g. zg.Target.named('avx2')), "
            f"got {target!r}"
        )
    if threads is not None and (
        isinstance(threads, bool) or not isinstance(threads, int) or threads < 1
    ):
        raise ArgumentError(f"zg.compile: threads must be None or an int >= 1, got {threads!r}")
    if entry is not None and not isinstance(entry, str):
        raise ArgumentError(f"zg.compile: entry must be None or a function name, got {entry!r}")


def pipeline_stages(
    module: ModuleOp, pipeline: str | PassPipeline, until: str | None = None
) -> dict[str, str]:
    """The IR text of `module` at each of `zg.STAGES` reached by `pipeline` (not in place),
    stopping once stage `until` is recorded.

    `cpu-pipeline` is run pass by pass. "ztensor" is the input; "eqsat" the module after the
    `eqsat` pass or, without one, the module `ztensor-to-ztile` receives; "ztile" after
    `ztensor-to-ztile`; "zloop" the module `convert-to-llvm` receives; "llvm-dialect" the
    module at the end of the pipeline. "llvm" and "asm" are not included.
    """
    parsed = parse_pipeline(pipeline) if isinstance(pipeline, str) else pipeline
    work, ctx = module.clone(), make_context()
    texts = {"ztensor": str(work)}
    for step in flatten(parsed.passes):
        p = step.pass_
        if until in texts:
            return texts
        if p.name == "ztensor-to-ztile" and "eqsat" not in texts:
            texts["eqsat"] = str(work)
        elif p.name == "convert-to-llvm":
            texts["zloop"] = str(work)
        if until in texts:
            return texts
        run_step(step, ctx, work)
        if p.name == "eqsat":
            texts["eqsat"] = str(work)
        elif p.name == "ztensor-to-ztile":
            texts["ztile"] = str(work)
    if "zloop" in texts:
        texts["llvm-dialect"] = str(work)
    return texts


def pipeline_stage(module: ModuleOp, pipeline: str, stage: str) -> str:
    """The IR text of `module` at `stage` of `pipeline` (`pipeline_stages`); a
    `StageUnavailableError` naming the stages it reaches when it does not reach `stage`."""
    texts = pipeline_stages(module, pipeline, until=stage)
    if stage not in texts:
        raise StageUnavailableError(
            f"stage {stage!r} is not reached by the pipeline {pipeline!r} (it reaches "
            f"{', '.join(texts)})"
        )
    return texts[stage]
