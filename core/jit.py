"""`zg.jit`: trace numpy-like Python into ztensor, specialize, cache, and execute.

A `JittedFunction` traces its Python function on the first call for each combination of
argument shapes, dtypes, memory layouts and static (Python scalar) argument values, keeps the
traced module and its executable in memory, and returns numpy arrays. Execution goes through a
`Backend`: `CompiledBackend` (ziggurat/compiled_backend.py: the default pipeline, LLVM and
the runtime; the default) or `InterpreterBackend` (xDSL's interpreter with Ziggurat's
reference semantics). `DEFAULT_BACKEND` below is the one switch that selects the default.
"""

from __future__ import annotations

import abc
import contextlib
import ctypes
import functools
import gc
import os
import re
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, overload, runtime_checkable

import numpy as np

from ziggurat.errors import StageUnavailableError
from ziggurat.frontend import (
    BOOL,
    COL_MAJOR,
    SUPPORTED_NAMES,
    TracedArray,
    TracedProgram,
    Tracer,
    ZigguratTraceError,
    is_supported_dtype,
    is_traced,
    trace_error,
)
from ziggurat.passes.fast_math import parse_fast_math

if TYPE_CHECKING:
    from xdsl.dialects.builtin import ModuleOp

NDArray = np.ndarray[Any, Any]
Executable = Callable[..., tuple[NDArray, ...]]
"""A compiled function: takes the array arguments in order, returns one array per result."""


class OutExecutable(abc.ABC):
    """An `Executable` that can also write its results into given arrays: a backend's
    `compile` may return one (the compiled backend does), and `zg.jit`'s `out=` then hands
    the arrays over instead of copying the results into them.

    `__call__(*arrays, out=None)`: `out` is None (return fresh arrays) or a tuple of one
    array per result, each checked like an argument (dtype, shape, writeable, C-contiguous,
    no overlap with the other arguments); the results are written there and returned.
    `single()` may return a callable that takes the arrays and returns the one result itself
    (not in a tuple), which `zg.jit` then calls for functions with one result, for speed.
    """

    @abc.abstractmethod
    def __call__(
        self, *arrays: NDArray, out: tuple[Any, ...] | None = None
    ) -> tuple[NDArray, ...]: ...

    def single(self) -> Callable[..., NDArray] | None:
        """A callable returning the only result unwrapped, or None (the default)."""
        return None


STAGES: tuple[str, ...] = ("ztensor", "eqsat", "ztile", "zloop", "llvm-dialect", "llvm", "asm")
"""The IR stages `Lowered.as_text` can show, in pipeline order."""


# ---------------------------------------------------------------------------------------------
# Options and backends
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JitOptions:
    """Compilation options of `zg.jit`, handed to the backend.

    opt_level: 0-3, the optimization level of the compiled pipeline (LLVM and tiling effort).
    eqsat: run equality saturation on the ztensor graph before lowering (the `eqsat` pass in
        `cpu-pipeline`; sound and bounded in time, so on by default).
    threads: worker threads for parallel loops (None: all cores, 1: serial).
    pipeline: a pass pipeline string replacing the default pipeline (None: the default
        `cpu-pipeline{opt-level=.. eqsat=..}`); `eqsat` is then ignored, `opt_level` still sets
        LLVM's level, and the string must lower to the llvm dialect (end with cpu-pipeline).
    fast_math: the fast-math flags eqsat may use (passes/fast_math.py): False (the default:
        IEEE-exact rewrites only), True (all flags), or a sequence of flag names such as
        ("reassoc", "nnan", "ninf") for matrix-chain reassociation.
    autotune: time the kernels of the first calls of each specialization, refit eqsat's cost
        model from the times logged on this CPU, and run the program compiled under the refit
        model from then on (`ziggurat.autotune`; needs the default pipeline).
    """

    opt_level: int = 3
    eqsat: bool = True
    threads: int | None = None
    pipeline: str | None = None
    fast_math: bool | tuple[str, ...] = False
    autotune: bool = False

    def fast_math_flags(self) -> tuple[str, ...]:
        """`fast_math` as flag names (sorted)."""
        if self.fast_math is True:
            return ("fast",)
        if self.fast_math is False:
            return ()
        return tuple(sorted(self.fast_math))

    def __post_init__(self) -> None:
        if isinstance(self.opt_level, bool) or not isinstance(self.opt_level, int):
            raise TypeError(f"zg.jit: opt_level must be an int in 0..3, got {self.opt_level!r}")
        if not 0 <= self.opt_level <= 3:
            raise ValueError(f"zg.jit: opt_level must be in 0..3, got {self.opt_level}")
        if not isinstance(self.eqsat, bool):
            raise TypeError(f"zg.jit: eqsat must be a bool, got {self.eqsat!r}")
        if not isinstance(self.autotune, bool):
            raise TypeError(f"zg.jit: autotune must be a bool, got {self.autotune!r}")
        if self.autotune and self.pipeline is not None:
            raise ValueError(
                "zg.jit: autotune=True needs the default pipeline (it compiles with "
                "cpu-pipeline{profile=true} and then cpu-pipeline{calibration=...}); "
                "drop pipeline= or autotune="
            )
        if self.threads is not None and (
            isinstance(self.threads, bool) or not isinstance(self.threads, int) or self.threads < 1
        ):
            raise ValueError(f"zg.jit: threads must be None or an int >= 1, got {self.threads!r}")
        if self.pipeline is not None and not isinstance(self.pipeline, str):
            raise TypeError(f"zg.jit: pipeline must be None or a str, got {self.pipeline!r}")
        if not isinstance(self.fast_math, bool):
            if isinstance(self.fast_math, str) or not isinstance(self.fast_math, tuple | list):
                raise TypeError(
                    "zg.jit: fast_math must be a bool or a tuple of flag names, "
                    f"got {self.fast_math!r}"
                )
            try:
                parse_fast_math(self.fast_math)
            except ValueError as exc:
                raise ValueError(f"zg.jit: fast_math: {exc}") from exc
            object.__setattr__(self, "fast_math", tuple(self.fast_math))


