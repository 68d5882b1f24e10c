"""End to end: whole programs through `zg.compile`, against numpy and the reference interpreter.

Covers the MLP example, a GPT-2 MLP block, relu(A@B+C) with odd sizes, functions with several
results or returning their arguments, buffers that must not alias, argument checking (clear
errors, never a crash), and determinism across thread counts. Executables are compiled once
per module (module-scoped fixtures) with the on-disk caches off, so CI pays what this pays.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ziggurat as zg
from ziggurat.driver import Executable, run_reference
from ziggurat.runtime import ZigguratCallError, ZigguratCallTypeError

NDArray = np.ndarray[Any, Any]
ROOT = Path(__file__).resolve().parents[2]
RNG = np.random.default_rng(42)


def randn(*shape: int, scale: float = 1.0) -> NDArray:
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def compile_(source: str, opt_level: int = 3, target: zg.Target | None = None) -> Executable:
    return zg.compile(source, opt_level=opt_level, target=target, cache=False)


def gelu(x: NDArray) -> NDArray:
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def softmax(x: NDArray, axis: int) -> NDArray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def layernorm(x: NDArray, axis: int, eps: float) -> NDArray:
    c = x - x.mean(axis=axis, keepdims=True)
    return c / np.sqrt((c * c).mean(axis=axis, keepdims=True) + eps)


def f64(*arrays: NDArray) -> list[NDArray]:
    return [a.astype(np.float64) for a in arrays]


# ---------------------------------------------------------------------------------------------
# The MLP example
# ---------------------------------------------------------------------------------------------

MLP_SOURCE = (ROOT / "examples" / "mlp.mlir").read_text()


@pytest.fixture(scope="module")
def mlp_inputs() -> list[NDArray]:
    w1, w2 = randn(128, 256, scale=0.1), randn(256, 10, scale=0.1)
    return [randn(64, 128), w1, randn(256), w2, randn(10)]


def mlp_numpy(x: NDArray, w1: NDArray, b1: NDArray, w2: NDArray, b2: NDArray) -> NDArray:
    x, w1, b1, w2, b2 = f64(x, w1, b1, w2, b2)
    return softmax(np.maximum(x @ w1 + b1, 0) @ w2 + b2, -1)


@pytest.mark.parametrize(
    ("opt_level", "target"),
    [(0, None), (3, None), (3, zg.Target.avx2())],
    ids=["host-O0", "host-O3", "avx2-O3"],
)
def test_mlp_example(mlp_inputs: list[NDArray], opt_level: int, target: zg.Target | None) -> None:
    exe = compile_(MLP_SOURCE, opt_level, target)
    got = exe(*mlp_inputs)
    assert got.shape == (64, 10) and got.dtype == np.float32
    np.testing.assert_allclose(got, mlp_numpy(*mlp_inputs), rtol=1e-5, atol=1e-6)
    (interpreted,) = run_reference(MLP_SOURCE, "mlp", mlp_inputs)
    np.testing.assert_allclose(got, interpreted, rtol=1e-5, atol=1e-6)


def test_ziggurat_run_check_on_the_example(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ziggurat.tools.run import run

    monkeypatch.setenv("ZIGGURAT_CACHE_DIR", str(tmp_path))
    assert run([str(ROOT / "examples" / "mlp.mlir"), "--check"]) == 0
    assert "OK" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# A GPT-2 MLP block: layernorm(gelu(x@W1+b1)@W2+b2 + x)
# ---------------------------------------------------------------------------------------------

GPT2_SOURCE = """
func.func @gpt2_mlp(%x: tensor<256x768xf32>, %w1: tensor<768x3072xf32>, %b1: tensor<3072xf32>,
                    %w2: tensor<3072x768xf32>, %b2: tensor<768xf32>) -> tensor<256x768xf32> {
  %h = ztensor.matmul %x, %w1 : (tensor<256x768xf32>, tensor<768x3072xf32>) -> tensor<256x3072xf32>
  %hb = ztensor.add %h, %b1 : (tensor<256x3072xf32>, tensor<3072xf32>) -> tensor<256x3072xf32>
  %g = ztensor.gelu %hb : tensor<256x3072xf32>
  %o = ztensor.matmul %g, %w2 : (tensor<256x3072xf32>, tensor<3072x768xf32>) -> tensor<256x768xf32>
  %ob = ztensor.add %o, %b2 : (tensor<256x768xf32>, tensor<768xf32>) -> tensor<256x768xf32>
  %r = ztensor.add %ob, %x : (tensor<256x768xf32>, tensor<256x768xf32>) -> tensor<256x768xf32>
  %n = ztensor.layernorm %r {axis = -1 : i64, epsilon = 1.0e-05 : f32} : tensor<256x768xf32>
  func.return %n : tensor<256x768xf32>
}
"""


@pytest.fixture(scope="module")
def gpt2() -> tuple[Executable, list[NDArray], NDArray]:
    inputs = [randn(256, 768), randn(768, 3072, scale=0.03), randn(3072, scale=0.1)]
    inputs += [randn(3072, 768, scale=0.02), randn(768, scale=0.1)]
    x, w1, b1, w2, b2 = f64(*inputs)
    expected = layernorm(gelu(x @ w1 + b1) @ w2 + b2 + x, -1, float(np.float32(1e-5)))
    return compile_(GPT2_SOURCE), inputs, expected


def test_gpt2_mlp_block(gpt2: tuple[Executable, list[NDArray], NDArray]) -> None:
    exe, inputs, expected = gpt2
    got = exe(*inputs)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_gpt2_mlp_block_same_result_on_one_and_two_threads(
    gpt2: tuple[Executable, list[NDArray], NDArray],
) -> None:
    exe, inputs, _ = gpt2
    one = exe(*inputs, threads=1)
    two = exe(*inputs, threads=2)
    np.testing.assert_array_equal(one, two)


# ---------------------------------------------------------------------------------------------
# relu(A@B+C) with odd sizes
# ---------------------------------------------------------------------------------------------


def relu_mm_source(m: int, k: int, n: int, bias_shape: tuple[int, ...]) -> str:
    bias = "tensor<" + "".join(f"{d}x" for d in bias_shape) + "f32>"
    return f"""
