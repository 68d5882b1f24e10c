"""Compiled artifacts on disk: their keys, and loading them without xDSL.

`zg.compile` stores the LLVM IR that lowering a module produced (with the signatures of its
public functions) under a "lowered" key: (digest of the input text, pipeline, what the
pipeline's output depends on, target, opt level, Ziggurat's version). The runtime caches the
object code of that IR in turn. A `zg.jit` trace also finds the lowered entry through an
alias, keyed by the traced program (`ziggurat.frontend.TracedProgram.key`) instead of the
printed module, so that a warm call in a new process reads both entries and links the object
without importing xDSL, egglog or any pass: this module imports only the runtime.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ziggurat.errors import ZigguratError
from ziggurat.passes.fast_math import flags_text, parse_fast_math
from ziggurat.passes.pipeline_text import option_text
from ziggurat.runtime import ArgSpec, CompiledModule, Kernel, Target, compile_llvm_ir
from ziggurat.runtime.cache import CacheEntry, ObjectCache, cache_key
from ziggurat.runtime.compiler import ZIGGURAT_VERSION, pipeline_llvm_level

DEFAULT_PIPELINE = "cpu-pipeline"
"""The one default pipeline shared by `zg.jit`, `zg.compile`, `ziggurat-run` and
`ziggurat-opt -p cpu-pipeline` (see core/cpu_pipeline.py): canonicalize, eqsat, the
lowerings to the llvm dialect. `cpu-pipeline{eqsat=false}` leaves equality saturation out."""


def default_spec(
    opt_level: int,
    target: Target,
    eqsat: bool = True,
    fast_math: tuple[str, ...] = (),
    calibration: str = "",
) -> str:
    """The default pipeline for `opt_level` and `target` (eqsat on unless `eqsat` is False,
    with the fast-math flags `fast_math`, pricing with the refit model file `calibration`
    if one is named): the same string, hence the same cache entries, for zg.jit, zg.compile
    and ziggurat-run. A model file is named by its content (`ziggurat.autotune`), so the
    string still determines the output."""
    eq = "" if eqsat else " eqsat=false"
    flags = parse_fast_math(fast_math)
    fm = f" fast-math={flags_text(flags)}" if flags and eqsat else ""
    cal = f" calibration={option_text(calibration)}" if calibration and eqsat else ""
    return (
        f"{DEFAULT_PIPELINE}{{opt-level={opt_level} vector-width={target.vector_width()}"
        f"{eq}{fm}{cal}}}"
    )


_SOURCE_STAMPS: dict[str, str] = {}


def file_stamp(path: str) -> str:
    """`path` with its size and mtime (or "missing")."""
    try:
        st = os.stat(path)
    except OSError:
        return f"{path}:missing"
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


def package_stamp() -> str:
    """A digest of the size and mtime of every Ziggurat source file (computed once)."""
    if "ziggurat" not in _SOURCE_STAMPS:
        package = os.path.dirname(os.path.abspath(__file__))  # the package root, core/
        stamps = []
        for folder, dirs, files in os.walk(package, followlinks=True):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            stamps += [file_stamp(os.path.join(folder, f)) for f in sorted(files)]
        digest = hashlib.sha256("\n".join(stamps).encode()).hexdigest()
        _SOURCE_STAMPS["ziggurat"] = digest
    return _SOURCE_STAMPS["ziggurat"]


def _target_key(target: Target) -> str:
    return target.key if isinstance(target.key, str) else str(target.key)


def lowered_key(
    source_digest: str, spec: str, fingerprint: str, target: Target, opt_level: int
) -> str:
    """The key of the lowered entry of an input (`source_digest`: sha256 of its text) compiled
    with the pipeline `spec`, whose output depends on `fingerprint`, for `target` at
    `opt_level`."""
    return cache_key(
        "lowered",
        source_digest,
        spec,
        fingerprint,
        _target_key(target),
        str(opt_level),
        ZIGGURAT_VERSION,
    )


def traced_key(program_key: str, spec: str, target: Target, opt_level: int) -> str:
    """The alias of the lowered entry of a traced program (`TracedProgram.key`) compiled with
    the built-in pipeline `spec` (one naming no files: its output depends on Ziggurat's
    sources alone)."""
    return cache_key(
        "traced",
        program_key,
        spec,
        package_stamp(),
        _target_key(target),
        str(opt_level),
        ZIGGURAT_VERSION,
    )


def _dtype_text(dtype: np.dtype[Any]) -> str:
    """How a signature's dtype is stored: numpy's `str` (`<f4`), or `bfloat16`, whose `str`
    (`<V2`) would read back as raw bytes."""
    return "bfloat16" if dtype.name == "bfloat16" else dtype.str


def _dtype_from_text(text: str) -> np.dtype[Any]:
    if text == "bfloat16":
        from ziggurat.dialects.ztensor_semantics import bfloat16

        return bfloat16()
    return np.dtype(text)


def specs_to_json(sigs: dict[str, tuple[ArgSpec, ...]]) -> dict[str, Any]:
    return {
        name: [[list(s.shape), _dtype_text(s.dtype), s.role, s.name] for s in specs]
        for name, specs in sigs.items()
    }


def specs_from_json(data: dict[str, Any]) -> dict[str, tuple[ArgSpec, ...]]:
    return {
        name: tuple(
            ArgSpec(tuple(shape), _dtype_from_text(dt), role, n) for shape, dt, role, n in specs
        )
        for name, specs in data.items()
    }


def _lowered_entry(entry: CacheEntry) -> tuple[str, dict[str, tuple[ArgSpec, ...]]]:
    """The LLVM IR and signatures of a lowered entry (raises if it is malformed)."""
    data = json.loads(entry.meta["signatures"])
    if not isinstance(data, dict) or not data:
        raise ValueError("cache entry: 'signatures' is not a non-empty map")
    return entry.obj.decode("utf-8"), specs_from_json(data)


def _alias_entry(entry: CacheEntry) -> str:
    """The lowered key an alias entry names (raises if it is malformed)."""
    key = entry.obj.decode("ascii")
    if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
        raise ValueError("cache entry: not the key of a lowered entry")
    return key


@dataclass
class Executable:
    """Compiled functions of one module, callable on numpy arrays.

    `exe(*inputs)` calls the module's only public function (or `entry`); `exe.function(name)`
    gives any of them. Outputs are returned (a tuple when there are several); pass output
    arrays after the inputs, or as `out=`, to write into them instead.
    """

    compiled: CompiledModule
    signatures: dict[str, tuple[ArgSpec, ...]]
    llvm_ir: str
    entry: str | None = None
    threads: int | None = None
    _kernels: dict[str, Kernel] = field(default_factory=dict, repr=False)
    _entry_kernel: Kernel | None = field(default=None, repr=False)
    _native: Callable[..., Any] | None = field(default=None, repr=False)

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

    def __call__(self, *args: Any, threads: int | None = None, out: Any = None) -> Any:
        """Call the entry function: `out=` (an array, or a tuple with several outputs) gives
        the output buffers, checked like any argument; `threads=` this call's thread count.

        A call with neither goes to the kernel's native entry (`Kernel.native_entry`: the
        common call checked and run without Python), which hands anything else to the
        kernel itself."""
        if threads is None and out is None:
            native = self._native
            if native is None:
                native = self._native = self._native_entry()
            return native(*args)
        kernel = self._entry()
        return kernel(*args, threads=threads if threads is not None else self.threads, out=out)

    def _entry(self) -> Kernel:
        kernel = self._entry_kernel
        if kernel is None:
            kernel = self._entry_kernel = self.function(self.entry_name)
        return kernel

    def _native_entry(self) -> Callable[..., Any]:
        kernel = self._entry()
        if self.threads is not None:  # its own thread count: the kernel's Python path
            return functools.partial(kernel, threads=self.threads)
        return kernel.native_entry()

    def asm(self) -> str:
        """Host assembly of the compiled module."""
        return self.compiled.asm()


def load_lowered(
    store: ObjectCache,
    key: str,
    target: Target,
    opt_level: int,
    entry: str | None = None,
    threads: int | None = None,
) -> Executable | None:
    """The executable of the lowered entry `key`, or None on a miss. An entry that is
    malformed or whose IR does not compile is rejected (deleted): never an error."""
    cached = store.load_checked(key, _lowered_entry)
    if cached is None:
        return None
    ir_text, sigs = cached
    try:
        level = pipeline_llvm_level(opt_level)
        compiled = compile_llvm_ir(ir_text, sigs, target=target, opt_level=level, cache=store)
    except Exception:  # well-formed but unusable cached IR: rebuild it, never fail on it
        store.reject(key)
        return None
    return Executable(compiled, sigs, ir_text, entry=entry, threads=threads)


def store_lowered(
    store: ObjectCache,
    key: str,
    ir_text: str,
    sigs: dict[str, tuple[ArgSpec, ...]],
    alias: str | None = None,
) -> None:
    """Store a lowered entry under `key`, and `alias` (a `traced_key`) naming it."""
    store.store(key, ir_text.encode(), {"signatures": json.dumps(specs_to_json(sigs))})
    if alias is not None:
        store_alias(store, alias, key)


def store_alias(store: ObjectCache, alias: str, key: str) -> None:
    """Make `alias` name the lowered entry `key`."""
    store.store(alias, key.encode("ascii"), {"alias": True})


def load_traced(
    store: ObjectCache, alias: str, target: Target, opt_level: int, entry: str, threads: int | None
) -> Executable | None:
    """The executable of the lowered entry that `alias` names, or None (a miss, or either
    entry unusable)."""
    key = store.load_checked(alias, _alias_entry)
    if key is None:
        return None
    return load_lowered(store, key, target, opt_level, entry=entry, threads=threads)