@runtime_checkable
class Backend(Protocol):
    """How traced modules are executed and shown.

    `compile` turns a ztensor module (a public `func.func` named `func_name` on tensors) into
    an `Executable`: it is called with the array arguments in order (C- or F-contiguous numpy
    arrays of the traced shapes/dtypes; F-contiguous ones are marked on the function argument
    with `{ziggurat.layout = "col_major"}`; a backend whose `transposes_col_major` is true is
    handed their transposes instead, C-contiguous views of the same buffers) and returns a
    tuple of fresh numpy arrays, one per function result. `stage_text` returns the IR of
    `module` at one of `STAGES`. Neither may mutate `module` in place (the caller passes a
    clone it does not reuse, but keep to it).

    A backend may also define `compile_program(program, func_name, options)`, taking the
    `ziggurat.frontend.TracedProgram` instead of its module: `zg.jit` then calls it instead
    of `compile`, so that the backend can look a compiled artifact up by `program.key`
    before anything builds the module (`CompiledBackend` does, for warm starts).
    """

    name: str

    def compile(self, module: ModuleOp, func_name: str, options: JitOptions) -> Executable: ...

    def stage_text(self, module: ModuleOp, stage: str, options: JitOptions) -> str: ...


def check_stage(stage: str) -> None:
    """Raise ValueError unless `stage` is one of `STAGES`."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; the stages are {', '.join(STAGES)}")


class InterpreterBackend:
    """Runs the traced ztensor module with xDSL's interpreter and the reference semantics.

    It has only the "ztensor" stage; options other than the module are ignored (there is no
    pipeline to configure).
    """

    name = "interpreter"

    def compile(self, module: ModuleOp, func_name: str, options: JitOptions) -> Executable:
        from ziggurat.interpreter import run_function  # imports xDSL: not with `zg.jit`

        def run(*arrays: NDArray) -> tuple[NDArray, ...]:
            results = run_function(module, func_name, *arrays)
            return tuple(np.array(r, order="C", copy=True) for r in results)

        return run

    def stage_text(self, module: ModuleOp, stage: str, options: JitOptions) -> str:
        check_stage(stage)
        if stage == "ztensor":
            return str(module)
        raise StageUnavailableError(
            f"stage {stage!r} needs the compiled backend; the {self.name} backend only has the "
            f"'ztensor' stage (use zg.jit(backend=zg.CompiledBackend()), the default)"
        )

    def __repr__(self) -> str:
        return "InterpreterBackend()"


DEFAULT_BACKEND: Backend
"""The backend `zg.jit` uses when none is given (read at every call): `CompiledBackend()`
(ziggurat/compiled_backend.py), the default pipeline and native code. It is created on first
use so that `import ziggurat` and `zg.jit` do not load xDSL and llvmlite; assign
`InterpreterBackend()` (or any `Backend`) to `ziggurat.jit.DEFAULT_BACKEND` to change the
default of every `zg.jit`."""


def cuda_backend() -> Backend:
    """The `CudaBackend` that `zg.jit(device="cuda")` uses (one per process)."""
    backend = globals().get("_CUDA_BACKEND")
    if backend is None:
        from ziggurat.cuda_backend import CudaBackend

        backend = globals().setdefault("_CUDA_BACKEND", CudaBackend())
    return backend


def default_backend() -> Backend:
    """The current `DEFAULT_BACKEND` (the compiled backend unless it was reassigned)."""
    backend = globals().get("DEFAULT_BACKEND")
    if backend is None:
        from ziggurat.compiled_backend import CompiledBackend

        backend = globals().setdefault("DEFAULT_BACKEND", CompiledBackend())
    return backend


def __getattr__(name: str) -> Any:
    if name == "DEFAULT_BACKEND":
        return default_backend()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------------------------
# Argument signatures
# ---------------------------------------------------------------------------------------------

_STATIC_TYPES = (bool, int, float, str, type(None))


@dataclass(frozen=True)
class ArraySpec:
    """An array argument: shape, dtype and layout ("row_major" or "col_major")."""

    shape: tuple[int, ...]
    dtype: str
    layout: str

    def __str__(self) -> str:
        short = {"float16": "f16", "bfloat16": "bf16", "float32": "f32", "float64": "f64"}.get(
            self.dtype, "i1"
        )
        text = f"{short}[{','.join(map(str, self.shape))}]"
        return text + (" col_major" if self.layout == COL_MAJOR else "")


@dataclass(frozen=True)
class StaticSpec:
    """A Python scalar (or None/str) argument, traced as a constant."""

    type_name: str
    text: str
    value: Any = field(compare=False)

    def __str__(self) -> str:
        return self.text


ArgSpec = ArraySpec | StaticSpec


def _arg_name(position: int | str) -> str:
    return f"argument {position}" if isinstance(position, int) else f"argument {position!r}"


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    return f"a {type(value).__module__}.{type(value).__qualname__}".replace("builtins.", "")


def _classify(fname: str, position: int | str, value: Any) -> tuple[ArgSpec, NDArray | None]:
    """The spec of one argument and, for arrays, the array to pass (copied if strided)."""
    where = f"zg.jit({fname}): {_arg_name(position)}"
    if isinstance(value, np.generic):
        if is_supported_dtype(value.dtype):
            value = np.asarray(value)
        else:
            raise trace_error(
                f"{where} is a numpy scalar of dtype {value.dtype}; pass a Python scalar or a "
                f"float array ({SUPPORTED_NAMES})"
            )
    if isinstance(value, np.ndarray):
        if not is_supported_dtype(value.dtype) and value.dtype != BOOL:
            hint = " (convert with .astype(np.float32))" if value.dtype.kind in "iuf" else ""
            raise trace_error(
                f"{where} has dtype {value.dtype}; only {SUPPORTED_NAMES} arrays, and bool "
                f"arrays, are supported{hint}"
            )
        if value.size == 0:
            raise trace_error(
                f"{where} has zero size (shape {value.shape}); arrays must not be empty"
            )
        if value.flags.c_contiguous:
            layout = "row_major"
        elif value.flags.f_contiguous:
            layout = COL_MAJOR
        else:
            value = np.ascontiguousarray(value)
            layout = "row_major"
        return ArraySpec(tuple(value.shape), value.dtype.name, layout), value
    if isinstance(value, _STATIC_TYPES):
        return StaticSpec(type(value).__name__, repr(value), value), None
    if isinstance(value, list | tuple):
        raise trace_error(
            f"{where} is a {type(value).__name__}; pass a numpy array (np.asarray(...)) "
            f"of float32 or float64"
        )
    if isinstance(value, TracedArray):  # a traced array from a finished trace
        raise trace_error(f"{where} is a traced array from another zg.jit trace")
    raise trace_error(
        f"{where} is {_describe(value)}; expected a float32/float64 numpy array or a Python scalar"
    )


class Signature(NamedTuple):
    """What a call specializes on, and the arrays it passes."""

    key: tuple[Any, ...]
    positional: tuple[ArgSpec, ...]
    keyword: tuple[tuple[str, ArgSpec], ...]
    arrays: tuple[NDArray, ...]

    def describe(self) -> str:
        parts = [str(s) for s in self.positional]
        parts += [f"{k}={s}" for k, s in self.keyword]
        return "(" + ", ".join(parts) + ")"


def _signature(fname: str, args: Sequence[Any], kwargs: dict[str, Any]) -> Signature:
    arrays: list[NDArray] = []
    positional: list[ArgSpec] = []
    keyword: list[tuple[str, ArgSpec]] = []
    for i, value in enumerate(args):
        spec, array = _classify(fname, i, value)
        positional.append(spec)
        if array is not None:
            arrays.append(array)
    for name, value in kwargs.items():
        spec, array = _classify(fname, name, value)
        keyword.append((name, spec))
        if array is not None:
            arrays.append(array)
    key = (
        tuple(_spec_key(spec) for spec in positional),
        tuple((name, _spec_key(spec)) for name, spec in keyword),
    )
    return Signature(key, tuple(positional), tuple(keyword), tuple(arrays))


def _native_hits(spec: Specialization) -> int:
    """Calls of `spec` its native entry served (each a cache hit `_call` did not count)."""
    if spec.entry is None:
        return 0
    from ziggurat.runtime.native_call import native_calls

    return native_calls(spec.entry)


def _spec_key(spec: ArgSpec) -> tuple[Any, ...]:
    """What `spec` compares by, as plain tuples (hashed in C: the key is hashed per call)."""
    if isinstance(spec, ArraySpec):
        return (spec.shape, spec.dtype, spec.layout)
    return ("static", spec.type_name, spec.text)


_KEYED_STATICS = (int, bool, str, type(None))


def _fast_part(value: Any) -> Any:
    """What one argument contributes to the fast key, or None when only `_signature` can tell.

    An ndarray contributes its (shape, dtype, strides), which fix its spec (layout included);
    a static scalar its type and value (a float its repr, as `StaticSpec` compares it).
    """
    kind = type(value)
    if kind is np.ndarray:
        return (value.shape, value.dtype, value.strides)
    if kind is float:
        return (kind, repr(value))
    if kind in _KEYED_STATICS:
        return (kind, value)
    return None


def _fast_key(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...] | None:
    """A cheap key that determines `_signature(...).key` for calls whose arrays are passed as
    they are (None when an argument is anything else: the full signature is needed)."""
    parts = [
        (v.shape, v.dtype, v.strides) if type(v) is np.ndarray else _fast_part(v) for v in args
    ]
    for name, value in kwargs.items():
        parts.append((name, _fast_part(value)))
        if parts[-1][1] is None:
            return None
    key = tuple(parts)
    return None if None in key else key


def _passed_arrays(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sequence[NDArray]:
    """The array arguments in signature order (positional, then keyword)."""
    arrays = [v for v in args if type(v) is np.ndarray]
    if kwargs:
        arrays += [v for v in kwargs.values() if type(v) is np.ndarray]
    return arrays


# ---------------------------------------------------------------------------------------------
# Specializations
# ---------------------------------------------------------------------------------------------


@dataclass
class Specialization:
    """One traced version of a function: its module, output structure and executable."""

    signature: Signature
    program: TracedProgram
    func_name: str
    structure: str  # "single", "tuple" or "list"
    backend: Backend
    options: JitOptions
    results: int = 1
    executable: Executable | None = None
    direct: Callable[..., NDArray] | None = None
    """For one result: a callable from the arrays to that result (`OutExecutable.single`)."""
    entry: Callable[..., Any] | None = None
    """The executable's native entry whose fallback is the jitted function's full call path
    (`JitFunction._install`), once made; False-y until then."""
    transposed: tuple[int, ...] = ()
    """The positions (among the arrays) of F-contiguous arguments whose transposes the
    executable takes (`a.T`, a C-contiguous view: no copy), for a backend that compiles them
    so (`transposes_col_major`, as `CompiledBackend` does)."""

    @property
    def module(self) -> ModuleOp:
        """The traced ztensor module (a fresh copy)."""
        return self.program.module()

    def compiled(self) -> Executable:
        if self.executable is None:
            compile_program = getattr(self.backend, "compile_program", None)
            if compile_program is not None:
                executable = compile_program(self.program, self.func_name, self.options)
            else:
                executable = self.backend.compile(self.module, self.func_name, self.options)
            if self.transposed:
                executable = _transposing(executable, self.transposed)
            if self.structure == "single" and isinstance(executable, OutExecutable):
                self.direct = executable.single()
            self.executable = executable
        return self.executable

    def wrap(self, results: Sequence[NDArray]) -> Any:
        if self.structure == "single":
            return results[0]
        return tuple(results) if self.structure == "tuple" else list(results)

    def run(self, arrays: Sequence[NDArray], outs: tuple[Any, ...] | None = None) -> Any:
        """Call the (compiled) executable on `arrays`; write the results into `outs` if given
        (one array per result: `out_arrays(out)`)."""
        executable = self.executable if self.executable is not None else self.compiled()
        if outs is None:
            return self.wrap(executable(*arrays))
        if isinstance(executable, OutExecutable):
            executable(*arrays, out=outs)
        else:
            for i, (result, target) in enumerate(zip(executable(*arrays), outs, strict=True)):
                self._check_out(i, target, result)
                np.copyto(target, result)
        return self.wrap(outs)

    def out_arrays(self, out: Any) -> tuple[Any, ...]:
        """`out=` as a tuple of one entry per result, after checking its structure."""
        if self.structure == "single":
            if isinstance(out, tuple | list):
                raise trace_error(
                    f"zg.jit({self.func_name}): out= must be one array (the function returns "
                    f"one), got a {type(out).__name__}"
                )
            return (out,)
        if not isinstance(out, tuple | list) or len(out) != self.results:
            raise trace_error(
                f"zg.jit({self.func_name}): out= must be a tuple or list of {self.results} "
                f"arrays (the function returns {self.results}), got {_describe(out)}"
            )
        return tuple(out)

    def _check_out(self, index: int, target: Any, result: NDArray) -> None:
        """Check one `out=` array against the result it receives (backends without `out=`)."""
        where = f"zg.jit({self.func_name}): out= array {index}"
        if not isinstance(target, np.ndarray):
            raise trace_error(f"{where} is {_describe(target)}; expected a numpy.ndarray")
        if target.dtype != result.dtype or target.shape != result.shape:
            raise trace_error(
                f"{where}: expected dtype {result.dtype} and shape {result.shape}, "
                f"got dtype {target.dtype} and shape {target.shape}"
            )
        if not target.flags.writeable:
            raise trace_error(f"{where}: the array is read-only; outputs must be writeable")


class _TransposedOut(OutExecutable):
    """An `OutExecutable` handed the transposes of the arrays at positions `which`."""

    __slots__ = ("inner", "which")

    def __init__(self, inner: OutExecutable, which: tuple[int, ...]) -> None:
        self.inner = inner
        self.which = which

    def __call__(self, *arrays: NDArray, out: tuple[Any, ...] | None = None) -> tuple[NDArray, ...]:
        return self.inner(*_transposed(arrays, self.which), out=out)

    def single(self) -> Callable[..., NDArray] | None:
        inner = self.inner.single()
        if inner is None:
            return None
        which = self.which

        def call(*arrays: NDArray) -> NDArray:  # the arrays, then an optional output
            return inner(*_transposed(arrays, which))

        return call


def _transposed(arrays: Sequence[NDArray], which: tuple[int, ...]) -> list[NDArray]:
    out = list(arrays)
    for i in which:
        out[i] = out[i].T
    return out


def _transposing(executable: Executable, which: tuple[int, ...]) -> Executable:
    """`executable` called with the transposes of the arrays at positions `which`."""
    if isinstance(executable, OutExecutable):
        return _TransposedOut(executable, which)

    def call(*arrays: NDArray) -> tuple[NDArray, ...]:
        return executable(*_transposed(arrays, which))

    return call


DEFAULT_CACHE_SIZE = 64
"""How many specializations a `zg.jit` function keeps in memory unless told otherwise (each
holds its traced module and loaded native code, a few hundred KB)."""

CACHE_SIZE_ENV = "ZIGGURAT_JIT_CACHE_SIZE"
"""Environment variable overriding `DEFAULT_CACHE_SIZE` (an int >= 1), read when a function
is decorated."""


def _check_cache_size(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"zg.jit: cache_size must be None or an int >= 1, got {value!r}")
    return value


def default_cache_size() -> int:
    """`$ZIGGURAT_JIT_CACHE_SIZE` if it is an int >= 1 (else a warning), or
    `DEFAULT_CACHE_SIZE`."""
    text = os.environ.get(CACHE_SIZE_ENV, "").strip()
    if text:
        try:
            return _check_cache_size(int(text))
        except ValueError:
            warnings.warn(
                f"ziggurat: ignoring {CACHE_SIZE_ENV}={text!r} (not an int >= 1); "
                f"using {DEFAULT_CACHE_SIZE}",
                RuntimeWarning,
                stacklevel=3,
            )
    return DEFAULT_CACHE_SIZE


def release_memory() -> None:
    """Collect cyclic garbage now (traced xDSL modules are cyclic, and with them go native
    code and LLVM modules) and, on glibc, hand freed heap pages back to the OS."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


