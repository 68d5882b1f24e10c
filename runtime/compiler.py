"""Compile LLVM IR text to machine code for a `Target` and load it into the process.

Steps of a cold compile: parse the IR, set the triple and data layout of the target machine,
add `"prefer-vector-width"="512"` to every defined function when the target has AVX-512,
verify, run LLVM's new-pass-manager pipeline at O0-O3 (`optimize_module`), emit an object file
and store it in the on-disk cache (`ziggurat.runtime.cache`). A warm compile hashes the IR
text, reads the object from the cache and only loads it: no parsing, no optimization.

Objects are linked into the process by `ziggurat.runtime.elf_loader` on x86-64 Linux (no
LLVM involved, so a process whose kernels all come from the cache never imports
`llvmlite.binding`), and elsewhere, or for an object that loader does not support, into a
process-wide ORC LLJIT (STATS counts which; `ZIGGURAT_LINKER=lljit` makes every object use
the LLJIT). Either way the runtime's symbols (`ziggurat.runtime.abi`) are bound first and
everything else (libm's `expf`, ...) resolves against the current process.

Native memory is bounded by the modules alive (docs/runtime.md, "Native memory"): each module
is parsed into an LLVMContext of its own, pass pipelines are freed explicitly (llvmlite does
not), and the JIT is replaced every `JIT_GENERATION_SIZE` links (ORC keeps every library it
ever linked until the JIT is destroyed).

This is Ziggurat's one LLVM backend: `optimized_ir(ir_text, target, opt_level)` and
`assembly(...)` show what a cold compile of `ir_text` runs (the same preparation, pass
pipeline and target machine), and `ziggurat-opt -t llvm{optimized=true}` / `-t asm` print them.
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import os
import re
import threading
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ziggurat._version import __version__
from ziggurat.errors import CompileError
from ziggurat.runtime import elf_loader
from ziggurat.runtime._llvm import llvm, toolchain
from ziggurat.runtime.cache import CacheEntry, ObjectCache, cache_enabled, cache_key
from ziggurat.runtime.calling import ArgSpec, Kernel, check_signature
from ziggurat.runtime.target import Target
from ziggurat.runtime.threads import runtime_symbols

PIPELINE_VERSION = "ziggurat-pipeline-2"
"""Bump when the way objects are produced changes, so old cache entries stop matching."""

TOOLCHAIN = toolchain()
"""The code generator in cache keys (llvmlite's version, which fixes its LLVM)."""


PIPELINE_LLVM_LEVELS = {0: 0, 1: 1, 2: 2, 3: 2}
"""The LLVM level a pipeline opt level compiles at (`pipeline_llvm_level`)."""


def pipeline_llvm_level(opt_level: int) -> int:
    """The LLVM optimization level that Ziggurat's pipelines use at `opt_level` (0-3).

    O3 is O2 for LLVM: on the code the lowering emits (already tiled, vectorized and
    unrolled), LLVM's O3 ran no faster than O2 on any workload of benchmarks/bench_cpu.py
    (0.98-1.01x, benchmarks/RESULTS.md) and compiled the GPT-2 block 25% slower (0.33 against
    0.26 s). `compile_llvm_ir` itself runs the level it is given."""
    _check_opt_level(opt_level)
    return PIPELINE_LLVM_LEVELS[opt_level]


def llvm_version() -> str:
    """The version of the LLVM that llvmlite is built with (imports `llvmlite.binding`)."""
    return ".".join(str(v) for v in llvm.llvm_version_info)

ZIGGURAT_VERSION = __version__
"""Ziggurat's version (`ziggurat._version`, the same as the installed package's metadata;
part of every cache key)."""


class ZigguratCompileError(CompileError, RuntimeError):
    """LLVM IR that cannot be parsed, verified or linked, or that does not match signatures."""


@dataclass
class CompileStats:
    """What the compiler did in this process (tests read these)."""

    parses: int = 0
    optimizations: int = 0
    emissions: int = 0
    loads: int = 0
    """Objects linked, by either linker."""
    elf_loads: int = 0
    """Objects linked by `ziggurat.runtime.elf_loader`."""
    lljit_fallbacks: int = 0
    """Objects the ELF loader does not support, linked by the LLJIT instead."""
    jits: int = 0
    """LLJITs created (one per `JIT_GENERATION_SIZE` loads)."""


STATS = CompileStats()

_lock = threading.RLock()
_machines: dict[tuple[Target, int], llvm.TargetMachine] = {}
_lljit: Any = None
_lljit_machine: Any = None
_lljit_links = 0

JIT_GENERATION_SIZE = 32
"""Libraries linked into one LLJIT before the next link starts a fresh one (see `_jit`):
at most this many defunct libraries (~10 KB each) stay behind a live module's LLJIT."""
_library_ids = itertools.count()
_shared_cache: ObjectCache | None = None


def _new_lock_after_fork() -> None:
    global _lock
    _lock = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_lock_after_fork)