func.func @f(%a: tensor<{m}x{k}xf32>, %b: tensor<{k}x{n}xf32>, %c: {bias}) -> tensor<{m}x{n}xf32> {{
  %0 = ztensor.matmul %a, %b : (tensor<{m}x{k}xf32>, tensor<{k}x{n}xf32>) -> tensor<{m}x{n}xf32>
  %1 = ztensor.add %0, %c : (tensor<{m}x{n}xf32>, {bias}) -> tensor<{m}x{n}xf32>
  %2 = ztensor.relu %1 : tensor<{m}x{n}xf32>
  func.return %2 : tensor<{m}x{n}xf32>
}}
"""


@pytest.mark.parametrize(
    ("m", "k", "n", "bias"),
    [(33, 17, 65, (33, 65)), (33, 17, 65, (65,)), (1, 1, 1, (1, 1)), (7, 129, 3, (7, 1))],
    ids=["33x17x65", "33x17x65-row-bias", "1x1x1", "7x129x3-col-bias"],
)
@pytest.mark.parametrize(
    ("opt_level", "target"),
    [
        (0, zg.Target.avx512()),
        (3, zg.Target.avx512()),
        (0, zg.Target.avx2()),
        (3, zg.Target.avx2()),
    ],
    ids=["avx512-O0", "avx512-O3", "avx2-O0", "avx2-O3"],
)
def test_relu_matmul_bias_odd_sizes(
    m: int, k: int, n: int, bias: tuple[int, ...], opt_level: int, target: zg.Target
) -> None:
    if not target.runs_on_host():
        pytest.skip(f"this machine cannot run {target}")
    a, b, c = randn(m, k), randn(k, n), randn(*bias)
    got = compile_(relu_mm_source(m, k, n, bias), opt_level, target)(a, b, c)
    a64, b64, c64 = f64(a, b, c)
    np.testing.assert_allclose(got, np.maximum(a64 @ b64 + c64, 0), rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------------------------------
# Several results, returned arguments, aliasing
# ---------------------------------------------------------------------------------------------

HELPER_SOURCE = """
func.func @with_helper(%x: tensor<4x17xf32>) -> (tensor<4x17xf32>, tensor<4x17xf32>) {
  %0 = func.call @helper(%x) : (tensor<4x17xf32>) -> tensor<4x17xf32>
  %1 = func.call @helper(%0) : (tensor<4x17xf32>) -> tensor<4x17xf32>
  %2, %3 = func.call @pair(%1, %x) : (tensor<4x17xf32>, tensor<4x17xf32>) -> (tensor<4x17xf32>, tensor<4x17xf32>)
  %4 = ztensor.add %2, %0 : (tensor<4x17xf32>, tensor<4x17xf32>) -> tensor<4x17xf32>
  func.return %4, %3 : tensor<4x17xf32>, tensor<4x17xf32>
}

