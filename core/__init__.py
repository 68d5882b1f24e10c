"""Ziggurat: an MLIR-style multi-dialect compiler toolkit in Python, built on xDSL.

`import ziggurat as zg` gives the numpy-like frontend: `zg.jit` and the functions that trace
into the ztensor dialect (or run eagerly with numpy outside a trace). Importing the package
loads numpy only; xDSL is imported when the first trace starts.
"""

from ziggurat.api import (
    abs,
    add,
    broadcast_to,
    divide,
    exp,
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
)
from ziggurat.frontend import TracedArray, ZigguratError, ZigguratTraceError
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
    "STAGES",
    "Backend",
    "InterpreterBackend",
    "JitOptions",
    "Lowered",
    "StageUnavailableError",
    "TracedArray",
    "ZigguratError",
    "ZigguratTraceError",
    "__version__",
    "abs",
    "add",
    "broadcast_to",
    "divide",
    "exp",
    "gelu",
    "jit",
    "layer_norm",
    "log",
    "matmul",
    "max",
    "maximum",
    "mean",
    "minimum",
    "multiply",
    "negative",
    "power",
    "relu",
    "reshape",
    "rsqrt",
    "sigmoid",
    "softmax",
    "sqrt",
    "subtract",
    "sum",
    "tanh",
    "transpose",
]
