"""Differential test: random programs over the traced API, run by zg.jit vs numpy in float64.

Hypothesis builds a straight-line program (elementwise ops with broadcasting and Python
scalars, matmul incl. batched and 1-D, reductions with axes/keepdims, transpose, reshape,
broadcast_to, softmax, layer_norm) on tiny random inputs, runs it through `zg.jit` on the
default backend, and compares with an independent numpy evaluation in float64.

`ZIGGURAT_HYPOTHESIS_EXAMPLES` sets the number of examples (default 200) and
`ZIGGURAT_HYPOTHESIS_MAX_DIM` the largest dimension (default 3 on the interpreter backend, where
tiny shapes keep the run short; 20 on a compiled backend, to reach vector tails and masking).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from random_programs import Np, Step, Zg, programs, run

import ziggurat as zg

EXAMPLES = int(os.environ.get("ZIGGURAT_HYPOTHESIS_EXAMPLES", "200"))


# ---------------------------------------------------------------------------------------------
# The test
# ---------------------------------------------------------------------------------------------


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
@given(programs())
def test_random_programs_match_numpy(
    program: tuple[list[Step], list[Any], tuple[int, ...]],
) -> None:
    steps, inputs, outputs = program
    fn = zg.jit(lambda *xs: run(Zg, steps, list(xs), outputs))
    got = _tuple(fn(*inputs))
    want = _tuple(run(Np, steps, [x.astype(np.float64) for x in inputs], outputs))
    # numpy in float32 estimates each output's conditioning: where float32 rounding already
    # moves numpy's own result, allow a multiple of that movement.
    with np.errstate(all="ignore"):
        want32 = _tuple(run(Np, steps, [x.astype(np.float32) for x in inputs], outputs))
    assume(all(np.all(np.isfinite(w)) and np.all(np.abs(w) < 1e15) for w in want32 + want))
    dtype = inputs[0].dtype
    rtol, atol, cond = (1e-4, 1e-5, 8.0) if dtype == np.float32 else (1e-9, 1e-12, 1e-6)
    for g, w, w32 in zip(got, want, want32, strict=True):
        assert isinstance(g, np.ndarray)
        assert g.dtype == dtype
        assert g.shape == np.shape(w)
        bound = rtol * np.abs(w) + atol + cond * np.abs(np.asarray(w32, np.float64) - w)
        excess = np.abs(g.astype(np.float64) - w) - bound
        assert np.all(excess <= 0), (
            f"mismatch: got {g!r}, want {w!r} (float32 numpy: {w32!r}), steps {steps}"
        )


def _tuple(value: Any) -> tuple[Any, ...]:
    return value if isinstance(value, tuple) else (value,)
