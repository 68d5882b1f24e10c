"""The loop fallback (`linalg-to-zloop`): linalg on tensors that `linalg-to-ztensor` cannot
raise still compiles with the default pipeline (`zg.compile`, `ziggurat-run --check`), matches
the reference interpreter, numpy and (with the `interop` extra) IREE, and what even the
fallback cannot lower is a located "not supported" error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from xdsl.dialects import func
from xdsl.dialects.builtin import Float64Type, IntegerType, TensorType, i1

import ziggurat as zg
from ziggurat.diagnostics import DiagnosticError
from ziggurat.lowering.linalg_to_zloop import LinalgToZLoopPass
from ziggurat.parsing import parse_module
from ziggurat.passes.linalg_to_ztensor import LinalgToZTensorPass
from ziggurat.universe import make_context

FALLBACK = Path(__file__).resolve().parents[1] / "interop" / "fallback"
SOFTMAX_ARGMAX = FALLBACK / "softmax_argmax.mlir"

NDArray = np.ndarray[Any, Any]

ID2 = "affine_map<(d0, d1) -> (d0, d1)>"
ROW = "affine_map<(d0, d1) -> (d0)>"


def _inputs(text: str, seed: int) -> list[NDArray]:
    """Random arguments of the only function of `text`: normals for floats, small integers
    (no zeros: divisors) for integers, booleans for i1."""
    (entry,) = [op for op in parse_module(text).ops if isinstance(op, func.FuncOp)]
    rng = np.random.default_rng(seed)
    args: list[NDArray] = []
    for ty in entry.function_type.inputs.data:
        assert isinstance(ty, TensorType)
        shape = tuple(ty.get_shape())
        element = ty.element_type
        if element == i1:
            args.append(rng.random(shape) < 0.5)
        elif isinstance(element, IntegerType):
            values = rng.integers(1, 9, shape) * rng.choice([-1, 1], shape)
            args.append(values.astype(f"i{element.width.data // 8}"))
        else:
            dtype = np.float64 if isinstance(element, Float64Type) else np.float32
            args.append(rng.standard_normal(shape).astype(dtype))
    return args


def _results(value: Any) -> tuple[NDArray, ...]:
    return value if isinstance(value, tuple) else (value,)


def _compile_and_check(text: str, seed: int = 5) -> tuple[list[NDArray], tuple[NDArray, ...]]:
    """Compile `text` with the default pipeline, run it on random inputs and check it
    against the reference interpreter (same dtypes and shapes; integers exactly)."""
    args = _inputs(text, seed)
    got = _results(zg.compile(text)(*args))
    expected = zg.run_reference(text, "main", args)
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.dtype == e.dtype and g.shape == e.shape
        if np.issubdtype(g.dtype, np.integer) or g.dtype == np.bool_:
            np.testing.assert_array_equal(g, e)
        else:
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5)
    return args, got


def _generic(
    name: str,
    ins: list[tuple[str, str]],
    out: tuple[str, str],
    maps: list[str],
    iterators: str,
    body: str,
    result: str,
    init: str | None = None,
) -> str:
    """A function @main whose one `linalg.generic` has inputs `ins` ((name, type) pairs, the
    names the arguments), an output of `out` ((type, element)) into a fresh tensor.empty
    (or `init`, an argument), and the body `body` yielding `result`."""
    params = ", ".join(f"%{n}: {t}" for n, t in ins)
    ty, element = out
    if init is not None:
        params += f", %{init}: {ty}"
    outs = f"%{init}" if init is not None else "%e"
    empty = "" if init is not None else f"  %e = tensor.empty() : {ty}\n"
    args = ", ".join(f"%{n}" for n, _ in ins)
    types = ", ".join(t for _, t in ins)
    block = ", ".join(
        [f"%b_{n}: {t.split('x')[-1].rstrip('>')}" for n, t in ins] + [f"%acc: {element}"]
    )
    return f"""// {name}
