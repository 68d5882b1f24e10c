"""Argument checking and the calling convention of compiled kernels."""

from __future__ import annotations

import numpy as np
import pytest

from ziggurat.runtime import (
    ArgSpec,
    CompiledModule,
    ZigguratCallError,
    ZigguratCallTypeError,
    compile_llvm_ir,
)

N = 64

IR = f"""
define void @add(ptr noalias %a, ptr noalias %b, ptr noalias %out) {{
entry:
  br label %loop
loop:
  %i = phi i64 [0, %entry], [%i1, %loop]
  %pa = getelementptr float, ptr %a, i64 %i
  %pb = getelementptr float, ptr %b, i64 %i
  %po = getelementptr float, ptr %out, i64 %i
  %va = load float, ptr %pa
  %vb = load float, ptr %pb
  %s = fadd float %va, %vb
  store float %s, ptr %po
  %i1 = add i64 %i, 1
  %c = icmp slt i64 %i1, {N}
  br i1 %c, label %loop, label %exit
exit:
  ret void
}}

define void @addsub(ptr noalias %a, ptr noalias %b, ptr noalias %sum, ptr noalias %diff) {{
entry:
  br label %loop
loop:
  %i = phi i64 [0, %entry], [%i1, %loop]
  %pa = getelementptr double, ptr %a, i64 %i
  %pb = getelementptr double, ptr %b, i64 %i
  %ps = getelementptr double, ptr %sum, i64 %i
  %pd = getelementptr double, ptr %diff, i64 %i
  %va = load double, ptr %pa
  %vb = load double, ptr %pb
  %s = fadd double %va, %vb
  %d = fsub double %va, %vb
  store double %s, ptr %ps
  store double %d, ptr %pd
  %i1 = add i64 %i, 1
  %c = icmp slt i64 %i1, {N}
  br i1 %c, label %loop, label %exit
exit:
  ret void
}}

define void @axpy(ptr noalias %x, ptr noalias %y) {{
entry:
  br label %loop
loop:
  %i = phi i64 [0, %entry], [%i1, %loop]
  %px = getelementptr float, ptr %x, i64 %i
  %py = getelementptr float, ptr %y, i64 %i
  %vx = load float, ptr %px
  %vy = load float, ptr %py
  %s = call float @llvm.fma.f32(float %vx, float 2.0, float %vy)
  store float %s, ptr %py
  %i1 = add i64 %i, 1
  %c = icmp slt i64 %i1, {N}
  br i1 %c, label %loop, label %exit
exit:
  ret void
}}
declare float @llvm.fma.f32(float, float, float)
"""

F32 = np.float32


@pytest.fixture(scope="module")
def module() -> CompiledModule:
    signatures = {
        "add": [
            ArgSpec((N,), F32, "in", "a"),
            ArgSpec((N,), F32, "in", "b"),
            ArgSpec((N,), F32, "out", "out"),
        ],
        "addsub": [ArgSpec((N,), np.float64, "in")] * 2 + [ArgSpec((N,), np.float64, "out")] * 2,
        "axpy": [ArgSpec((N,), F32, "in", "x"), ArgSpec((N,), F32, "inout", "y")],
    }
    return compile_llvm_ir(IR, signatures, cache=False)