class CacheInfo(NamedTuple):
    """`JittedFunction.cache_info()`: calls served from the cache, traces, and what is cached."""

    hits: int
    misses: int
    currsize: int
    specializations: tuple[str, ...]


def _same_objects(first: Sequence[Any], second: Sequence[Any]) -> bool:
    return len(first) == len(second) and all(a is b for a, b in zip(first, second, strict=True))


def _out_arrays(spec: Specialization, out: Any) -> tuple[Any, ...]:
    """`spec.out_arrays(out)`, raising its error without Ziggurat's frames."""
    error: ZigguratTraceError | None = None
    try:
        return spec.out_arrays(out)
    except ZigguratTraceError as err:
        error = err
    raise error.with_traceback(None)


def _has_parameter(fn: Callable[..., Any], name: str) -> bool:
    """Whether `fn` declares a parameter called `name` (False when it cannot be inspected)."""
    code = getattr(fn, "__code__", None)
    plain = type(fn).__name__ == "function" and not {"__wrapped__", "__signature__"} & set(vars(fn))
    if plain and code is not None:
        # A plain function: its code object names the parameters (importing inspect for
        # `inspect.signature` costs a warm start about 10 ms).
        count = code.co_argcount + code.co_kwonlyargcount
        return name in code.co_varnames[:count]
    import inspect

    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def _symbol_name(fn: Callable[..., Any]) -> str:
    name = getattr(fn, "__name__", None) or type(fn).__name__
    name = re.sub(r"[^A-Za-z0-9_]", "_", name).strip("_") or "fn"
    return name if not name[0].isdigit() else f"fn_{name}"