func.func private @helper(%x: tensor<4x17xf32>) -> tensor<4x17xf32> {
  %0 = ztensor.sigmoid %x : tensor<4x17xf32>
  %1 = ztensor.mul %0, %x : (tensor<4x17xf32>, tensor<4x17xf32>) -> tensor<4x17xf32>
  func.return %1 : tensor<4x17xf32>
}

func.func private @pair(%a: tensor<4x17xf32>, %b: tensor<4x17xf32>) -> (tensor<4x17xf32>, tensor<4x17xf32>) {
  %0 = ztensor.sub %a, %b : (tensor<4x17xf32>, tensor<4x17xf32>) -> tensor<4x17xf32>
  func.return %0, %b : tensor<4x17xf32>, tensor<4x17xf32>
}
"""


@pytest.mark.parametrize("opt_level", [0, 3])
def test_calls_of_private_tensor_functions(opt_level: int) -> None:
    exe = compile_(HELPER_SOURCE, opt_level)
    assert set(exe.signatures) == {"with_helper"}
    x = randn(4, 17)
    got, same = call(exe, "with_helper", x)
    x64 = x.astype(np.float64)
    once = x64 / (1 + np.exp(-x64))
    twice = once / (1 + np.exp(-once))
    np.testing.assert_allclose(got, twice - x64 + once, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(same, x)
    interpreted = run_reference(HELPER_SOURCE, "with_helper", [x])
    np.testing.assert_allclose(got, interpreted[0], rtol=1e-5, atol=1e-6)


RESULTS_SOURCE = """
func.func @several(%x: tensor<33x17xf32>, %y: tensor<17xf32>)
    -> (tensor<33x17xf32>, tensor<17xf32>, tensor<33x1xf32>, tensor<33x17xf32>, tensor<f32>) {
  %0 = ztensor.add %x, %y : (tensor<33x17xf32>, tensor<17xf32>) -> tensor<33x17xf32>
  %1 = ztensor.exp %y : tensor<17xf32>
  %2 = ztensor.reduce_max %x {axes = array<i64: 1>, keepdims = true} : tensor<33x17xf32> -> tensor<33x1xf32>
  %3 = ztensor.softmax %0 {axis = 0 : i64} : tensor<33x17xf32>
  %4 = ztensor.reduce_sum %x {axes = array<i64: 0, 1>} : tensor<33x17xf32> -> tensor<f32>
  func.return %0, %1, %2, %3, %4 : tensor<33x17xf32>, tensor<17xf32>, tensor<33x1xf32>, tensor<33x17xf32>, tensor<f32>
}

func.func @identity(%x: tensor<17x3xf32>) -> tensor<17x3xf32> {
  func.return %x : tensor<17x3xf32>
}

func.func @twice(%x: tensor<1000xf32>) -> (tensor<1000xf32>, tensor<1000xf32>) {
  func.return %x, %x : tensor<1000xf32>, tensor<1000xf32>
}

func.func @swap_and_sum(%x: tensor<5x3xf32>, %y: tensor<5x3xf32>)
    -> (tensor<5x3xf32>, tensor<5x3xf32>, tensor<5x3xf32>) {
  %s = ztensor.add %x, %y : (tensor<5x3xf32>, tensor<5x3xf32>) -> tensor<5x3xf32>
  func.return %y, %s, %x : tensor<5x3xf32>, tensor<5x3xf32>, tensor<5x3xf32>
}

func.func @same_value_twice(%x: tensor<33xf32>) -> (tensor<33xf32>, tensor<33xf32>, tensor<33xf32>) {
  %e = ztensor.exp %x : tensor<33xf32>
  %d = ztensor.mul %e, %e : (tensor<33xf32>, tensor<33xf32>) -> tensor<33xf32>
  func.return %e, %d, %e : tensor<33xf32>, tensor<33xf32>, tensor<33xf32>
}

func.func @chain_keeps_intermediates(%x: tensor<17x33xf32>) -> (tensor<17x33xf32>, tensor<17x33xf32>, tensor<17x33xf32>) {
  %two = ztensor.constant dense<2.0> : tensor<17x33xf32>
  %a = ztensor.mul %x, %two : (tensor<17x33xf32>, tensor<17x33xf32>) -> tensor<17x33xf32>
  %b = ztensor.tanh %a : tensor<17x33xf32>
  %c = ztensor.sub %b, %x : (tensor<17x33xf32>, tensor<17x33xf32>) -> tensor<17x33xf32>
  %d = ztensor.mul %c, %a : (tensor<17x33xf32>, tensor<17x33xf32>) -> tensor<17x33xf32>
  func.return %a, %d, %b : tensor<17x33xf32>, tensor<17x33xf32>, tensor<17x33xf32>
}