def target_machine(target: Target, opt_level: int) -> llvm.TargetMachine:
    """The (cached) TargetMachine emitting code for `target` at codegen level `opt_level`."""
    with _lock:
        machine = _machines.get((target, opt_level))
        if machine is None:
            llvm.initialize_native_target()
            llvm.initialize_native_asmprinter()
            machine = llvm.Target.from_triple(target.triple).create_target_machine(
                cpu=target.cpu,
                features=target.features,
                opt=opt_level,
                reloc="pic",
                codemodel="default",
            )
            _machines[(target, opt_level)] = machine
        return machine


def _jit() -> Any:
    """The LLJIT the next object is linked into: a fresh one every `JIT_GENERATION_SIZE` links.

    ORC never removes a JITDylib from its ExecutionSession (llvmlite's tracker only clears
    it, and its names cannot be reused), so every library linked leaves about 10 KB of
    symbol tables and lookup state behind until the LLJIT itself is destroyed, and linking
    slows down as they pile up. So the libraries are linked in generations: after
    `JIT_GENERATION_SIZE` links the current LLJIT is dropped here and a new one started.
    Each library's tracker holds the C++ LLJIT of its generation (a `shared_ptr`), so a
    generation's code stays valid while any of its modules lives, and the LLJIT is
    destroyed, defunct libraries and all, with the last of them.
    """
    global _lljit, _lljit_machine, _lljit_links
    with _lock:
        if _lljit is None or _lljit_links >= JIT_GENERATION_SIZE:
            if _lljit_machine is None:
                llvm.initialize_native_target()
                llvm.initialize_native_asmprinter()
                host = Target.host()
                _lljit_machine = llvm.Target.from_triple(host.triple).create_target_machine(
                    cpu=host.cpu, features=host.features, opt=0, jit=True
                )
            _lljit = llvm.create_lljit_compiler(_lljit_machine)
            _lljit_links = 0
            STATS.jits += 1
        _lljit_links += 1
        return _lljit


def default_cache() -> ObjectCache | None:
    """The cache in the default folder with the default size cap (both re-read from the
    environment), or None if disabled."""
    global _shared_cache
    if not cache_enabled():
        return None
    fresh = ObjectCache()
    if (
        _shared_cache is None
        or _shared_cache.directory != fresh.directory
        or _shared_cache.max_size != fresh.max_size
    ):
        _shared_cache = fresh
    return _shared_cache


def _skip_balanced(text: str, start: int) -> int:
    """Index just past the parenthesis group opening at `text[start]` (quoted strings skipped)."""
    depth = 0
    i = start
    while i < len(text):
        char = text[i]
        if char == '"':
            i = text.index('"', i + 1)
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ZigguratCompileError("unbalanced parentheses in a function definition")


_NAME = re.compile(r'@(?:"(?:[^"\\]|\\.)*"|[-a-zA-Z$._0-9]+)')
_AFTER_ARGS = re.compile(r"(?: (?:local_)?unnamed_addr)?(?: addrspace\(\d+\))?")