def _outputs(fname: str, tracer: Tracer, result: Any) -> tuple[list[TracedArray], str]:
    """The traced outputs of `result` and its structure; numpy constants become constants."""
    if isinstance(result, tuple | list):
        structure = "tuple" if isinstance(result, tuple) else "list"
        items = list(result)
        if not items:
            raise trace_error(f"zg.jit({fname}): the function returned an empty {structure}")
    else:
        structure, items = "single", [result]
    outputs: list[TracedArray] = []
    for i, item in enumerate(items):
        what = "the function's result" if structure == "single" else f"result {i}"
        if isinstance(item, TracedArray):
            if item.tracer is not tracer:
                raise trace_error(f"zg.jit({fname}): {what} is a traced array from another trace")
            outputs.append(item)
        elif isinstance(item, np.ndarray) and is_supported_dtype(item.dtype) and item.size:
            outputs.append(tracer.constant(item))
        else:
            raise trace_error(
                f"zg.jit({fname}): {what} is {_describe(item)}; a jitted function must return "
                f"arrays computed from its inputs (or a tuple/list of them)"
            )
    return outputs, structure


class JittedFunction:
    """A Python function compiled per argument signature; call it like the original.

    Specializations live in an LRU of `cache_size` entries (default `default_cache_size()`):
    a call with a new signature beyond that evicts the least recently used one, which is
    traced and compiled again (from the disk cache, usually) if it comes back.
    """

    __name__: str
    __qualname__: str
    __wrapped__: Callable[..., Any]

    def __init__(
        self,
        fn: Callable[..., Any],
        options: JitOptions,
        backend: Backend | None,
        cache_size: int | None = None,
    ):
        self.fn = fn
        self.options = options
        self.backend = backend
        self.func_name = _symbol_name(fn)
        self.cache_size = (
            default_cache_size() if cache_size is None else _check_cache_size(cache_size)
        )
        self._cache: OrderedDict[tuple[Any, ...], Specialization] = OrderedDict()
        # (backend, _fast_key(...)) -> (the `_cache` key it determines, its specialization);
        # entries of evicted specializations are dropped with them (`_evict`).
        self._fast: dict[tuple[Any, ...], tuple[tuple[Any, ...], Specialization]] = {}
        self._out_is_argument = _has_parameter(fn, "out")
        self._hits = 0
        self._misses = 0
        self.evictions = 0
        self._lock = threading.RLock()
        # (backend, native entry) of the specialization the last call used, when it takes
        # exactly its arrays, positionally: `__call__` hands every call to it first.
        self._entry: tuple[Backend, Callable[..., Any]] | None = None
        self._entry_spec: Specialization | None = None
        functools.update_wrapper(self, fn)

    def __repr__(self) -> str:
        return f"<zg.jit {self.func_name} ({len(self._cache)} specializations)>"

    def _backend(self) -> Backend:
        return self.backend if self.backend is not None else default_backend()

    def _trace(self, signature: Signature, backend: Backend) -> Specialization:
        tracer = Tracer(self.func_name)
        values = iter(signature.arrays)

        def traced(spec: ArgSpec) -> Any:
            if isinstance(spec, StaticSpec):
                return spec.value
            array = next(values)
            layout = COL_MAJOR if spec.layout == COL_MAJOR else None
            return tracer.argument(spec.shape, array.dtype, layout)

        args = [traced(s) for s in signature.positional]
        kwargs = {k: traced(s) for k, s in signature.keyword}
        specs = [*signature.positional, *(s for _, s in signature.keyword)]
        arrays = [s for s in specs if isinstance(s, ArraySpec)]
        transposed: tuple[int, ...] = ()
        if getattr(backend, "transposes_col_major", False):
            transposed = tuple(
                i for i, s in enumerate(arrays) if s.layout == COL_MAJOR and len(s.shape) >= 2
            )
        try:
            result = self.fn(*args, **kwargs)
            outputs, structure = _outputs(self.func_name, tracer, result)
        finally:
            tracer.active = False
        program = tracer.finish(outputs)
        return Specialization(
            signature,
            program,
            self.func_name,
            structure,
            backend,
            self.options,
            len(outputs),
            transposed=transposed,
        )

    def _specialize(
        self, args: Sequence[Any], kwargs: dict[str, Any], count: bool
    ) -> tuple[Specialization, Signature]:
        signature = _signature(self.func_name, args, kwargs)
        backend = self._backend()
        key = (backend, signature.key)
        with self._lock:
            spec = self._cache.get(key)
            if spec is None:
                spec = self._trace(signature, backend)
                spec.signature = signature._replace(arrays=())  # keep no user arrays alive
                self._cache[key] = spec
                self._misses += 1
                while len(self._cache) > self.cache_size:
                    self._evict()
            else:
                self._cache.move_to_end(key)
                if count:
                    self._hits += 1
        return spec, signature

    def _evict(self) -> None:
        """Drop the least recently used specialization and its fast keys (lock held)."""
        key, spec = self._cache.popitem(last=False)
        for fast in [f for f, (k, _) in self._fast.items() if k == key]:
            del self._fast[fast]
        self.evictions += 1
        if spec is self._entry_spec:
            self._entry = self._entry_spec = None
        self._hits += _native_hits(spec)

    def _install(self, spec: Specialization, backend: Backend, arguments: int) -> None:
        """Make `spec`'s native entry the first stop of every call, if `spec` takes exactly
        `arguments` arrays, positionally (no static arguments: a call that leaves a static
        at its default must not run a specialization traced with another value)."""
        signature = spec.signature
        if signature.keyword or len(signature.positional) != arguments or spec.transposed:
            return
        if not all(isinstance(p, ArraySpec) for p in signature.positional):
            return
        if spec.entry is None:
            native = getattr(spec.executable, "native_entry", None)
            # `out=` is the output buffer unless the function has an argument of that name.
            takes_out = not self._out_is_argument
            entry = native(self._call, takes_out) if native is not None else None
            if entry is None:
                return
            spec.entry = entry
        self._entry = (backend, spec.entry)
        self._entry_spec = spec

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # The call of the specialization used last, when its arrays are passed again: the
        # native entry checks them and calls the kernel, or hands the call to `_call`.
        entry = self._entry
        if entry is not None and entry[0] is self._backend():
            return entry[1](*args, **kwargs)
        return self._call(*args, **kwargs)

    def _call(self, *args: Any, **kwargs: Any) -> Any:
        out = None
        if "out" in kwargs and not self._out_is_argument:
            out = kwargs.pop("out")
        # The common call: arrays passed as they are, a signature seen before. The fast key
        # of positional arrays is built inline (`_fast_key` in general).
        fast: tuple[Any, ...] | None
        arrays: Sequence[NDArray] | None
        parts = []
        for value in args:
            if type(value) is not np.ndarray:
                break
            parts.append((value.shape, value.dtype, value.strides))
        if kwargs or len(parts) != len(args):
            fast = _fast_key(args, kwargs)
            arrays = None
        else:
            fast = tuple(parts)
            arrays = args
        backend = self.backend if self.backend is not None else default_backend()
        counted = False
        if fast is not None:
            entry = self._fast.get((backend, fast))
            if entry is not None:
                key = entry[0]
                hit: Specialization | None = entry[1]
                with self._lock:
                    try:
                        self._cache.move_to_end(key)  # KeyError: evicted meanwhile
                    except KeyError:
                        hit = None
                    else:
                        self._hits += 1
                        counted = True
                if hit is not None and hit.executable is not None:
                    if arrays is None:
                        arrays = _passed_arrays(args, kwargs)
                    if hit.direct is not None:
                        if out is None:
                            if hit is not self._entry_spec and arrays is args and not kwargs:
                                self._install(hit, backend, len(args))
                            return hit.direct(*arrays)
                        if type(out) is np.ndarray:  # the one output, checked by the kernel
                            return hit.direct(*arrays, out)
                    if out is not None:
                        return hit.run(arrays, _out_arrays(hit, out))
                    return hit.wrap(hit.executable(*arrays))
        elif is_traced(*args, *kwargs.values()):
            if out is not None:
                kwargs["out"] = out
            return self.fn(*args, **kwargs)  # called inside another trace: inline
        error: ZigguratTraceError | None = None
        try:
            spec, signature = self._specialize(args, kwargs, count=not counted)
            with self._lock:
                spec.compiled()
                if fast is not None and _same_objects(
                    signature.arrays, _passed_arrays(args, kwargs)
                ):  # passed as they are (none copied): the fast key stands for this signature
                    self._fast[(backend, fast)] = ((backend, signature.key), spec)
            outs = None if out is None else spec.out_arrays(out)
        except ZigguratTraceError as err:
            error = err
        if error is not None:
            raise error.with_traceback(None)
        return spec.run(signature.arrays, outs)

    def lower(self, *args: Any, **kwargs: Any) -> Lowered:
        """Trace for these arguments (without compiling) and return the staged `Lowered`."""
        error: ZigguratTraceError | None = None
        try:
            spec, _ = self._specialize(args, kwargs, count=False)
        except ZigguratTraceError as err:
            error = err
        if error is not None:
            raise error.with_traceback(None)
        return Lowered(self, spec)

    def cache_info(self) -> CacheInfo:
        """Hits (calls served by an existing specialization), misses (traces), and entries."""
        with self._lock:
            entries = tuple(s.signature.describe() for s in self._cache.values())
            hits = self._hits + sum(_native_hits(s) for s in self._cache.values())
            return CacheInfo(hits, self._misses, len(self._cache), entries)

    def cache_clear(self) -> None:
        """Forget every specialization, reset the counters and release their memory.

        The memory (traced modules, loaded native code) is freed at once unless something
        else still holds a specialization (a `Lowered` or `Compiled` object).
        """
        with self._lock:
            self._cache.clear()
            self._fast.clear()
            self._entry = self._entry_spec = None
            self._hits = self._misses = self.evictions = 0
        release_memory()


