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
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import MemRefType, ModuleOp, TensorType
from xdsl.ir import Attribute
from xdsl.passes import PassPipeline

import ziggurat
from ziggurat.frontend import ZigguratError
from ziggurat.runtime import ArgSpec, CompiledModule, Kernel, Target, compile_llvm_ir
from ziggurat.runtime.cache import cache_key
from ziggurat.runtime.compiler import default_cache
from ziggurat.universe import all_passes, make_context

DEFAULT_PIPELINE = "cpu-pipeline"
"""The one default pipeline shared by `zg.jit`, `zg.compile`, `ziggurat-run` and
`ziggurat-opt -p cpu-pipeline` (see passes/cpu_pipeline.py)."""


class PipelineError(ZigguratError, ValueError):
    """A pipeline string names an unknown pass or a bad option."""


def parse_pipeline(spec: str) -> PassPipeline:
    """Parse an opt-style pipeline string (`"canonicalize,eqsat{node-limit=1000}"`) into an
    xDSL `PassPipeline` over every pass Ziggurat and xDSL know (plug-ins included)."""
    passes = all_passes()
    try:
        return PassPipeline.parse_spec(passes, spec)
    except Exception as e:
        message = str(e)
        if "Unrecognized passes" in message:
            message += "; available passes: " + ", ".join(sorted(passes))
        raise PipelineError(f"invalid pipeline {spec!r}: {message}") from None


def parse_module(text: str, filename: str = "<string>") -> ModuleOp:
    """Parse and verify .mlir text; errors raise `DiagnosticError` with `file:line:col`."""
    from ziggurat.tools.diagnostics import parse_module as parse_located

    return parse_located(text, filename, make_context())


def _numpy_dtype(element_type: Attribute) -> np.dtype[Any]:
    from ziggurat.dialects.ztensor_semantics import numpy_dtype

    return numpy_dtype(element_type)


def _public_functions(module: ModuleOp) -> list[func.FuncOp]:
    return [
        op
        for op in module.ops
        if isinstance(op, func.FuncOp) and not op.is_declaration and op.sym_visibility is None
    ]


def signatures(module: ModuleOp) -> dict[str, tuple[ArgSpec, ...]]:
    """Calling signatures of the public functions of a module *before* lowering.

    Tensor arguments become inputs and tensor results outputs appended after them (the
    `bufferize` calling convention); memref arguments of already-bufferized functions are
    read and written in place (`inout`).
    """
    result: dict[str, tuple[ArgSpec, ...]] = {}
    for f in _public_functions(module):
        specs: list[ArgSpec] = []
        for i, ty in enumerate(f.function_type.inputs.data):
            if isinstance(ty, TensorType):
                specs.append(
                    ArgSpec(tuple(ty.get_shape()), _numpy_dtype(ty.element_type), "in", f"arg{i}")
                )
            elif isinstance(ty, MemRefType):
                specs.append(
                    ArgSpec(
                        tuple(ty.get_shape()), _numpy_dtype(ty.element_type), "inout", f"arg{i}"
                    )
                )
            else:
                raise ZigguratError(
                    f"@{f.sym_name.data}: argument {i} has type {ty}; compiled functions take "
                    "tensors or memrefs"
                )
        for i, ty in enumerate(f.function_type.outputs.data):
            if not isinstance(ty, TensorType):
                raise ZigguratError(
                    f"@{f.sym_name.data}: result {i} has type {ty}; compiled functions return tensors"
                )
            specs.append(
                ArgSpec(tuple(ty.get_shape()), _numpy_dtype(ty.element_type), "out", f"result{i}")
            )
        result[f.sym_name.data] = tuple(specs)
    return result


def _specs_to_json(sigs: dict[str, tuple[ArgSpec, ...]]) -> dict[str, Any]:
    return {
        name: [[list(s.shape), s.dtype.str, s.role, s.name] for s in specs]
        for name, specs in sigs.items()
    }


def _specs_from_json(data: dict[str, Any]) -> dict[str, tuple[ArgSpec, ...]]:
    return {
        name: tuple(ArgSpec(tuple(shape), np.dtype(dt), role, n) for shape, dt, role, n in specs)
        for name, specs in data.items()
    }


@dataclass
class Executable:
    """Compiled functions of one module, callable on numpy arrays.

    `exe(*inputs)` calls the module's only public function (or `entry`); `exe.function(name)`
    gives any of them. Outputs are returned (a tuple when there are several); pass output
    arrays after the inputs to write into them instead.
    """

    compiled: CompiledModule
    signatures: dict[str, tuple[ArgSpec, ...]]
    llvm_ir: str
    entry: str | None = None
    threads: int | None = None
    _kernels: dict[str, Kernel] = field(default_factory=dict, repr=False)

    def function(self, name: str) -> Kernel:
        """The checked callable of the public function `name`."""
        if name not in self.signatures:
            known = ", ".join(sorted(self.signatures)) or "none"
            raise KeyError(f"no public function @{name} in this module (functions: {known})")
        return self.compiled.kernel(name)

    @property
    def entry_name(self) -> str:
        if self.entry is not None:
            return self.entry
        if len(self.signatures) != 1:
            known = ", ".join(sorted(self.signatures)) or "none"
            raise ZigguratError(
                f"the module has {len(self.signatures)} public functions ({known}): name one "
                "with entry=... or use .function(name)"
            )
        return next(iter(self.signatures))

    def __call__(self, *args: Any, threads: int | None = None) -> Any:
        kernel = self.function(self.entry_name)
        return kernel(*args, threads=threads if threads is not None else self.threads)

    def asm(self) -> str:
        """Host assembly of the compiled module."""
        return self.compiled.asm()