def add_function_attribute(ir_text: str, names: set[str], attribute: str) -> str:
    """Add a string attribute (`"key"="value"`) to the definitions of `names`.

    `ir_text` must be as LLVM prints a module (one `define ... {` line per function).
    """
    lines = ir_text.split("\n")
    for index, line in enumerate(lines):
        if not line.startswith("define "):
            continue
        match = _NAME.search(line)
        if match is None:
            continue
        name = match.group(0)[1:]
        if name.startswith('"'):
            name = name[1:-1]
        if name not in names:
            continue
        end = _skip_balanced(line, match.end())
        end += len(_AFTER_ARGS.match(line, end).group(0))  # type: ignore[union-attr]
        lines[index] = f"{line[:end]} {attribute}{line[end:]}"
    return "\n".join(lines)


def _has_attribute(function: Any, key: str) -> bool:
    return any(f'"{key}"'.encode() in attrs for attrs in function.attributes)


def prepare_module(ir_text: str, target: Target) -> llvm.ModuleRef:
    """Parse `ir_text`, set triple and data layout for `target`, add target attributes, verify.

    The module gets an LLVMContext of its own (the `ModuleRef` holds it, and disposes of the
    module first): the global context would keep the constants, types and metadata (e.g.
    the distinct loop-metadata nodes the vectorizer adds) of every module ever compiled.
    """
    machine = target_machine(target, 3)
    with _lock:
        STATS.parses += 1
        context = llvm.create_context()
        try:
            module = llvm.parse_assembly(ir_text, context=context)
        except RuntimeError as error:
            raise ZigguratCompileError(f"cannot parse the LLVM IR: {error}") from error
        module.triple = machine.triple
        module.data_layout = str(machine.target_data)
        width = target.prefer_vector_width
        if width is not None:
            names = {
                f.name
                for f in module.functions
                if not f.is_declaration and not _has_attribute(f, "prefer-vector-width")
            }
            if names:
                text = add_function_attribute(
                    str(module), names, f'"prefer-vector-width"="{width}"'
                )
                module = llvm.parse_assembly(text, context=context)
        try:
            module.verify()
        except RuntimeError as error:
            raise ZigguratCompileError(f"invalid LLVM IR: {error}") from error
        return module


def exported_functions(module: llvm.ModuleRef) -> dict[str, list[str]]:
    """External functions defined by `module`, with their parameter types."""
    return {
        f.name: [str(arg.type) for arg in f.arguments]
        for f in module.functions
        if not f.is_declaration and f.linkage == llvm.Linkage.external
    }


@functools.cache
def _process_symbols() -> ctypes.CDLL:
    return ctypes.CDLL(None)


def unresolved_symbols(module: llvm.ModuleRef) -> list[str]:
    """Functions and globals `module` declares that neither the runtime nor the process defines."""
    provided = runtime_symbols()
    missing = []
    for value in itertools.chain(module.functions, module.global_variables):
        name = value.name
        if not value.is_declaration or name.startswith("llvm.") or name in provided:
            continue
        if llvm.address_of_symbol(name) is None and not hasattr(_process_symbols(), name):
            missing.append(name)
    return sorted(missing)


def optimize_module(module: llvm.ModuleRef, target: Target, opt_level: int) -> None:
    """Run LLVM's default O`opt_level` module pipeline for `target` on `module` in place."""
    machine = target_machine(target, opt_level)
    with _lock:
        STATS.optimizations += 1
        options = llvm.create_pipeline_tuning_options(speed_level=opt_level)
        if opt_level >= 2:
            options.loop_vectorization = True
            options.slp_vectorization = True
        with options, llvm.create_pass_builder(machine, options) as builder:
            manager = builder.getModulePassManager()
            try:
                manager.run(module, builder)
            finally:
                _dispose_pass_manager(manager)