def data(*shape: int, dtype: type = F32, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random(shape).astype(dtype)


def test_outputs_are_allocated_or_written_in_place(module: CompiledModule) -> None:
    add = module.kernel("add")
    a, b = data(N), data(N, seed=1)
    result = add(a, b)
    np.testing.assert_array_equal(result, a + b)
    out = np.zeros(N, F32)
    assert add(a, b, out) is out
    np.testing.assert_array_equal(out, a + b)


def test_several_outputs_come_back_as_a_tuple(module: CompiledModule) -> None:
    a, b = data(N, dtype=np.float64), data(N, dtype=np.float64, seed=1)
    total, diff = module.kernel("addsub")(a, b)
    np.testing.assert_array_equal(total, a + b)
    np.testing.assert_array_equal(diff, a - b)


def test_inout_is_updated_in_place(module: CompiledModule) -> None:
    x, y = data(N), data(N, seed=1)
    expected = 2 * x + y
    assert module.kernel("axpy")(x, y) is None
    np.testing.assert_allclose(y, expected, rtol=1e-6)
    with pytest.raises(ZigguratCallError, match=r"@axpy takes 2 arguments"):
        module.kernel("axpy")(x)


def test_wrong_dtype(module: CompiledModule) -> None:
    with pytest.raises(
        ZigguratCallTypeError,
        match=r"@add argument 1 'b' \(input\): expected dtype float32, got float64",
    ):
        module.kernel("add")(data(N), data(N, dtype=np.float64))
    with pytest.raises(TypeError, match=r"argument 2 'out' \(output\): expected dtype float32"):
        module.kernel("add")(data(N), data(N), np.zeros(N, np.float64))


def test_wrong_shape_and_rank(module: CompiledModule) -> None:
    with pytest.raises(
        ZigguratCallError, match=r"argument 0 'a' \(input\): expected shape \(64,\), got \(63,\)"
    ):
        module.kernel("add")(data(N - 1), data(N))
    with pytest.raises(
        ValueError,
        match=r"argument 1 'b' \(input\): expected rank 1 \(shape \(64,\)\), got rank 2 \(shape \(8, 8\)\)",
    ):
        module.kernel("add")(data(N), data(8, 8))


def test_not_an_array_and_wrong_arity(module: CompiledModule) -> None:
    with pytest.raises(
        TypeError, match=r"argument 0 'a' \(input\): expected a numpy.ndarray .* got list"
    ):
        module.kernel("add")([1.0] * N, data(N))
    with pytest.raises(ZigguratCallError, match=r"@add takes 2 or 3 arguments .*got 1"):
        module.kernel("add")(data(N))


def test_non_contiguous_and_misaligned_inputs_are_copied(module: CompiledModule) -> None:
    wide = data(2 * N)
    strided = wide[::2]
    assert not strided.flags.c_contiguous
    raw = np.zeros(N * 4 + 1, np.uint8)
    misaligned = raw[1:].view(F32)
    misaligned[:] = data(N, seed=3)
    assert not misaligned.flags.aligned
    np.testing.assert_array_equal(module.kernel("add")(strided, misaligned), strided + misaligned)


def test_bad_outputs_are_rejected(module: CompiledModule) -> None:
    add = module.kernel("add")
    a, b = data(N), data(N)
    readonly = np.zeros(N, F32)
    readonly.flags.writeable = False
    with pytest.raises(
        ZigguratCallError, match=r"argument 2 'out' \(output\): the array is read-only"
    ):
        add(a, b, readonly)
    with pytest.raises(
        ZigguratCallError, match=r"argument 2 'out' \(output\): expected a C-contiguous array"
    ):
        add(a, b, np.zeros(2 * N, F32)[::2])
    raw = np.zeros(N * 4 + 1, np.uint8)
    with pytest.raises(ZigguratCallError, match=r"not aligned to 4 bytes"):
        add(a, b, raw[1:].view(F32))
    with pytest.raises(
        ZigguratCallError, match=r"argument 2 'out' \(output\) overlaps the memory of argument 0"
    ):
        add(a, b, a)
    x = data(N)
    with pytest.raises(ZigguratCallError, match=r"@axpy argument 1 'y' \(inout\) overlaps"):
        module.kernel("axpy")(x, x)


def test_out_keyword_is_checked_like_a_positional_output(module: CompiledModule) -> None:
    add, addsub = module.kernel("add"), module.kernel("addsub")
    a, b = data(N), data(N, seed=1)
    out = np.zeros(N, F32)
    assert add(a, b, out=out) is out
    np.testing.assert_array_equal(out, a + b)
    x, y = data(N, dtype=np.float64), data(N, dtype=np.float64, seed=1)
    total, diff = np.empty(N), np.empty(N)
    assert addsub(x, y, out=(total, diff)) == (total, diff)
    np.testing.assert_array_equal(diff, x - y)
    with pytest.raises(ZigguratCallError, match=r"argument 2 'out' \(output\): expected shape"):
        add(a, b, out=np.zeros(N - 1, F32))
    with pytest.raises(ZigguratCallError, match=r"overlaps the memory of argument 0"):
        add(a, b, out=a)
    with pytest.raises(
        ZigguratCallError, match=r"@addsub with out= takes 2 arguments and 2 output arrays"
    ):
        addsub(x, y, out=total)
    with pytest.raises(ZigguratCallError, match=r"got 3 arguments and 1 in out="):
        add(a, b, out, out=out)


def test_fast_path_inputs_it_does_not_take_still_work(module: CompiledModule) -> None:
    """Read-only inputs, views with an offset, an equal but distinct dtype object: all are
    passed correctly (through the fast path or the checked one)."""
    add = module.kernel("add")
    a, b = data(N), data(2 * N, seed=1)
    readonly = a.copy()
    readonly.flags.writeable = False
    view = b[N:]
    other_dtype = np.dtype("<f4") if np.little_endian else np.dtype(">f4")
    distinct = a.view(other_dtype)
    for x, y in [(readonly, view), (view, readonly), (distinct, a)]:
        np.testing.assert_array_equal(add(x, y), x + y)
    out = np.zeros(2 * N, F32)[N:]
    assert add(a, view, out) is out
    np.testing.assert_array_equal(out, a + view)


def test_argspec_validation() -> None:
    spec = ArgSpec([4, 5], "float32", "out")  # type: ignore[arg-type]  # a list shape, normalized
    assert spec.shape == (4, 5) and spec.dtype == np.dtype(np.float32) and spec.nbytes == 80
    with pytest.raises(ValueError, match="role must be one of"):
        ArgSpec((4,), F32, "output")
    with pytest.raises(ValueError, match="native numeric dtype"):
        ArgSpec((4,), object)
    with pytest.raises(ValueError, match="non-negative"):
        ArgSpec((-1,), F32)


def test_fast_path_strides_are_numpys() -> None:
    """The C strides the fast path compares with are the ones numpy gives such arrays."""
    from ziggurat.runtime.calling import _c_strides

    for shape in [(8, 8), (5, 1, 3), (1,), (), (7,), (2, 3, 4, 5)]:
        for dtype in (np.float32, np.float64, np.bool_):
            assert _c_strides(ArgSpec(shape, dtype)) == np.empty(shape, dtype).strides
