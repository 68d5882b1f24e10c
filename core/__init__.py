"""Ziggurat: an MLIR-style multi-dialect compiler toolkit in Python, built on xDSL.

`import ziggurat as zg` gives the numpy-like frontend: `zg.jit` and the functions that trace
into the ztensor dialect (or run eagerly with numpy outside a trace), and the embedding API
(`zg.compile`, `zg.parse_pipeline`, ...).

Importing the package loads only `ziggurat.errors`: every other public name is loaded from
its module on first use (PEP 562 `__getattr__`), so importing a subpackage such as
`ziggurat.dialects.ztensor` does not load the frontend or the jit, and `import ziggurat`
does not load xDSL, numpy or llvmlite. The frontend loads numpy; xDSL is imported when the
first trace starts.
"""

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

from ziggurat.errors import (
    ArgumentError,
    CompileError,
    PassOptionError,
    PipelineError,
    StageUnavailableError,
    ZigguratError,
)

if TYPE_CHECKING:
    from ziggurat.api import (
        TableFunction,
        broadcast_to,
        dot,
        layer_norm,
        matmul,
        min,
        reshape,
        softmax,
        square,
        std,
        transpose,
        var,
    )

    abs: TableFunction
    add: TableFunction
    ceil: TableFunction
    divide: TableFunction
    erf: TableFunction
    exp: TableFunction
    floor: TableFunction
    gelu: TableFunction
    log: TableFunction
    max: TableFunction
    maximum: TableFunction
    mean: TableFunction
    minimum: TableFunction
    multiply: TableFunction
    negative: TableFunction
    power: TableFunction
    relu: TableFunction
    rsqrt: TableFunction
    sigmoid: TableFunction
    sqrt: TableFunction
    subtract: TableFunction
    sum: TableFunction
    tanh: TableFunction
    where: TableFunction
    from ziggurat.artifacts import DEFAULT_PIPELINE, Executable
    from ziggurat.autotune import autotune_stats
    from ziggurat.compiled_backend import CompiledBackend
    from ziggurat.cpu_pipeline import UnsupportedError
    from ziggurat.diagnostics import DiagnosticError
    from ziggurat.driver import (
        compile,
        parse_module,
        parse_pipeline,
        run_reference,
        signatures,
        to_linalg,
    )
    from ziggurat.frontend import TracedArray, ZigguratTraceError
    from ziggurat.jit import (
        STAGES,
        Backend,
        Compiled,
        InterpreterBackend,
        JitOptions,
        JittedFunction,
        Lowered,
        jit,
    )
    from ziggurat.runtime import Target
    from ziggurat.universe import all_passes, make_context, register_pass

    __version__: str

__all__ = [
    "DEFAULT_PIPELINE",
    "STAGES",
    "ArgumentError",
    "Backend",
    "CompileError",
    "Compiled",
    "CompiledBackend",
    "DiagnosticError",
    "Executable",
    "InterpreterBackend",
    "JitOptions",
    "JittedFunction",
    "Lowered",
    "PassOptionError",
    "PipelineError",
    "StageUnavailableError",
    "Target",
    "TracedArray",
    "UnsupportedError",
    "ZigguratError",
    "ZigguratTraceError",
    "__version__",
    "abs",
    "add",
    "all_passes",
    "autotune_stats",
    "broadcast_to",
    "ceil",
    "compile",
    "divide",
    "dot",
    "erf",
    "exp",
    "floor",
    "gelu",
    "jit",
    "layer_norm",
    "log",
    "make_context",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "multiply",
    "negative",
    "parse_module",
    "parse_pipeline",
    "power",
    "register_pass",
    "relu",
    "reshape",
    "rsqrt",
    "run_reference",
    "sigmoid",
    "signatures",
    "softmax",
    "sqrt",
    "square",
    "std",
    "subtract",
    "sum",
    "tanh",
    "to_linalg",
    "transpose",
    "var",
    "where",
]

# The module of each lazily loaded name; the names of `__all__` neither bound above nor listed
# here are the numpy-like functions of `ziggurat.api`.
_LAZY = {
    "TracedArray": "ziggurat.frontend",
    "ZigguratTraceError": "ziggurat.frontend",
    "STAGES": "ziggurat.jit",
    "Backend": "ziggurat.jit",
    "InterpreterBackend": "ziggurat.jit",
    "JitOptions": "ziggurat.jit",
    "JittedFunction": "ziggurat.jit",
    "Lowered": "ziggurat.jit",
    "Compiled": "ziggurat.jit",
    "jit": "ziggurat.jit",
    "CompiledBackend": "ziggurat.compiled_backend",
    "DEFAULT_PIPELINE": "ziggurat.artifacts",
    "autotune_stats": "ziggurat.autotune",
    "Executable": "ziggurat.artifacts",
    "compile": "ziggurat.driver",
    "parse_module": "ziggurat.driver",
    "parse_pipeline": "ziggurat.driver",
    "run_reference": "ziggurat.driver",
    "signatures": "ziggurat.driver",
    "to_linalg": "ziggurat.driver",
    "DiagnosticError": "ziggurat.diagnostics",
    "UnsupportedError": "ziggurat.cpu_pipeline",
    "Target": "ziggurat.runtime",
    "all_passes": "ziggurat.universe",
    "make_context": "ziggurat.universe",
    "register_pass": "ziggurat.universe",
}


def __getattr__(name: str) -> object:
    if name == "__version__":
        from ziggurat._version import __version__

        value: object = __version__
    elif name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
    elif name in __all__:
        value = getattr(import_module("ziggurat.api"), name)
    else:
        raise AttributeError(f"module 'ziggurat' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(ModuleType):
    """The class of this package's module object: `zg.jit` stays the decorator.

    When the submodule `ziggurat.jit` is first imported (by `zg.jit`, or directly), the import
    system binds it as the package's attribute `jit`; the decorator of that module is bound
    instead, as an eager `from ziggurat.jit import jit` in this file would have left it.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name == "jit" and isinstance(value, ModuleType):
            value = value.jit
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