def _dispose_pass_manager(manager: Any) -> None:
    """Free the C++ pass pipeline behind `manager` (a llvmlite `ModulePassManager`).

    llvmlite 0.45-0.50 never frees it: `ModulePassManager(ObjectRef, NewPassManager)` inherits
    the no-op `ObjectRef._dispose` ahead of `NewPassManager._dispose`, so `close()` (and
    `with`) only detach the pointer and every O1-O3 pipeline (30-70 KB) leaks. Call the
    disposer the class meant to use, then detach so that a later `close()` does nothing.
    """
    from llvmlite.binding import ffi
    from llvmlite.binding.newpassmanagers import NewPassManager

    if type(manager)._dispose is ffi.ObjectRef._dispose and not manager.closed:
        NewPassManager._dispose(manager)
        manager.detach()
    else:  # a llvmlite whose close() disposes it
        manager.close()


def optimized_module(ir_text: str, target: Target, opt_level: int) -> llvm.ModuleRef:
    """`ir_text` prepared for `target` (`prepare_module`) and optimized at `opt_level`
    (`optimize_module`): the module a cold `compile_llvm_ir` emits code for."""
    module = prepare_module(ir_text, target)
    optimize_module(module, target, opt_level)
    return module


def emit_assembly(module: llvm.ModuleRef, target: Target, opt_level: int) -> str:
    """Assembly text of `module` for `target`, from the machine that emits its objects (code
    generation changes `module`: emit from a freshly optimized one)."""
    machine = target_machine(target, opt_level)
    with _lock:
        return str(machine.emit_assembly(module))


def optimized_ir(ir_text: str, target: Target | None = None, opt_level: int = 3) -> str:
    """The optimized LLVM IR the runtime compiles `ir_text` to for `target` (default:
    `Target.default()`) at `opt_level`; `ZigguratCompileError` if it does not parse or verify."""
    _check_opt_level(opt_level)
    target = target or Target.default()
    return str(optimized_module(ir_text, target, opt_level))


def assembly(ir_text: str, target: Target | None = None, opt_level: int = 3) -> str:
    """The assembly the runtime compiles `ir_text` to for `target` (default:
    `Target.default()`) at `opt_level`; `ZigguratCompileError` if it does not parse or verify."""
    _check_opt_level(opt_level)
    target = target or Target.default()
    return emit_assembly(optimized_module(ir_text, target, opt_level), target, opt_level)


def _check_opt_level(opt_level: int) -> None:
    if opt_level not in (0, 1, 2, 3):
        raise ValueError(f"opt_level must be 0, 1, 2 or 3, got {opt_level!r}")


def emit_object(module: llvm.ModuleRef, target: Target, opt_level: int) -> bytes:
    """Machine code for `module` as an ELF relocatable object."""
    machine = target_machine(target, opt_level)
    with _lock:
        STATS.emissions += 1
        return bytes(machine.emit_object(module))


def load_object(obj: bytes, exports: Sequence[str], label: str) -> tuple[Any, dict[str, int]]:
    """Link `obj` into the process; returns what keeps its code mapped (a `LoadedImage` or
    an LLJIT resource tracker) and the addresses of `exports`."""
    symbols = runtime_symbols()
    if elf_loader.enabled():
        try:
            image = elf_loader.load_object(obj, symbols.get, exports)
        except elf_loader.UnresolvedSymbol as error:
            raise ZigguratCompileError(f"cannot load the compiled object: {error}") from error
        except elf_loader.UnsupportedObject:
            with _lock:
                STATS.lljit_fallbacks += 1
        else:
            with _lock:
                STATS.loads += 1
                STATS.elf_loads += 1
            return image, dict(image.symbols)
    with _lock:
        jit = _jit()
        STATS.loads += 1
        builder = llvm.JITLibraryBuilder().add_object_img(obj).add_current_process()
        for name, address in symbols.items():
            builder.import_symbol(name, address)
        for name in exports:
            builder.export_symbol(name)
        try:
            tracker = builder.link(jit, f"{label}#{next(_library_ids)}")
        except RuntimeError as error:
            raise ZigguratCompileError(f"cannot load the compiled object: {error}") from error
        return tracker, {name: tracker[name] for name in exports}


