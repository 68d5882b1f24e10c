"""Run any Ziggurat program on numpy arrays with xDSL's interpreter and the reference semantics.

Tensors, memrefs and vectors are numpy arrays. This is the oracle every compiled result is
compared against. Besides Ziggurat's own levels it runs linalg on tensors as torch-mlir
exports it (`ziggurat.linalg_semantics`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.interpreter import Interpreter, InterpreterFunctions


def interpreter_functions() -> list[InterpreterFunctions]:
    """Every interpreter function set Ziggurat registers (upstream dialects and its own)."""
    # Imported on first use: the semantics load all three dialects, which importing this
    # module (the driver does, for `run_reference`) should not.
    from xdsl.interpreters.builtin import BuiltinFunctions
    from xdsl.interpreters.func import FuncFunctions
    from xdsl.interpreters.scf import ScfFunctions

    from ziggurat.dialects.zloop_semantics import (
        BufferizationFunctions,
        NumpyArithFunctions,
        ZLoopFunctions,
    )
    from ziggurat.dialects.ztensor_semantics import ZTensorFunctions
    from ziggurat.dialects.ztile_semantics import ZTileFunctions
    from ziggurat.linalg_semantics import LinalgFunctions

    return [
        NumpyArithFunctions(),
        BuiltinFunctions(),
        FuncFunctions(),
        ScfFunctions(),
        ZTensorFunctions(),
        ZTileFunctions(),
        ZLoopFunctions(),
        BufferizationFunctions(),
        LinalgFunctions(),
    ]


def make_interpreter(module: ModuleOp) -> Interpreter:
    """An interpreter over `module` with every Ziggurat and upstream implementation registered."""
    interpreter = Interpreter(module)
    for functions in interpreter_functions():
        interpreter.register_implementations(functions)
    return interpreter


def run_function(module: ModuleOp, name: str, *args: Any) -> tuple[Any, ...]:
    """Call the function `name` of `module` on `args` (numpy arrays or scalars)."""
    interpreter = make_interpreter(module)
    results = interpreter.call_op(name, tuple(args))
    return tuple(np.asarray(r) if isinstance(r, np.ndarray) else r for r in results)


def run_function_on(module: ModuleOp, name: str, args: Sequence[Any]) -> tuple[Any, ...]:
    """`run_function` with the arguments as one sequence."""
    return run_function(module, name, *args)