# ---------------------------------------------------------------------------------------------
# Staged lowering
# ---------------------------------------------------------------------------------------------


class Lowered:
    """A traced specialization: its IR at each stage (`as_text`) and its executable (`compile`)."""

    stages = STAGES

    def __init__(self, jitted: JittedFunction, spec: Specialization):
        self._jitted = jitted
        self._spec = spec

    @property
    def module(self) -> ModuleOp:
        """The traced ztensor module (a copy: changing it does not affect the function)."""
        return self._spec.module

    @property
    def func_name(self) -> str:
        return self._spec.func_name

    @property
    def backend(self) -> Backend:
        return self._spec.backend

    def as_text(self, stage: str = "ztensor") -> str:
        """The IR of this specialization at `stage` (one of `STAGES`)."""
        check_stage(stage)
        return self._spec.backend.stage_text(self._spec.module, stage, self._spec.options)

    def compile(self) -> Compiled:
        """The executable for exactly this signature (shared with the jitted function's cache)."""
        with self._jitted._lock:
            self._spec.compiled()
        return Compiled(self._jitted.func_name, self._spec, self._jitted._out_is_argument)


class Compiled:
    """An executable for one signature; calling it with another signature is an error."""

    def __init__(self, func_name: str, spec: Specialization, out_is_argument: bool = False):
        self.func_name = func_name
        self._spec = spec
        self._out_is_argument = out_is_argument

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        out = None
        if "out" in kwargs and not self._out_is_argument:
            out = kwargs.pop("out")
        error: ZigguratTraceError | None = None
        try:
            signature = _signature(self.func_name, args, kwargs)
            if signature.key != self._spec.signature.key:
                raise trace_error(
                    f"{self.func_name} was compiled for {self._spec.signature.describe()} but "
                    f"called with {signature.describe()}"
                )
            outs = None if out is None else self._spec.out_arrays(out)
        except ZigguratTraceError as err:
            error = err
        if error is not None:
            raise error.with_traceback(None)
        return self._spec.run(signature.arrays, outs)

    def __repr__(self) -> str:
        return f"<zg compiled {self.func_name}{self._spec.signature.describe()}>"


