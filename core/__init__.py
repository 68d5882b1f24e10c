"""Ziggurat: an MLIR-style multi-dialect compiler toolkit in Python, built on xDSL.

`import ziggurat as zg` gives the numpy-like frontend: `zg.jit` and the functions that trace
into the ztensor dialect (or run eagerly with numpy outside a trace). Importing the package
loads numpy only; xDSL is imported when the first trace starts.
"""

from typing import TYPE_CHECKING

from ziggurat.api import (
    abs,
    add,
    broadcast_to,
    ceil,
    divide,
    erf,
    exp,
    floor,
    gelu,
    layer_norm,
    log,
    matmul,
    max,
    maximum,
    mean,
    minimum,
    multiply,
    negative,
    power,
    relu,
    reshape,
    rsqrt,
    sigmoid,
    softmax,
    sqrt,
    subtract,
    sum,
    tanh,
    transpose,
    where,
)
from ziggurat.errors import (
    ArgumentError,
    CompileError,
    PassOptionError,
    PipelineError,
    ZigguratError,
)
from ziggurat.frontend import TracedArray, ZigguratTraceError
from ziggurat.jit import (
    STAGES,
    Backend,
    InterpreterBackend,
    JitOptions,
    Lowered,
    StageUnavailableError,
    jit,
)

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_PIPELINE",
    "STAGES",
    "ArgumentError",
    "Backend",
    "CompileError",
    "CompiledBackend",
    "DiagnosticError",
    "Executable",
    "InterpreterBackend",
    "JitOptions",
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
    "broadcast_to",
    "ceil",
    "compile",
    "divide",
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
    "subtract",
    "sum",
    "tanh",
    "transpose",
    "where",
]

if TYPE_CHECKING:
    from ziggurat.driver import (
        DEFAULT_PIPELINE,
        CompiledBackend,
        Executable,
        compile,
        parse_module,
        parse_pipeline,
        run_reference,
        signatures,
    )
    from ziggurat.passes import register_pass
    from ziggurat.passes.cpu_pipeline import UnsupportedError
    from ziggurat.runtime import Target
    from ziggurat.tools.diagnostics import DiagnosticError
    from ziggurat.universe import all_passes, make_context

# The embedding API pulls in xDSL and llvmlite: load it on first use so `import ziggurat`
# stays light.
_LAZY = {
    "compile": "ziggurat.driver",
    "parse_pipeline": "ziggurat.driver",
    "parse_module": "ziggurat.driver",
    "signatures": "ziggurat.driver",
    "run_reference": "ziggurat.driver",
    "Executable": "ziggurat.driver",
    "CompiledBackend": "ziggurat.driver",
    "DiagnosticError": "ziggurat.tools.diagnostics",
    "UnsupportedError": "ziggurat.passes.cpu_pipeline",
    "DEFAULT_PIPELINE": "ziggurat.driver",
    "make_context": "ziggurat.universe",
    "all_passes": "ziggurat.universe",
    "register_pass": "ziggurat.passes",
    "Target": "ziggurat.runtime",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ziggurat' has no attribute {name!r}")
