"""A user-written pass plugged into Ziggurat: `div-to-mul` turns division by a constant into
multiplication by its reciprocal.

    python examples/custom_pass.py           # run the pass inside zg.jit and ziggurat-opt
    python examples/custom_pass.py --quick   # the same on smaller arrays (what the tests use)

The same file is a plugin for ziggurat-opt:

    ZIGGURAT_PLUGINS=examples/custom_pass.py ziggurat-opt --help   # lists div-to-mul
    ZIGGURAT_PLUGINS=examples/custom_pass.py ziggurat-opt in.mlir -p 'div-to-mul'

Importing it (as a plugin or a module) only defines and registers the pass; the demo below runs
when it is executed as a script.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Any

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, ModuleOp, TensorType
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

import ziggurat as zg
from ziggurat.dialects import ztensor as zt


def splat_value(op: zt.ConstantOp) -> float | None:
    """The scalar of a splat `ztensor.constant` (all elements equal), else None."""
    values = op.value.get_values()
    first = float(values[0])
    return first if all(float(v) == first for v in values) else None


def exact_reciprocal(c: float) -> bool:
    """True when x / c == x * (1 / c) for every x: c is a (positive or negative) power of two
    whose reciprocal is a normal number."""
    mantissa, exponent = math.frexp(c)
    return abs(mantissa) == 0.5 and -125 <= 1 - exponent <= 126  # 1/c normal even in f32


@dataclass
class DivByConstantToMul(RewritePattern):
    """`ztensor.div %x, %c` with %c a splat constant -> `ztensor.mul %x, %r`, %r = 1/c."""

    allow_inexact: bool

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: zt.DivOp, rewriter: PatternRewriter) -> None:
        divisor = op.rhs.owner
        if not isinstance(divisor, zt.ConstantOp):
            return
        c = splat_value(divisor)
        if c is None or c == 0 or not math.isfinite(c):
            return
        if not (self.allow_inexact or exact_reciprocal(c)):
            return
        ty = op.rhs.type
        assert isinstance(ty, TensorType)
        reciprocal = zt.ConstantOp(DenseIntOrFPElementsAttr.from_list(ty, [1.0 / c]))
        rewriter.replace(op, [reciprocal, zt.MulOp(op.lhs, reciprocal.result)])
        if not divisor.result.uses:
            rewriter.erase(divisor)


@zg.register_pass
@dataclass(frozen=True)
class DivToMulPass(ModulePass):
    """`div-to-mul`: rewrite division by a splat constant into multiplication by 1/c.

    By default only divisors whose reciprocal is exact (powers of two) are rewritten, so
    results are bit-identical; `allow-inexact=true` rewrites every nonzero finite divisor
    (results may then differ in the last bit). Assumes ztensor ops; leaves everything else.
    """

    name = "div-to-mul"

    allow_inexact: bool = False

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(DivByConstantToMul(self.allow_inexact)).rewrite_module(op)


# ---------------------------------------------------------------------------------------------
# The demo
# ---------------------------------------------------------------------------------------------

PIPELINE = "canonicalize,div-to-mul,cpu-pipeline"


def scale(x: Any, y: Any) -> Any:
    return zg.tanh(x / 4.0) + y / 2.0


def main(quick: bool) -> None:
    rng = np.random.default_rng(0)
    n = 64 if quick else 1024
    x = rng.standard_normal((n, n)).astype(np.float32)
    y = rng.standard_normal((n, n)).astype(np.float32)

    # 1. The pass is a pipeline entry like any other: inside zg.jit ...
    f = zg.jit(scale, pipeline=PIPELINE)
    lowered = f.lower(x, y)
    before, after = lowered.as_text("ztensor"), lowered.as_text("eqsat")
    assert before.count("ztensor.div") == 2 and "ztensor.mul" not in before
    assert "ztensor.div" not in after and after.count("ztensor.mul") == 2
    print(f"zg.jit(scale, pipeline={PIPELINE!r}): the module before lowering to ztile:")
    print(after)
    got = f(x, y)
    want = np.tanh(x / np.float32(4)) + y / np.float32(2)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    print("result matches numpy\n")

    # ... in zg.parse_pipeline on any module ...
    module = lowered.module
    zg.parse_pipeline("div-to-mul").apply(zg.make_context(), module)
    assert "ztensor.div" not in str(module)

    # 2. ... and in ziggurat-opt, which loads this file as a plugin.
    with tempfile.NamedTemporaryFile("w", suffix=".mlir", delete=False) as source:
        source.write(before)
    env = {**os.environ, "ZIGGURAT_PLUGINS": os.path.abspath(__file__)}
    try:
        opt = subprocess.run(
            ["ziggurat-opt", source.name, "-p", "div-to-mul"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        helptext = subprocess.run(
            ["ziggurat-opt", "--help"], env=env, capture_output=True, text=True, check=True
        ).stdout
    finally:
        os.unlink(source.name)
    assert "div-to-mul" in helptext
    assert "ztensor.div" not in opt.stdout and "ztensor.mul" in opt.stdout
    print("ZIGGURAT_PLUGINS=examples/custom_pass.py ziggurat-opt in.mlir -p div-to-mul:")
    print(opt.stdout)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
