"""linalg-to-ztensor end to end: the torch-mlir fixtures compile with the default pipeline
(`zg.compile`, `ziggurat-run --check`) and match the reference interpreter and numpy models of
the PyTorch modules on random inputs; what the pass raises them to; and bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy_models import CASES, linear_relu

import ziggurat as zg
from ziggurat.interpreter import run_function
from ziggurat.parsing import parse_file, parse_module
from ziggurat.passes.linalg_to_ztensor import LinalgToZTensorPass
from ziggurat.universe import make_context

FIXTURES = Path(__file__).resolve().parents[1] / "interop" / "fixtures"


def _raised(name: str) -> str:
    module = parse_file(str(FIXTURES / f"{name}.mlir"))
    LinalgToZTensorPass().apply(make_context(), module)
    return str(module)


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_compiles_and_matches(name: str) -> None:
    reference, shapes = CASES[name]
    text = (FIXTURES / f"{name}.mlir").read_text()
    exe = zg.compile(text)
    rng = np.random.default_rng(11)
    args = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    result = exe(*args)
    np.testing.assert_allclose(result, reference(*args), rtol=1e-4, atol=1e-4)
    (interpreted,) = zg.run_reference(text, "main", args)
    np.testing.assert_allclose(result, interpreted, rtol=1e-5, atol=1e-5)


def test_frozen_fixture_compiles_with_its_blobs() -> None:
    path = FIXTURES / "linear_relu_frozen.mlir"
    module = parse_file(str(path))
    exe = zg.compile(path.read_text())
    x = np.random.default_rng(12).standard_normal((2, 4)).astype(np.float32)
    (expected,) = run_function(module, "main", x)
    np.testing.assert_allclose(exe(x), expected, rtol=1e-6, atol=1e-6)
    assert not np.allclose(expected, linear_relu(x, np.zeros((4, 8)), np.zeros(8)))


def test_raised_forms_are_ztensor_idioms() -> None:
    """Only ztensor (and leftover scalar constants): relu for torch's cmpf ugt + select, erf
    for exact GELU, matmul for linalg.matmul into a zero fill, reductions for generics."""
    for name in CASES:
        text = _raised(name)
        assert "linalg." not in text and "tensor.empty" not in text, text
    relu = _raised("linear_relu")
    assert "ztensor.relu" in relu and "ztensor.select" not in relu
    assert "ztensor.matmul" in relu
    mlp = _raised("mlp_gelu")
    assert mlp.count("ztensor.transpose") == 2 and "ztensor.erf" in mlp
    softmax = _raised("softmax")
    assert "ztensor.reduce_max" in softmax and "ztensor.reduce_sum" in softmax
    assert "xi64>" not in softmax  # the unused argmax is gone
    layernorm = _raised("layernorm")
    assert "tensor<8x32xf64>" in layernorm and "ztensor.rsqrt" in layernorm


def test_ziggurat_run_check_accepts_the_fixtures() -> None:
    run = Path(sys.executable).with_name("ziggurat-run")
    for name in ("softmax", "linear_relu_frozen"):
        proc = subprocess.run(
            [str(run), str(FIXTURES / f"{name}.mlir"), "--check"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        assert "check: OK" in proc.stdout


def test_unraisable_op_is_a_located_error() -> None:
    text = """
func.func @main(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %r = linalg.add ins(%x, %y : tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}
"""
    with pytest.raises(zg.DiagnosticError) as info:
        zg.compile(parse_module(text, "add.mlir"))
    message = str(info.value)
    assert message.startswith("add.mlir:4:8: error: 'linalg.add' op is not supported by ")
    assert "internal" not in message