func.func @main({params}) -> {ty} {{
{empty}  %r = linalg.generic {{indexing_maps = [{", ".join(maps)}], iterator_types = [{iterators}]}} ins({args} : {types}) outs({outs} : {ty}) {{
  ^bb0({block}):
{body}
    linalg.yield {result} : {element}
  }} -> {ty}
  return %r : {ty}
}}
"""


PROGRAMS: dict[str, str] = {
    "fpowi_constant": _generic(
        "x**3 as math.fpowi with a constant exponent",
        [("x", "tensor<4x8xf32>")],
        ("tensor<4x8xf32>", "f32"),
        [ID2, ID2],
        '"parallel", "parallel"',
        "    %c3 = arith.constant 3 : i32\n    %p = math.fpowi %b_x, %c3 : f32, i32",
        "%p",
    ),
    "fpowi_variable": _generic(
        "x**n with n an i32 tensor",
        [("x", "tensor<4x8xf32>"), ("n", "tensor<4x8xi32>")],
        ("tensor<4x8xf32>", "f32"),
        [ID2, ID2, ID2],
        '"parallel", "parallel"',
        "    %p = math.fpowi %b_x, %b_n : f32, i32",
        "%p",
    ),
    "index_body": _generic(
        "x + column index, through linalg.index, index_cast and sitofp",
        [("x", "tensor<4x8xf32>")],
        ("tensor<4x8xf32>", "f32"),
        [ID2, ID2],
        '"parallel", "parallel"',
        "    %j = linalg.index 1 : index\n    %i = linalg.index 0 : index\n"
        "    %k = arith.muli %i, %j : index\n"
        "    %j64 = arith.index_cast %k : index to i64\n"
        "    %f = arith.sitofp %j64 : i64 to f32\n    %s = arith.addf %b_x, %f : f32",
        "%s",
    ),
    "integer_arithmetic": _generic(
        "integer arithmetic on i32: products, quotients, remainders, shifts, bit ops, "
        "compare and select, widened to i64",
        [("a", "tensor<6x5xi32>"), ("b", "tensor<6x5xi32>")],
        ("tensor<6x5xi64>", "i64"),
        [ID2, ID2, ID2],
        '"parallel", "parallel"',
        "    %c2 = arith.constant 2 : i32\n"
        "    %m = arith.muli %b_a, %b_b : i32\n"
        "    %q = arith.divsi %m, %b_b : i32\n"
        "    %r = arith.remsi %b_a, %c2 : i32\n"
        "    %f = arith.floordivsi %b_a, %c2 : i32\n"
        "    %s = arith.shli %q, %c2 : i32\n"
        "    %t = arith.shrsi %s, %c2 : i32\n"
        "    %x = arith.xori %t, %r : i32\n"
        "    %o = arith.ori %x, %f : i32\n"
        "    %an = arith.andi %o, %b_b : i32\n"
        "    %lt = arith.cmpi slt, %b_a, %b_b : i32\n"
        "    %mx = arith.maxsi %an, %b_a : i32\n"
        "    %sel = arith.select %lt, %mx, %an : i32\n"
        "    %sub = arith.subi %sel, %b_b : i32\n"
        "    %w = arith.extsi %sub : i32 to i64\n"
        "    %c40 = arith.constant 40 : i64\n"
        "    %big = arith.shli %w, %c40 : i64",
        "%big",
    ),
    "i64_sum": _generic(
        "an i64 row sum of i32 inputs into an i64 init argument (read as the accumulator)",
        [("a", "tensor<5x7xi32>")],
        ("tensor<5xi64>", "i64"),
        [ID2, ROW],
        '"parallel", "reduction"',
        "    %w = arith.extsi %b_a : i32 to i64\n    %s = arith.addi %w, %acc : i64",
        "%s",
        init="init",
    ),
    "product_reduction": _generic(
        "a row product (mulf of the accumulator: not a sum or max)",
        [("x", "tensor<4x8xf32>")],
        ("tensor<4xf32>", "f32"),
        [ID2, ROW],
        '"parallel", "reduction"',
        "    %p = arith.mulf %b_x, %acc : f32",
        "%p",
        init="init",
    ),
    "strided_and_modular_maps": _generic(
        "a window sum y[i] = sum_k x[2i + k] + z[(i + 3k) mod 8] * w[k] (affine maps beyond "
        "projected permutations)",
        [("x", "tensor<12xf32>"), ("z", "tensor<8xf32>"), ("w", "tensor<6xf32>")],
        ("tensor<4xf32>", "f32"),
        [
            "affine_map<(d0, d1) -> (d0 * 2 + d1)>",
            "affine_map<(d0, d1) -> ((d0 + d1 * 3) mod 8)>",
            "affine_map<(d0, d1) -> (d1)>",
            "affine_map<(d0, d1) -> (d0)>",
        ],
        '"parallel", "reduction"',
        "    %p = arith.mulf %b_z, %b_w : f32\n    %s = arith.addf %b_x, %p : f32\n"
        "    %t = arith.addf %s, %acc : f32",
        "%t",
        init="init",
    ),
    "full_product_rank0": _generic(
        "the product of all elements into a rank-0 init argument",
        [("x", "tensor<3x4xf32>")],
        ("tensor<f32>", "f32"),
        [ID2, "affine_map<(d0, d1) -> ()>"],
        '"reduction", "reduction"',
        "    %p = arith.mulf %b_x, %acc : f32",
        "%p",
        init="init",
    ),
    "integer_compare_to_i1": _generic(
        "booleans from an integer comparison and a bit test (i1 results)",
        [("a", "tensor<8xi16>")],
        ("tensor<8xi1>", "i1"),
        ["affine_map<(d0) -> (d0)>", "affine_map<(d0) -> (d0)>"],
        '"parallel"',
        "    %c0 = arith.constant 0 : i16\n    %c1 = arith.constant 1 : i16\n"
        "    %neg = arith.cmpi slt, %b_a, %c0 : i16\n"
        "    %low = arith.andi %b_a, %c1 : i16\n"
        "    %odd = arith.trunci %low : i16 to i1\n"
        "    %both = arith.xori %neg, %odd : i1",
        "%both",
    ),
}
"""Hand-written generics the raising leaves (each compiles and matches the interpreter)."""

NAMED_OPS: dict[str, str] = {
    "add_sub_mul_max": """func.func @main(%x: tensor<4x6xf32>, %y: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %e = tensor.empty() : tensor<4x6xf32>
  %a = linalg.add ins(%x, %y : tensor<4x6xf32>, tensor<4x6xf32>) outs(%e : tensor<4x6xf32>) -> tensor<4x6xf32>
  %s = linalg.sub ins(%a, %y : tensor<4x6xf32>, tensor<4x6xf32>) outs(%e : tensor<4x6xf32>) -> tensor<4x6xf32>
  %m = linalg.mul ins(%s, %x : tensor<4x6xf32>, tensor<4x6xf32>) outs(%e : tensor<4x6xf32>) -> tensor<4x6xf32>
  %n = linalg.min ins(%m, %a : tensor<4x6xf32>, tensor<4x6xf32>) outs(%e : tensor<4x6xf32>) -> tensor<4x6xf32>
  %r = linalg.max ins(%n, %y : tensor<4x6xf32>, tensor<4x6xf32>) outs(%e : tensor<4x6xf32>) -> tensor<4x6xf32>
  return %r : tensor<4x6xf32>
}""",
    "exp_log_sqrt": """func.func @main(%x: tensor<16xf32>) -> tensor<16xf32> {
  %e = tensor.empty() : tensor<16xf32>
  %a = linalg.exp ins(%x : tensor<16xf32>) outs(%e : tensor<16xf32>) -> tensor<16xf32>
  %b = linalg.sqrt ins(%a : tensor<16xf32>) outs(%e : tensor<16xf32>) -> tensor<16xf32>
  %r = linalg.log ins(%b : tensor<16xf32>) outs(%e : tensor<16xf32>) -> tensor<16xf32>
  return %r : tensor<16xf32>
}""",
    "broadcast_and_reduce": """func.func @main(%x: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %e = tensor.empty() : tensor<3x4x5xf32>
  %b = linalg.broadcast ins(%x : tensor<3x5xf32>) outs(%e : tensor<3x4x5xf32>) dimensions = [1]
  %zero = arith.constant 1.0 : f32
  %e2 = tensor.empty() : tensor<3x5xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e2 : tensor<3x5xf32>) -> tensor<3x5xf32>
  %r = linalg.reduce ins(%b : tensor<3x4x5xf32>) outs(%f : tensor<3x5xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %p = arith.mulf %in, %acc : f32
      linalg.yield %p : f32
    }
  return %r : tensor<3x5xf32>
}""",
    "integer_matmul_transpose_fill": """func.func @main(%a: tensor<4x3xi32>, %b: tensor<3x5xi32>) -> (tensor<5x4xi32>, tensor<2x2xi64>) {
  %c0 = arith.constant 0 : i32
  %c7 = arith.constant 7 : i64
  %e = tensor.empty() : tensor<4x5xi32>
  %z = linalg.fill ins(%c0 : i32) outs(%e : tensor<4x5xi32>) -> tensor<4x5xi32>
  %m = linalg.matmul ins(%a, %b : tensor<4x3xi32>, tensor<3x5xi32>) outs(%z : tensor<4x5xi32>) -> tensor<4x5xi32>
  %et = tensor.empty() : tensor<5x4xi32>
  %t = linalg.transpose ins(%m : tensor<4x5xi32>) outs(%et : tensor<5x4xi32>) permutation = [1, 0]
  %e7 = tensor.empty() : tensor<2x2xi64>
  %sevens = linalg.fill ins(%c7 : i64) outs(%e7 : tensor<2x2xi64>) -> tensor<2x2xi64>
  return %t, %sevens : tensor<5x4xi32>, tensor<2x2xi64>
}""",
    "integer_constant_and_reshape": """func.func @main(%a: tensor<2x3xi64>) -> tensor<6xi64> {
  %c = arith.constant dense<[[1, -2, 3], [40, 50, -60]]> : tensor<2x3xi64>
  %e = tensor.empty() : tensor<2x3xi64>
  %s = linalg.add ins(%a, %c : tensor<2x3xi64>, tensor<2x3xi64>) outs(%e : tensor<2x3xi64>) -> tensor<2x3xi64>
  %r = tensor.collapse_shape %s [[0, 1]] : tensor<2x3xi64> into tensor<6xi64>
  return %r : tensor<6xi64>
}""",
    "mixed_chain": """#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @main(%x: tensor<8x16xf32>, %w: tensor<16x4xf32>, %b: tensor<4xf32>) -> tensor<8x4xf32> {
  %zero = arith.constant 0.0 : f32
  %two = arith.constant 2 : i32
  %e = tensor.empty() : tensor<8x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %m = linalg.matmul ins(%x, %w : tensor<8x16xf32>, tensor<16x4xf32>) outs(%z : tensor<8x4xf32>) -> tensor<8x4xf32>
  %sq = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%m, %b : tensor<8x4xf32>, tensor<4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%v: f32, %c: f32, %o: f32):
    %p = math.fpowi %v, %two : f32, i32
    %s = arith.addf %p, %c : f32
    linalg.yield %s : f32
  } -> tensor<8x4xf32>
  %t = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%sq : tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = math.tanh %v : f32
    linalg.yield %r : f32
  } -> tensor<8x4xf32>
  %u = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%t, %m : tensor<8x4xf32>, tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%v: f32, %mm: f32, %o: f32):
    %r = arith.addf %v, %mm : f32
    linalg.yield %r : f32
  } -> tensor<8x4xf32>
  return %u : tensor<8x4xf32>
}""",
    "rank0_boolean_xor": """func.func @main(%a: tensor<f32>) -> tensor<i1> {
  %e = tensor.empty() : tensor<i1>
  %r = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []} ins(%a : tensor<f32>) outs(%e : tensor<i1>) {
  ^bb0(%x: f32, %o: i1):
    %z = arith.constant 0.0 : f32
    %c = arith.cmpf olt, %x, %z : f32
    %t = arith.constant true
    %n = arith.xori %c, %t : i1
    linalg.yield %n : i1
  } -> tensor<i1>
  return %r : tensor<i1>
}""",
    "integer_results_copied": """func.func @main(%a: tensor<4xi32>, %b: tensor<2x3xi64>) -> (tensor<4xi32>, tensor<4xi32>, tensor<2x3xi64>) {
  %e = tensor.empty() : tensor<4xi32>
  %r = linalg.add ins(%a, %a : tensor<4xi32>, tensor<4xi32>) outs(%e : tensor<4xi32>) -> tensor<4xi32>
  return %r, %r, %b : tensor<4xi32>, tensor<4xi32>, tensor<2x3xi64>
}""",
    "conv2d_nchw_fchw": """func.func @main(%x: tensor<2x3x9x9xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<2x4x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x4x4xf32>
  %o = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x4x4xf32>) -> tensor<2x4x4x4xf32>
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%x, %w : tensor<2x3x9x9xf32>, tensor<4x3x3x3xf32>) outs(%o : tensor<2x4x4x4xf32>) -> tensor<2x4x4x4xf32>
  return %r : tensor<2x4x4x4xf32>
}""",
}
"""Named ops and chains: each compiles and matches the interpreter (the last returns an
integer result twice and an integer argument: `bufferize` copies them with scalar loops)."""


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_fallback_generic_compiles_and_matches(name: str) -> None:
    _compile_and_check(PROGRAMS[name])


@pytest.mark.parametrize("name", sorted(NAMED_OPS))
def test_fallback_named_ops_compile_and_match(name: str) -> None:
    _compile_and_check(NAMED_OPS[name])


def test_numpy_models_of_the_fallback_programs() -> None:
    """The same programs against numpy, not only the interpreter."""
    (x, n), (p,) = _compile_and_check(PROGRAMS["fpowi_variable"])
    np.testing.assert_allclose(p, x.astype(np.float64) ** n, rtol=1e-5, atol=1e-6)
    (x,), (s,) = _compile_and_check(PROGRAMS["index_body"])
    np.testing.assert_allclose(s, x + np.outer(np.arange(4), np.arange(8)), rtol=1e-6)
    (a, init), (total,) = _compile_and_check(PROGRAMS["i64_sum"])
    np.testing.assert_array_equal(total, init + a.astype(np.int64).sum(axis=1))
    (a, b), (t, sevens) = _compile_and_check(NAMED_OPS["integer_matmul_transpose_fill"])
    np.testing.assert_array_equal(t, (a @ b).T)
    np.testing.assert_array_equal(sevens, np.full((2, 2), 7, np.int64))
    (x, z, w, init), (y,) = _compile_and_check(PROGRAMS["strided_and_modular_maps"])
    window = [sum(x[2 * i + k] + z[(i + 3 * k) % 8] * w[k] for k in range(6)) for i in range(4)]
    np.testing.assert_allclose(y, init + np.asarray(window), rtol=1e-5)
    (x, w), (conv,) = _compile_and_check(NAMED_OPS["conv2d_nchw_fchw"])
    windows = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(2, 3))[:, :, ::2, ::2]
    expected = np.einsum("ncijkl,fckl->nfij", windows.astype(np.float64), w)
    np.testing.assert_allclose(conv, expected, rtol=1e-5, atol=1e-5)
    (a, b), (big,) = _compile_and_check(PROGRAMS["integer_arithmetic"])
    assert big.dtype == np.int64 and np.abs(big).max() >= 1 << 40


def test_softmax_with_its_argmax_used() -> None:
    """torch's softmax with the argmax of its 2-result generic returned: the generic is
    compiled by the fallback, its row max feeds the raised softmax."""
    text = SOFTMAX_ARGMAX.read_text()
    (x,), (soft, argmax) = _compile_and_check(text, seed=3)
    assert argmax.dtype == np.int64
    np.testing.assert_array_equal(argmax, np.argmax(x, axis=1))
    shifted = np.exp(x - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(soft, shifted / shifted.sum(axis=1, keepdims=True), rtol=1e-5)
    module = parse_module(text)
    pipeline = "linalg-to-ztensor{remarks=false},canonicalize,ztensor-to-ztile,linalg-to-zloop"
    zg.parse_pipeline(pipeline).apply(make_context(), module)
    lowered = str(module)
    # The fallback's loops next to the raised softmax's tile programs.
    assert "zloop.for" in lowered and "linalg." not in lowered and "ztile.grid" in lowered


def test_linalg_to_ztensor_remarks_what_it_leaves(capsys: pytest.CaptureFixture[str]) -> None:
    module = parse_module(SOFTMAX_ARGMAX.read_text(), "softmax_argmax.mlir")
    LinalgToZTensorPass().apply(make_context(), module)
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "softmax_argmax.mlir:16:12: remark: 'linalg.generic' op is not raised by "
        "linalg-to-ztensor, left for linalg-to-zloop: tensor<8xi64> does not hold f32, f64 "
        "or i1 elements"
    ]
    text = str(module)
    # The raised softmax reads the generic's row max; the two fills stay for the fallback.
    assert text.count("linalg.generic") == 1 and text.count("linalg.fill") == 2
    assert "ztensor.reshape %4#0" in text or "ztensor.reshape" in text
    LinalgToZTensorPass(remarks=False).apply(make_context(), parse_module(text))
    assert capsys.readouterr().err == ""


def test_fallback_fills_a_single_use_fill_init_in_place() -> None:
    module = parse_module(SOFTMAX_ARGMAX.read_text())
    LinalgToZTensorPass(remarks=False).apply(make_context(), module)
    LinalgToZLoopPass().apply(make_context(), module)
    text = str(module)
    assert "linalg." not in text and "tensor.empty" not in text
    # Two result buffers (row max, argmax), each filled by its own loop, no copy of an init.
    assert text.count("memref.alloc") == 2 and "bufferization.to_buffer %arg0" in text


def test_ziggurat_run_check_accepts_fallback_files(tmp_path: Path) -> None:
    run = Path(sys.executable).with_name("ziggurat-run")
    integer = tmp_path / "integer.mlir"
    integer.write_text(PROGRAMS["integer_arithmetic"])
    for path in (SOFTMAX_ARGMAX, integer):
        proc = subprocess.run(
            [str(run), str(path), "--check"], capture_output=True, text=True, timeout=300
        )
        assert proc.returncode == 0, proc.stderr
        assert "check: OK" in proc.stdout


UNSUPPORTED = {
    "dynamic": (
        """func.func @main(%x: tensor<?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  %r = linalg.add ins(%x, %x : tensor<?xf32>, tensor<?xf32>) outs(%y : tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}""",
        "1:1: error: 'func.func' op @main: argument #0 has type tensor<?xf32>: cpu-pipeline "
        "does not support dynamic dimensions",
        "2:8: error: 'linalg.add' op is not supported by linalg-to-zloop: tensor<?xf32> has "
        "dynamic dimensions",
    ),
    "memref": (
        """func.func @main(%x: memref<4xf32>, %y: memref<4xf32>) {
  linalg.add ins(%x, %x : memref<4xf32>, memref<4xf32>) outs(%y : memref<4xf32>)
  return
}""",
        "2:3: error: 'linalg.add' op is not supported by cpu-pipeline: it works on memrefs",
        "2:3: error: 'linalg.add' op is not supported by linalg-to-zloop: it works on memrefs",
    ),
    "body_op": (
        """func.func @main(%x: tensor<4xf32>) -> tensor<4xi32> {
  %e = tensor.empty() : tensor<4xi32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%e : tensor<4xi32>) {
  ^bb0(%a: f32, %o: i32):
    %i = arith.fptosi %a : f32 to i32
    linalg.yield %i : i32
  } -> tensor<4xi32>
  return %r : tensor<4xi32>
}""",
        "3:8: error: 'linalg.generic' op is not supported by cpu-pipeline: the body op "
        "'arith.fptosi' has no loop lowering",
        "3:8: error: 'linalg.generic' op is not supported by linalg-to-zloop: the body op "
        "'arith.fptosi' has no loop lowering",
    ),
    "element_type": (
        """func.func @main(%x: tensor<4xi32>) -> tensor<4xi32> {
  %c = arith.constant 1 : i128
  %e = tensor.empty() : tensor<4xi128>
  %f = linalg.fill ins(%c : i128) outs(%e : tensor<4xi128>) -> tensor<4xi128>
  %e2 = tensor.empty() : tensor<4xi32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x, %f : tensor<4xi32>, tensor<4xi128>) outs(%e2 : tensor<4xi32>) {
  ^bb0(%a: i32, %b: i128, %o: i32):
    %t = arith.trunci %b : i128 to i32
    %s = arith.addi %a, %t : i32
    linalg.yield %s : i32
  } -> tensor<4xi32>
  return %r : tensor<4xi32>
}""",
        "3:8: error: 'tensor.empty' op is not supported by cpu-pipeline: tensor<4xi128> holds "
        "i128 elements",
        "3:8: error: 'tensor.empty' op is not supported by linalg-to-zloop: tensor<4xi128> "
        "holds i128 elements",
    ),
    "tensor_op": (
        """func.func @main(%x: tensor<4xf32>) -> tensor<2xf32> {
  %r = tensor.extract_slice %x[0] [2] [1] : tensor<4xf32> to tensor<2xf32>
  return %r : tensor<2xf32>
}""",
        "2:8: error: 'tensor.extract_slice' op is not supported by cpu-pipeline: "
        "'tensor.extract_slice' has no loop lowering",
        "2:8: error: 'tensor.extract_slice' op is not supported by linalg-to-zloop: "
        "'tensor.extract_slice' has no loop lowering",
    ),
}
"""What even the fallback cannot lower -> (the program, the located error of cpu-pipeline, the
located error of linalg-to-zloop alone)."""


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_what_the_fallback_cannot_lower_is_a_located_error(name: str) -> None:
    text, in_pipeline, in_pass = UNSUPPORTED[name]
    with pytest.raises(zg.DiagnosticError) as info:
        zg.compile(parse_module(text, "bad.mlir"))
    assert str(info.value).startswith("bad.mlir:" + in_pipeline)
    assert "internal" not in str(info.value)
    module = parse_module(text, "bad.mlir")
    with pytest.raises(DiagnosticError) as direct:
        LinalgToZLoopPass().apply(make_context(), module)
    assert str(direct.value).startswith("bad.mlir:" + in_pass)
    assert module.is_structurally_equivalent(parse_module(text, "bad.mlir"))  # untouched


# ---- IREE as an oracle -------------------------------------------------------------------


def _iree_results(text: str, args: list[NDArray]) -> tuple[NDArray, ...]:
    ireec = pytest.importorskip(
        "iree.compiler", reason="IREE is not installed (pip install -e '.[interop]')"
    )
    ireert = pytest.importorskip(
        "iree.runtime", reason="IREE's runtime is not installed (pip install -e '.[interop]')"
    )
    vmfb = ireec.compile_str(
        text, target_backends=["llvm-cpu"], extra_args=["--iree-llvmcpu-target-cpu=host"]
    )
    context = ireert.SystemContext(config=ireert.Config("local-task"))
    context.add_vm_module(ireert.VmModule.copy_buffer(context.instance, vmfb))
    out = context.modules.module["main"](*args)
    outs = out if isinstance(out, list | tuple) else [out]
    return tuple(np.asarray(o.to_host()) for o in outs)


IREE_CASES = {
    "softmax_argmax": SOFTMAX_ARGMAX.read_text(),
    "fpowi_variable": PROGRAMS["fpowi_variable"],
    "index_body": PROGRAMS["index_body"],
    "integer_arithmetic": PROGRAMS["integer_arithmetic"],
    "i64_sum": PROGRAMS["i64_sum"],
    "mixed_chain": NAMED_OPS["mixed_chain"],
    "conv2d_nchw_fchw": NAMED_OPS["conv2d_nchw_fchw"],
}
"""IREE 3.13 does not take the others: it has no `linalg.add`/`sub`/... (upstream MLIR
replaced them), and cannot tile the `mod` map of `strided_and_modular_maps`."""

POSITIVE_ONLY = {"fpowi_variable"}
"""IREE computes `math.fpowi` as `powf`: NaN for a negative base, where x**n is defined."""


@pytest.mark.parametrize("name", sorted(IREE_CASES))
def test_fallback_matches_iree(name: str) -> None:
    text = IREE_CASES[name]
    args = _inputs(text, 17)
    if name in POSITIVE_ONLY:
        args = [np.abs(a) if a.dtype.kind == "f" else a for a in args]
    theirs = _iree_results(text, args)
    ours = _results(zg.compile(text)(*args))
    assert len(ours) == len(theirs)
    for got, expected in zip(ours, theirs, strict=True):
        assert got.shape == expected.shape and got.dtype == expected.dtype
        if np.issubdtype(got.dtype, np.integer):
            np.testing.assert_array_equal(got, expected)
        else:
            np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_gpu_pipeline_has_no_fallback_and_says_so_at_the_op() -> None:
    """The loop fallback is CPU-only: gpu-pipeline raises with `fallback=false`, so what it
    cannot raise is a located error there (not a failure later in ztile-to-nvvm)."""
    module = parse_module(PROGRAMS["fpowi_constant"], "pow.mlir")
    with pytest.raises(DiagnosticError) as info:
        zg.parse_pipeline("gpu-pipeline").apply(make_context(), module)
    assert str(info.value).startswith(
        "pow.mlir:4:8: error: 'linalg.generic' op is not supported by linalg-to-ztensor: the "
        "body op 'math.fpowi' has no ztensor form"
    )