def _check_signatures(
    signatures: Mapping[str, Sequence[ArgSpec]], functions: Mapping[str, Sequence[str]]
) -> dict[str, tuple[ArgSpec, ...]]:
    checked: dict[str, tuple[ArgSpec, ...]] = {}
    for name, specs in signatures.items():
        if name not in functions:
            available = ", ".join(sorted(functions)) or "none"
            raise ZigguratCompileError(
                f"signature given for @{name}, but the module defines no external function "
                f"of that name (defined: {available})"
            )
        checked[name] = check_signature(name, specs, functions[name])
    return checked


def _cached_object(
    entry: CacheEntry, target: Target, opt_level: int
) -> tuple[dict[str, list[str]], bytes]:
    """The exported functions and object bytes of a cache entry; ValueError if its metadata
    is not what `compile_llvm_ir` writes for this target, opt level and toolchain."""
    meta = entry.meta
    functions = meta.get("functions")
    if not isinstance(functions, dict) or not all(
        isinstance(name, str)
        and isinstance(params, list)
        and all(isinstance(p, str) for p in params)
        for name, params in functions.items()
    ):
        raise ValueError("cache entry: 'functions' is not a map of names to parameter types")
    expected = {
        "cpu": target.cpu,
        "features": target.features,
        "opt_level": opt_level,
        "toolchain": TOOLCHAIN,
        "ziggurat": ZIGGURAT_VERSION,
    }
    for name, value in expected.items():
        if meta.get(name) != value:
            raise ValueError(f"cache entry: {name!r} is {meta.get(name)!r}, expected {value!r}")
    if not entry.obj:
        raise ValueError("cache entry: empty object")
    return functions, entry.obj


def _load_cached(
    store: ObjectCache,
    key: str,
    signatures: Mapping[str, Sequence[ArgSpec]],
    target: Target,
    opt_level: int,
    label: str,
) -> tuple[dict[str, list[str]], dict[str, tuple[ArgSpec, ...]], Any, dict[str, int]] | None:
    """Link the cached object for `key`: (functions, checked signatures, tracker, addresses),
    or None on a miss.

    An entry whose metadata is malformed, whose functions do not match `signatures`, or whose
    object does not link is rejected (deleted) and None returned, so the caller compiles
    cold and rewrites it; no failure of a cached entry reaches the caller. (When the
    signatures themselves are wrong, the cold compile reports it.)
    """
    cached = store.load_checked(key, lambda entry: _cached_object(entry, target, opt_level))
    if cached is None:
        return None
    functions, obj = cached
    try:
        checked = _check_signatures(signatures, functions)
        tracker, addresses = load_object(obj, list(checked), label)
        if not all(addresses.values()):
            raise ZigguratCompileError("cache entry: an exported function has address 0")
    except Exception:  # anything wrong with the entry: rebuild it rather than fail
        store.reject(key)
        return None
    return functions, checked, tracker, addresses


