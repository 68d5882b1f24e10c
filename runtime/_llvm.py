"""`llvmlite.binding`, imported on first use.

Importing it loads libLLVM and costs a new process 25-40 ms; a process whose kernels all come
from the object cache links them with `ziggurat.runtime.elf_loader` and never needs it. The
runtime's modules write `from ziggurat.runtime._llvm import llvm` and use `llvm.X` as they
would the module: the first attribute looked up imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any


class _OnFirstUse:
    def __getattr__(self, name: str) -> Any:
        import llvmlite.binding

        return getattr(llvmlite.binding, name)


def toolchain() -> str:
    """The code generator's identity for cache keys (llvmlite's version, which fixes the LLVM
    it is built with), known without importing `llvmlite.binding`."""
    import llvmlite

    return f"llvmlite-{llvmlite.__version__}"


if TYPE_CHECKING:
    import llvmlite.binding as llvm
else:
    llvm = _OnFirstUse()
