"""The runtime: JIT compilation with llvmlite, the object cache, calling compiled code from numpy.

`compile_llvm_ir(ir_text, signatures, target=None, opt_level=3)` turns LLVM IR text into a
`CompiledModule` whose `.kernel(name)` is a checked numpy callable; see docs/runtime.md.
"""

from ziggurat.runtime.cache import ObjectCache, default_cache_dir
from ziggurat.runtime.calling import (
    ArgSpec,
    Kernel,
    ZigguratCallError,
    ZigguratCallTypeError,
    ZigguratRuntimeError,
)
from ziggurat.runtime.compiler import CompiledModule, ZigguratCompileError, compile_llvm_ir
from ziggurat.runtime.target import Target
from ziggurat.runtime.threads import get_num_threads, num_threads, set_num_threads

__all__ = [
    "ArgSpec",
    "CompiledModule",
    "Kernel",
    "ObjectCache",
    "Target",
    "ZigguratCallError",
    "ZigguratCallTypeError",
    "ZigguratCompileError",
    "ZigguratRuntimeError",
    "compile_llvm_ir",
    "default_cache_dir",
    "get_num_threads",
    "num_threads",
    "set_num_threads",
]