@dataclass
class CompiledModule:
    """Machine code loaded into the process, with callable kernels for its signatures."""

    ir_text: str
    target: Target
    opt_level: int
    key: str
    signatures: dict[str, tuple[ArgSpec, ...]]
    functions: dict[str, list[str]]
    addresses: dict[str, int]
    from_cache: bool
    compile_seconds: float
    _tracker: Any = field(repr=False)
    _optimized_ir: str | None = field(default=None, repr=False)
    _asm: str | None = field(default=None, repr=False)
    # Weak: a Kernel keeps its module alive (`owner`), so a strong map back would make a
    # cycle that only the garbage collector frees (and with it the JIT code).
    _kernels: weakref.WeakValueDictionary[str, Kernel] = field(
        default_factory=weakref.WeakValueDictionary, repr=False
    )

    def kernel(self, name: str) -> Kernel:
        """The callable for function `name` (one of the names given signatures)."""
        kernel = self._kernels.get(name)
        if kernel is None:
            if name not in self.signatures:
                known = ", ".join(sorted(self.signatures)) or "none"
                raise KeyError(f"no kernel @{name} in this module (kernels: {known})")
            if not self.target.runs_on_host():
                missing = ", ".join(self.target.missing_on_host()) or self.target.triple
                raise ZigguratCompileError(
                    f"@{name} was compiled for {self.target}, which this machine cannot run "
                    f"(missing: {missing}); use .asm() to inspect it instead"
                )
            kernel = Kernel(name, self.addresses[name], self.signatures[name], owner=self)
            self._kernels[name] = kernel
        return kernel

    def llvm_ir(self) -> str:
        """The optimized LLVM IR the object code was emitted from (`optimized_ir`: optimized
        again on first use, since code generation consumes the module it emits)."""
        if self._optimized_ir is None:
            self._optimized_ir = optimized_ir(self.ir_text, self.target, self.opt_level)
        return self._optimized_ir

    def asm(self) -> str:
        """Assembly of the module for its target (`assembly`: optimized again on first use)."""
        if self._asm is None:
            self._asm = assembly(self.ir_text, self.target, self.opt_level)
        return self._asm


def compile_llvm_ir(
    ir_text: str,
    signatures: Mapping[str, Sequence[ArgSpec]],
    target: Target | None = None,
    opt_level: int = 3,
    cache: ObjectCache | bool | None = True,
) -> CompiledModule:
    """Compile LLVM IR text to callable kernels, using the on-disk object cache.

    `signatures` maps each function to call from Python to its `ArgSpec`s, one per pointer
    parameter (see `ziggurat.runtime.calling`). `target` defaults to `Target.default()`
    (`$ZIGGURAT_TARGET` or the host).
    `cache=True` uses the default cache (off under `ZIGGURAT_NO_CACHE=1`), `False`/None none,
    or pass an `ObjectCache`.
    """
    _check_opt_level(opt_level)
    target = target or Target.default()
    store: ObjectCache | None
    if cache is True:
        store = default_cache()
    elif cache is False or cache is None:
        store = None
    else:
        store = cache
    start = time.perf_counter()
    key = cache_key(
        ir_text,
        target.triple,
        target.cpu,
        target.features,
        TOOLCHAIN,
        str(opt_level),
        ZIGGURAT_VERSION,
        PIPELINE_VERSION,
    )
    label = "zg-" + key[:12]

    if store is not None:
        warm = _load_cached(store, key, signatures, target, opt_level, label)
        if warm is not None:
            functions, checked, tracker, addresses = warm
            return CompiledModule(
                ir_text,
                target,
                opt_level,
                key,
                checked,
                functions,
                addresses,
                True,
                time.perf_counter() - start,
                tracker,
            )

    module = prepare_module(ir_text, target)
    functions = exported_functions(module)
    checked = _check_signatures(signatures, functions)
    missing = unresolved_symbols(module)
    if missing:
        raise ZigguratCompileError(
            f"the module uses symbols nothing defines: {', '.join(missing)} "
            "(not in the runtime, nor in any library loaded into this process)"
        )
    optimize_module(module, target, opt_level)
    obj = emit_object(module, target, opt_level)
    tracker, addresses = load_object(obj, list(checked), label)
    if store is not None:
        meta = {
            "functions": functions,
            "cpu": target.cpu,
            "features": target.features,
            "opt_level": opt_level,
            "toolchain": TOOLCHAIN,
            "llvm": llvm_version(),
            "ziggurat": ZIGGURAT_VERSION,
        }
        store.store(key, obj, meta)
    return CompiledModule(
        ir_text,
        target,
        opt_level,
        key,
        checked,
        functions,
        addresses,
        False,
        time.perf_counter() - start,
        tracker,
    )