func.func @constant_only() -> (tensor<2x3xf32>, tensor<f64>) {
  %c = ztensor.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %d = ztensor.constant dense<-2.5> : tensor<f64>
  func.return %c, %d : tensor<2x3xf32>, tensor<f64>
}
"""


@pytest.fixture(scope="module", params=[0, 3], ids=["O0", "O3"])
def results_module(request: pytest.FixtureRequest) -> Executable:
    return compile_(RESULTS_SOURCE, request.param)


def call(exe: Executable, name: str, *inputs: NDArray) -> tuple[NDArray, ...]:
    """Call `name`, check that it leaves its inputs alone, and return its results as a tuple."""
    saved = [x.copy() for x in inputs]
    out = exe.function(name)(*inputs)
    for before, after in zip(saved, inputs, strict=True):
        np.testing.assert_array_equal(before, after, err_msg=f"@{name} modified an input")
    return out if isinstance(out, tuple) else (out,)


def test_several_results(results_module: Executable) -> None:
    x, y = randn(33, 17), randn(17)
    got = call(results_module, "several", x, y)
    x64, y64 = f64(x, y)
    expected = [x64 + y64, np.exp(y64), x64.max(1, keepdims=True)]
    expected += [softmax(x64 + y64, 0), x64.sum()]
    assert [g.shape for g in got] == [(33, 17), (17,), (33, 1), (33, 17), ()]
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5)
    interpreted = run_reference(RESULTS_SOURCE, "several", [x, y])
    for g, e in zip(got, interpreted, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5)


def test_function_returning_its_argument(results_module: Executable) -> None:
    x = randn(17, 3)
    (got,) = call(results_module, "identity", x)
    np.testing.assert_array_equal(got, x)
    assert not np.shares_memory(got, x)
    v = randn(1000)
    a, b = call(results_module, "twice", v)
    np.testing.assert_array_equal(a, v)
    np.testing.assert_array_equal(b, v)
    assert not np.shares_memory(a, b)


def test_returned_arguments_mixed_with_results(results_module: Executable) -> None:
    x, y = randn(5, 3), randn(5, 3)
    ry, s, rx = call(results_module, "swap_and_sum", x, y)
    np.testing.assert_array_equal(ry, y)
    np.testing.assert_array_equal(rx, x)
    np.testing.assert_allclose(s, x + y, rtol=1e-7)


def test_one_value_returned_twice_and_reused(results_module: Executable) -> None:
    x = randn(33)
    e1, d, e2 = call(results_module, "same_value_twice", x)
    e = np.exp(x.astype(np.float64))
    np.testing.assert_allclose(e1, e, rtol=2e-6)
    np.testing.assert_array_equal(e1, e2)
    np.testing.assert_allclose(d, e * e, rtol=5e-6)


def test_fused_chain_keeps_returned_intermediates(results_module: Executable) -> None:
    x = randn(17, 33)
    a, d, b = call(results_module, "chain_keeps_intermediates", x)
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(a, 2 * x64, rtol=1e-7)
    np.testing.assert_allclose(b, np.tanh(2 * x64), rtol=2e-6, atol=1e-7)
    np.testing.assert_allclose(d, (np.tanh(2 * x64) - x64) * 2 * x64, rtol=1e-5, atol=1e-6)


def test_constant_only_function(results_module: Executable) -> None:
    c, d = results_module.function("constant_only")()
    np.testing.assert_array_equal(c, np.arange(1, 7, dtype=np.float32).reshape(2, 3))
    assert d.dtype == np.float64 and d.shape == () and float(d) == -2.5


def test_results_written_into_given_outputs(results_module: Executable) -> None:
    x, y = randn(5, 3), randn(5, 3)
    outs = [np.full((5, 3), np.nan, np.float32) for _ in range(3)]
    returned = results_module.function("swap_and_sum")(x, y, *outs)
    assert all(r is o for r, o in zip(returned, outs, strict=True))
    np.testing.assert_array_equal(outs[0], y)
    np.testing.assert_allclose(outs[1], x + y, rtol=1e-7)
    np.testing.assert_array_equal(outs[2], x)


FUSED_SOURCE = """
func.func @f(%a: tensor<33x17xf32>, %b: tensor<17x65xf32>, %c: tensor<65xf32>)
    -> (tensor<33x65xf32>, tensor<33x65xf32>, tensor<33x65xf32>, tensor<33x65xf32>) {
  %0 = ztensor.fused "matmul_epilogue" (%a, %b, %c) : (tensor<33x17xf32>, tensor<17x65xf32>, tensor<65xf32>) -> tensor<33x65xf32> {
  ^bb0(%x: tensor<33x17xf32>, %y: tensor<17x65xf32>, %z: tensor<65xf32>):
    %m = ztensor.matmul %x, %y : (tensor<33x17xf32>, tensor<17x65xf32>) -> tensor<33x65xf32>
    %s = ztensor.add %m, %z : (tensor<33x65xf32>, tensor<65xf32>) -> tensor<33x65xf32>
    %t = ztensor.relu %s : tensor<33x65xf32>
    ztensor.yield %t : tensor<33x65xf32>
  }
  %1 = ztensor.fused "elementwise" (%0) : (tensor<33x65xf32>) -> tensor<33x65xf32> {
  ^bb0(%u: tensor<33x65xf32>):
    %e = ztensor.tanh %u : tensor<33x65xf32>
    ztensor.yield %e : tensor<33x65xf32>
  }
  %2 = ztensor.fused "elementwise" (%0, %c) : (tensor<33x65xf32>, tensor<65xf32>) -> tensor<33x65xf32> {
  ^bb0(%u: tensor<33x65xf32>, %v: tensor<65xf32>):
    %n = ztensor.sub %v, %u : (tensor<65xf32>, tensor<33x65xf32>) -> tensor<33x65xf32>
    ztensor.yield %n : tensor<33x65xf32>
  }
  %3 = ztensor.fused "reduction" (%2) : (tensor<33x65xf32>) -> tensor<33x65xf32> {
  ^bb0(%w: tensor<33x65xf32>):
    %g = ztensor.gelu %w : tensor<33x65xf32>
    %r = ztensor.softmax %g {axis = 0 : i64} : tensor<33x65xf32>
    ztensor.yield %r : tensor<33x65xf32>
  }
  func.return %0, %1, %2, %3 : tensor<33x65xf32>, tensor<33x65xf32>, tensor<33x65xf32>, tensor<33x65xf32>
}
"""


@pytest.mark.parametrize("opt_level", [0, 3])
def test_fused_ops(opt_level: int) -> None:
    exe = compile_(FUSED_SOURCE, opt_level)
    a, b, c = randn(33, 17), randn(17, 65), randn(65)
    got = call(exe, "f", a, b, c)
    a64, b64, c64 = f64(a, b, c)
    r = np.maximum(a64 @ b64 + c64, 0)
    expected = [r, np.tanh(r), c64 - r, softmax(gelu(c64 - r), 0)]
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------------------------
# Calling with wrong arguments: clear errors, never a crash
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def relu_mm() -> Executable:
    return compile_(relu_mm_source(33, 17, 65, (65,)), opt_level=0)


def test_wrong_shapes_dtypes_and_arity_raise_clear_errors(relu_mm: Executable) -> None:
    a, b, c = randn(33, 17), randn(17, 65), randn(65)
    with pytest.raises(
        ZigguratCallError, match=r"argument 1 .*expected shape \(17, 65\), got \(65, 17\)"
    ):
        relu_mm(a, b.T.copy(), c)
    with pytest.raises(ZigguratCallError, match=r"argument 2 .*expected rank 1"):
        relu_mm(a, b, c.reshape(1, 65))
    with pytest.raises(
        ZigguratCallTypeError, match=r"argument 0 .*expected dtype float32, got float64"
    ):
        relu_mm(a.astype(np.float64), b, c)
    with pytest.raises(ZigguratCallTypeError, match=r"expected a numpy.ndarray"):
        relu_mm(a.tolist(), b, c)
    with pytest.raises(ZigguratCallError, match=r"takes 3 or 4 arguments .* got 2"):
        relu_mm(a, b)
    with pytest.raises(ZigguratCallError, match=r"expected shape \(33, 65\)"):
        relu_mm(a, b, c, np.empty((65, 33), np.float32))
    with pytest.raises(KeyError, match="no public function @g"):
        relu_mm.function("g")
    # Still callable, and right, after all of that.
    a64, b64, c64 = f64(a, b, c)
    np.testing.assert_allclose(
        relu_mm(a, b, c), np.maximum(a64 @ b64 + c64, 0), rtol=1e-5, atol=1e-5
    )


def test_non_contiguous_inputs_are_accepted(relu_mm: Executable) -> None:
    a = randn(17, 33).T  # a transposed view
    b = randn(17, 130)[:, ::2]  # a strided view
    c = randn(65)
    a64, b64, c64 = f64(a, b, c)
    np.testing.assert_allclose(
        relu_mm(a, b, c), np.maximum(a64 @ b64 + c64, 0), rtol=1e-5, atol=1e-5
    )


# ---------------------------------------------------------------------------------------------
# Determinism across thread counts
# ---------------------------------------------------------------------------------------------

THREADS_SOURCE = """
func.func @f(%x: tensor<512x300xf32>, %w: tensor<300x129xf32>) -> (tensor<512x129xf32>, tensor<300xf32>, tensor<512x300xf32>) {
  %m = ztensor.matmul %x, %w : (tensor<512x300xf32>, tensor<300x129xf32>) -> tensor<512x129xf32>
  %s = ztensor.softmax %m {axis = -1 : i64} : tensor<512x129xf32>
  %r = ztensor.reduce_sum %x {axes = array<i64: 0>} : tensor<512x300xf32> -> tensor<300xf32>
  %l = ztensor.layernorm %x {axis = 0 : i64, epsilon = 1.0e-05 : f32} : tensor<512x300xf32>
  func.return %s, %r, %l : tensor<512x129xf32>, tensor<300xf32>, tensor<512x300xf32>
}
"""


def test_one_and_two_threads_give_identical_results() -> None:
    exe = compile_(THREADS_SOURCE)
    x, w = randn(512, 300), randn(300, 129, scale=0.1)
    one = exe(x, w, threads=1)
    two = exe(x, w, threads=2)
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, b)
    x64, w64 = f64(x, w)
    np.testing.assert_allclose(one[0], softmax(x64 @ w64, -1), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(one[1], x64.sum(0), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(one[2], layernorm(x64, 0, float(np.float32(1e-5))), atol=1e-5)


# ---------------------------------------------------------------------------------------------
# Every stage of the pipeline runs in the reference interpreter
# ---------------------------------------------------------------------------------------------

STAGES_SOURCE = """
func.func @f(%a: tensor<5x7xf32>, %b: tensor<7x9xf32>, %c: tensor<9xf32>) -> (tensor<5x9xf32>, tensor<5x1xf32>) {
  %0 = ztensor.matmul %a, %b : (tensor<5x7xf32>, tensor<7x9xf32>) -> tensor<5x9xf32>
  %1 = ztensor.add %0, %c : (tensor<5x9xf32>, tensor<9xf32>) -> tensor<5x9xf32>
  %2 = ztensor.gelu %1 : tensor<5x9xf32>
  %3 = ztensor.softmax %2 {axis = 0 : i64} : tensor<5x9xf32>
  %4 = ztensor.reduce_max %1 {axes = array<i64: 1>, keepdims = true} : tensor<5x9xf32> -> tensor<5x1xf32>
  func.return %3, %4 : tensor<5x9xf32>, tensor<5x1xf32>
}
"""


@pytest.mark.parametrize("width", [16, 8])
def test_every_pipeline_stage_interprets_to_the_same_result(width: int) -> None:
    from xdsl.passes import PassPipeline

    from ziggurat.cpu_pipeline import CpuPipelinePass
    from ziggurat.interpreter import run_function
    from ziggurat.universe import all_passes, make_context

    a, b, c = randn(5, 7), randn(7, 9), randn(9)
    a64, b64, c64 = f64(a, b, c)
    h = a64 @ b64 + c64
    expected = [softmax(gelu(h), 0), h.max(1, keepdims=True)]
    module = zg.parse_module(STAGES_SOURCE)
    stages = CpuPipelinePass(vector_width=width).stages()
    seen = []
    for name, spec in stages:
        if name == "llvm-dialect":
            break
        PassPipeline.parse_spec(all_passes(), spec).apply(make_context(), module)
        seen.append(name)
        if name in ("canonicalize", "eqsat", "ztile"):
            got = list(run_function(module, "f", a, b, c))
        else:  # bufferized: outputs are arguments
            got = [np.full(e.shape, np.nan, np.float32) for e in expected]
            assert run_function(module, "f", a, b, c, *got) == ()
        for g, e in zip(got, expected, strict=True):
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6, err_msg=f"stage {name}")
    assert seen == ["canonicalize", "eqsat", "ztile", "bufferize", "zloop"]