# ---------------------------------------------------------------------------------------------
# The decorator
# ---------------------------------------------------------------------------------------------

_OPTION_NAMES = tuple(f.name for f in fields(JitOptions))


def _options(options: dict[str, Any]) -> JitOptions:
    unknown = sorted(set(options) - set(_OPTION_NAMES))
    if unknown:
        raise TypeError(
            f"zg.jit: unknown option(s) {', '.join(unknown)}; the options are "
            f"{', '.join(_OPTION_NAMES)}, backend, cache_size, device"
        )
    return JitOptions(**options)


@overload
def jit(
    fn: Callable[..., Any],
    /,
    *,
    backend: Backend | None = None,
    cache_size: int | None = None,
    **options: Any,
) -> JittedFunction: ...


@overload
def jit(
    fn: None = None,
    /,
    *,
    backend: Backend | None = None,
    cache_size: int | None = None,
    **options: Any,
) -> Callable[[Callable[..., Any]], JittedFunction]: ...


def jit(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    backend: Backend | None = None,
    cache_size: int | None = None,
    device: str = "cpu",
    **options: Any,
) -> JittedFunction | Callable[[Callable[..., Any]], JittedFunction]:
    """Compile a numpy-like function: `@zg.jit`, `zg.jit(fn, **options)` or `@zg.jit(**options)`.

    Options: `opt_level` (0-3), `eqsat` (bool), `fast_math` (bool or flag names: see
    `JitOptions`), `autotune` (bool: refit the cost model from measured kernel times, see
    `ziggurat.autotune`), `threads` (None or >= 1), `pipeline` (a pass pipeline string), `backend`
    (a `Backend`; default `DEFAULT_BACKEND` at call time), `device` ("cpu", the default, or
    "cuda": `CudaBackend`, the first CUDA GPU; without one, the first call raises one
    `CudaUnavailableError` naming what is missing) and `cache_size` (specializations kept in
    memory, an LRU; default `default_cache_size()`).
    """
    opts = _options(options)
    if cache_size is not None:
        _check_cache_size(cache_size)
    if backend is not None and not isinstance(backend, Backend):
        raise TypeError(
            f"zg.jit: backend must implement Backend (compile, stage_text), got {backend!r}"
        )
    if device not in ("cpu", "cuda"):
        raise ValueError(f"zg.jit: device must be 'cpu' or 'cuda', got {device!r}")
    if device == "cuda":
        if backend is not None:
            raise TypeError("zg.jit: pass either backend= or device='cuda', not both")
        if opts.threads is not None:
            raise ValueError("zg.jit: threads= is CPU-only (device='cuda' got threads=...)")
        if opts.autotune:
            raise ValueError("zg.jit: autotune= is CPU-only (device='cuda' got autotune=True)")
        backend = cuda_backend()

    def wrap(f: Callable[..., Any]) -> JittedFunction:
        if not callable(f):
            raise TypeError(f"zg.jit: expected a callable, got {_describe(f)}")
        return JittedFunction(f, opts, backend, cache_size)

    return wrap if fn is None else wrap(fn)


__all__ = [
    "CACHE_SIZE_ENV",
    "DEFAULT_BACKEND",
    "DEFAULT_CACHE_SIZE",
    "STAGES",
    "Backend",
    "CacheInfo",
    "Compiled",
    "InterpreterBackend",
    "JitOptions",
    "JittedFunction",
    "Lowered",
    "StageUnavailableError",
    "default_backend",
    "default_cache_size",
    "jit",
    "release_memory",
]