def _source_text(source: ModuleOp | str) -> str:
    return source if isinstance(source, str) else str(source)


def lower_to_llvm_ir(module: ModuleOp, pipeline: str | PassPipeline = DEFAULT_PIPELINE) -> str:
    """Run `pipeline` on `module` (in place) and translate the result to LLVM IR text."""
    from ziggurat.lowering.llvm_translate import translate_module

    passes = parse_pipeline(pipeline) if isinstance(pipeline, str) else pipeline
    passes.apply(make_context(), module)
    return translate_module(module)


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
) -> Executable:
    """Compile a module (or .mlir text) with `pipeline` (default: `cpu-pipeline`) for `target`
    (default: the host) at `opt_level` and load it.

    The input is not modified. `threads` sets the default thread count of the calls.
    """
    target = target or Target.default()
    spec = (
        pipeline
        or f"{DEFAULT_PIPELINE}{{opt-level={opt_level} vector-width={target.vector_width()}}}"
    )
    text = _source_text(source)
    store = default_cache() if cache else None
    key = cache_key(
        "lowered",
        hashlib.sha256(text.encode()).hexdigest(),
        spec,
        target.key if isinstance(target.key, str) else str(target.key),
        str(opt_level),
        ziggurat.__version__,
    )
    entry_data = store.load(key) if store is not None else None
    if entry_data is not None:
        ir_text = entry_data.obj.decode()
        sigs = _specs_from_json(json.loads(entry_data.meta["signatures"]))
    else:
        module = parse_module(text, filename) if isinstance(source, str) else source.clone()
        sigs = signatures(module)
        ir_text = lower_to_llvm_ir(module, spec)
        if store is not None:
            store.store(key, ir_text.encode(), {"signatures": json.dumps(_specs_to_json(sigs))})
    compiled = compile_llvm_ir(ir_text, sigs, target=target, opt_level=opt_level, cache=cache)
    return Executable(compiled, sigs, ir_text, entry=entry, threads=threads)


def run_reference(
    source: ModuleOp | str, entry: str, inputs: Sequence[np.ndarray[Any, Any]]
) -> tuple[Any, ...]:
    """Run `entry` with the reference interpreter (the oracle compiled code is checked against)."""
    from ziggurat.interpreter import run_function

    module = parse_module(source) if isinstance(source, str) else source
    return run_function(module, entry, *inputs)


def _default_spec(opt_level: int, target: Target, eqsat: bool = False) -> str:
    eq = " eqsat=true" if eqsat else ""
    return f"{DEFAULT_PIPELINE}{{opt-level={opt_level} vector-width={target.vector_width()}{eq}}}"


class CompiledBackend:
    """The `zg.jit` backend that compiles traced modules with the default pipeline (or the
    one given in the options) and runs native code through the runtime."""

    name = "compiled"

    def _spec(self, options: Any) -> str:
        return options.pipeline or _default_spec(options.opt_level, Target.default(), options.eqsat)

    def compile(self, module: ModuleOp, func_name: str, options: Any) -> Any:
        exe = compile(
            module,
            pipeline=self._spec(options),
            opt_level=options.opt_level,
            threads=options.threads,
            entry=func_name,
        )
        kernel = exe.function(func_name)

        def run(*arrays: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], ...]:
            out = kernel(*arrays, threads=options.threads)
            return out if isinstance(out, tuple) else (out,)

        return run

    def stage_text(self, module: ModuleOp, stage: str, options: Any) -> str:
        from ziggurat.passes.cpu_pipeline import CpuPipelinePass

        if stage == "ztensor":
            return str(module)
        if stage == "llvm":
            return lower_to_llvm_ir(module.clone(), self._spec(options))
        if stage == "asm":
            return compile(module, pipeline=self._spec(options), opt_level=options.opt_level).asm()
        if options.pipeline is not None:
            raise ValueError(
                f"stage {stage!r} belongs to the default pipeline; with a custom pipeline "
                "only the 'ztensor', 'llvm' and 'asm' stages are available"
            )
        stages = CpuPipelinePass(opt_level=options.opt_level, eqsat=options.eqsat).stages()
        # Without eqsat, its stage shows the module the eqsat pass would have received.
        wanted = "canonicalize" if stage == "eqsat" and not options.eqsat else stage
        work, ctx, passes = module.clone(), make_context(), all_passes()
        for name, spec in stages:
            PassPipeline.parse_spec(passes, spec).apply(ctx, work)
            if name == wanted:
                return str(work)
        raise ValueError(f"unknown stage {stage!r}")

    def __repr__(self) -> str:
        return "CompiledBackend()"
