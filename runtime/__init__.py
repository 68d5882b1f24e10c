"""The runtime: JIT compilation with llvmlite, the object cache, calling compiled code from numpy.

`compile_llvm_ir(ir_text, signatures, target=None, opt_level=3)` turns LLVM IR text into a
`CompiledModule` whose `.kernel(name)` is a checked numpy callable; `optimized_ir` and
`assembly` show what it compiles the same text to. See docs/runtime.md.

The runtime is the bottom layer of Ziggurat (docs/layout.md): it imports nothing of Ziggurat
but itself and `ziggurat.errors`, and can be used without the compiler.
"""

from ziggurat.runtime.cache import ObjectCache, default_cache_dir
from ziggurat.runtime.calling import (
    ArgSpec,
    Kernel,
    ZigguratCallError,
    ZigguratCallTypeError,
    ZigguratRuntimeError,
)
from ziggurat.runtime.compiler import (
    ZIGGURAT_VERSION,
    CompiledModule,
    ZigguratCompileError,
    assembly,
    compile_llvm_ir,
    optimized_ir,
)
from ziggurat.runtime.target import Target
from ziggurat.runtime.threads import get_num_threads, num_threads, set_num_threads

__all__ = [
    "ZIGGURAT_VERSION",
    "ArgSpec",
    "CompiledModule",
    "Kernel",
    "ObjectCache",
    "Target",
    "ZigguratCallError",
    "ZigguratCallTypeError",
    "ZigguratCompileError",
    "ZigguratRuntimeError",
    "assembly",
    "compile_llvm_ir",
    "default_cache_dir",
    "get_num_threads",
    "num_threads",
    "optimized_ir",
    "set_num_threads",
]
