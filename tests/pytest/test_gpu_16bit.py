"""f16 and bf16 on the GPU path: ztile programs over 16-bit memrefs through `ztile-to-nvvm`,
checked by ptxas (sm_80, sm_90) and run by the lockstep interpreter of the generated kernels
(`ziggurat.lowering.nvvm_interpret`) against numpy / ml_dtypes.

The matmul is the form a 16-bit `ztensor.matmul` takes at the tile level: 16-bit tiles widened
to f32 by `ztile.cast`, an f32 accumulator, the result rounded back to 16 bits once. Where the
tile shapes are multiples of m16n8k16 the dot runs on tensor cores (`mma.sync`); the
interpreter models the instruction's fragment layout from the PTX ISA independently of the
lowering, so a register mapped to the wrong element shows up as a wrong result.
"""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import ml_dtypes
import numpy as np
import pytest
from gpu_cases import assemble, build_cases, needs_ptxas
from xdsl.context import Context

from ziggurat.driver import parse_module
from ziggurat.gpu_pipeline import GpuPipelinePass
from ziggurat.lowering.nvvm_interpret import run_function
from ziggurat.lowering.ztile_to_nvvm import GpuProgram, lower_module
from ziggurat.lowering.ztile_to_nvvm_kernel import bf16_bits
from ziggurat.lowering.ztile_to_nvvm_mma import warp_grid
from ziggurat.runtime.ptx import ptx_of

NDArray = np.ndarray[Any, Any]
DTYPES = {"f16": np.dtype(np.float16), "bf16": np.dtype(ml_dtypes.bfloat16)}


def matmul_text(
    m: int, n: int, k: int, tile: tuple[int, int, int], elt: str, name: str = "mm"
) -> str:
    """`name`(a: m x k, b: k x n) -> m x n of `elt`, as ztensor-to-ztile lowers a matmul:
    a grid of tm x tn output tiles, a K loop of tk chunks, casts around an f32 dot."""
    tm, tn, tk = tile
    grid = (-(-m // tm), -(-n // tn))

    def mt(*shape: int) -> str:
        return "x".join(map(str, shape)) + "x" + elt

    return f"""
func.func @{name}(%a: tensor<{mt(m, k)}>, %b: tensor<{mt(k, n)}>) -> tensor<{mt(m, n)}> {{
  %0 = bufferization.to_buffer %a : tensor<{mt(m, k)}> to memref<{mt(m, k)}>
  %1 = bufferization.to_buffer %b : tensor<{mt(k, n)}> to memref<{mt(k, n)}>
  %2 = memref.alloc() : memref<{mt(m, n)}>
  ztile.grid [{grid[0]}, {grid[1]}] {{
    %p0 = ztile.program_id 0 : index
    %p1 = ztile.program_id 1 : index
    %tm = arith.constant {tm} : index
    %tn = arith.constant {tn} : index
    %r0 = arith.muli %p0, %tm : index
    %c0 = arith.muli %p1, %tn : index
    %zero = arith.constant 0 : index
    %z = arith.constant 0.000000e+00 : f32
    %init = ztile.splat %z : f32 -> !ztile.tile<{tm}x{tn}xf32>
    %kend = arith.constant {k} : index
    %kstep = arith.constant {tk} : index
    %acc = scf.for %kk = %zero to %kend step %kstep iter_args(%c = %init) -> (!ztile.tile<{tm}x{tn}xf32>) {{
      %x = ztile.load %0[%r0, %kk] {{padding = 0.000000e+00 : {elt}}} : memref<{mt(m, k)}> -> !ztile.tile<{mt(tm, tk)}>
      %y = ztile.load %1[%kk, %c0] {{padding = 0.000000e+00 : {elt}}} : memref<{mt(k, n)}> -> !ztile.tile<{mt(tk, tn)}>
      %xw = ztile.cast %x : !ztile.tile<{mt(tm, tk)}> -> !ztile.tile<{tm}x{tk}xf32>
      %yw = ztile.cast %y : !ztile.tile<{mt(tk, tn)}> -> !ztile.tile<{tk}x{tn}xf32>
      %d = ztile.dot %xw, %yw, %c : !ztile.tile<{tm}x{tk}xf32>, !ztile.tile<{tk}x{tn}xf32>, !ztile.tile<{tm}x{tn}xf32> -> !ztile.tile<{tm}x{tn}xf32>
      scf.yield %d : !ztile.tile<{tm}x{tn}xf32>
    }}
    %h = ztile.cast %acc : !ztile.tile<{tm}x{tn}xf32> -> !ztile.tile<{mt(tm, tn)}>
    ztile.store %h, %2[%r0, %c0] : !ztile.tile<{mt(tm, tn)}>, memref<{mt(m, n)}>
    ztile.yield
  }}
  %r = bufferization.to_tensor %2 : memref<{mt(m, n)}> to tensor<{mt(m, n)}>
  func.return %r : tensor<{mt(m, n)}>
}}
"""


def elementwise_text(rows: int, cols: int, elt: str, tile: tuple[int, int] = (4, 64)) -> str:
    """`ew`(x, y) = tanh(exp(x) * y + x) on `elt` tiles, and `rowsum`(x) = sum over axis 1,
    as 16-bit tile programs (the sum accumulates in f32, as the reduce's f32 cast says)."""
    tr, tc = tile
    t = f"{tr}x{tc}x{elt}"
    m = f"{rows}x{cols}x{elt}"
    grid = (-(-rows // tr), -(-cols // tc))
    return f"""
func.func @ew(%a: tensor<{m}>, %b: tensor<{m}>) -> tensor<{m}> {{
  %0 = bufferization.to_buffer %a : tensor<{m}> to memref<{m}>
  %1 = bufferization.to_buffer %b : tensor<{m}> to memref<{m}>
  %2 = memref.alloc() : memref<{m}>
  ztile.grid [{grid[0]}, {grid[1]}] {{
    %p0 = ztile.program_id 0 : index
    %p1 = ztile.program_id 1 : index
    %sr = arith.constant {tr} : index
    %sc = arith.constant {tc} : index
    %i = arith.muli %p0, %sr : index
    %j = arith.muli %p1, %sc : index
    %x = ztile.load %0[%i, %j] {{padding = 1.000000e+00 : {elt}}} : memref<{m}> -> !ztile.tile<{t}>
    %y = ztile.load %1[%i, %j] {{padding = 1.000000e+00 : {elt}}} : memref<{m}> -> !ztile.tile<{t}>
    %e = ztile.exp %x : !ztile.tile<{t}>
    %p = ztile.mul %e, %y : !ztile.tile<{t}>
    %s = ztile.add %p, %x : !ztile.tile<{t}>
    %r = ztile.tanh %s : !ztile.tile<{t}>
    ztile.store %r, %2[%i, %j] : !ztile.tile<{t}>, memref<{m}>
    ztile.yield
  }}
  %c = bufferization.to_tensor %2 : memref<{m}> to tensor<{m}>
  func.return %c : tensor<{m}>
}}

func.func @rowsum(%a: tensor<{m}>) -> tensor<{rows}x1x{elt}> {{
  %0 = bufferization.to_buffer %a : tensor<{m}> to memref<{m}>
  %2 = memref.alloc() : memref<{rows}x1x{elt}>
  ztile.grid [{rows}] {{
    %p0 = ztile.program_id 0 : index
    %zero = arith.constant 0 : index
    %x = ztile.load %0[%p0, %zero] {{padding = 0.000000e+00 : {elt}}} : memref<{m}> -> !ztile.tile<1x{cols}x{elt}>
    %w = ztile.cast %x : !ztile.tile<1x{cols}x{elt}> -> !ztile.tile<1x{cols}xf32>
    %s = ztile.reduce "sum" %w {{axis = 1 : i64}} : !ztile.tile<1x{cols}xf32> -> !ztile.tile<1x1xf32>
    %h = ztile.cast %s : !ztile.tile<1x1xf32> -> !ztile.tile<1x1x{elt}>
    ztile.store %h, %2[%p0, %zero] : !ztile.tile<1x1x{elt}>, memref<{rows}x1x{elt}>
    ztile.yield
  }}
  %c = bufferization.to_tensor %2 : memref<{rows}x1x{elt}> to tensor<{rows}x1x{elt}>
  func.return %c : tensor<{rows}x1x{elt}>
}}
"""


def lowered(text: str, num_warps: int = 4) -> GpuProgram:
    return lower_module(parse_module(text, "gpu16.mlir"), num_warps)


def data(shape: tuple[int, ...], elt: str, seed: int = 0) -> NDArray:
    return np.random.default_rng(seed).standard_normal(shape).astype(DTYPES[elt])


def check_ptxas(program: GpuProgram, arch: str, tmp_path: Path) -> str:
    ptx = ptx_of(str(program.module), arch)
    assemble(ptx, arch, tmp_path)
    return ptx


SHAPES = [(100, 90, 70), (16, 8, 16), (33, 65, 47)]
"""(m, n, k): edge tiles in every dim, one exact mma tile, odd sizes."""


@pytest.mark.parametrize("elt", ["f16", "bf16"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_tensor_core_matmul_matches_an_f32_accumulation(elt: str, shape: tuple[int, ...]) -> None:
    m, n, k = shape
    program = lowered(matmul_text(m, n, k, (64, 64, 32), elt))
    a, b = data((m, k), elt, 1), data((k, n), elt, 2)
    (got,) = run_function(program, "mm", [a, b])
    assert got.dtype == DTYPES[elt]
    exact = a.astype(np.float64) @ b.astype(np.float64)
    # one rounding to 16 bits (half an ulp) plus f32 accumulation error
    ulp = {"f16": 2.0**-10, "bf16": 2.0**-7}[elt]
    bound = 0.5 * ulp * np.abs(exact) + 1e-5 * np.abs(a).astype(np.float64) @ np.abs(b)
    assert np.all(np.abs(got.astype(np.float64) - exact) <= bound + 1e-30)


@pytest.mark.parametrize("elt", ["f16", "bf16"])
def test_the_result_does_not_depend_on_the_warp_count(elt: str) -> None:
    """Each 16x8 fragment is computed by one warp in a fixed K order, whatever the warp grid
    (1x1, 2x1, 4x1, 4x2 warps over the 64x64 tile)."""
    m, n, k = 100, 90, 70
    a, b = data((m, k), elt, 3), data((k, n), elt, 4)
    results = [
        run_function(lowered(matmul_text(m, n, k, (64, 64, 32), elt), w), "mm", [a, b])[0]
        for w in (1, 2, 4, 8)
    ]
    for r in results[1:]:
        assert np.array_equal(r.view(np.uint16), results[0].view(np.uint16))


def test_warp_grid_splits_rows_first() -> None:
    assert warp_grid(4, 4) == (4, 1)
    assert warp_grid(8, 4) == (4, 2)
    assert warp_grid(4, 1) == (1, 4)
    assert warp_grid(4, 2) == (2, 2)
    assert warp_grid(1, 4) == (1, 1)


@pytest.mark.parametrize("elt", ["f16", "bf16"])
def test_tiles_the_mma_shape_does_not_divide_use_fmas(elt: str, tmp_path: Path) -> None:
    """24x40 output tiles with K chunks of 8 are not multiples of m16n8k16: FMAs in f32, the
    same operands, the same rounding at the end."""
    m, n, k = 30, 50, 20
    program = lowered(matmul_text(m, n, k, (24, 40, 8), elt))
    assert "llvm.nvvm.mma" not in str(program.module)
    a, b = data((m, k), elt, 5), data((k, n), elt, 6)
    (got,) = run_function(program, "mm", [a, b])
    want = (a.astype(np.float32) @ b.astype(np.float32)).astype(DTYPES[elt])
    np.testing.assert_allclose(got.astype(np.float32), want.astype(np.float32), rtol=1e-2)


@needs_ptxas
@pytest.mark.parametrize("arch", ["sm_80", "sm_90"])
@pytest.mark.parametrize("elt", ["f16", "bf16"])
def test_the_matmul_ptx_uses_mma_sync_and_passes_ptxas(arch: str, elt: str, tmp_path: Path) -> None:
    program = lowered(matmul_text(100, 90, 70, (64, 64, 32), elt) + elementwise_text(9, 300, elt))
    ptx = check_ptxas(program, arch, tmp_path)
    assert f"mma.sync.aligned.m16n8k16.row.col.f32.{elt}.{elt}.f32" in ptx
    assert "ld.global.u16" in ptx and "st.global.u16" in ptx


@pytest.mark.parametrize("elt", ["f16", "bf16"])
def test_elementwise_ops_round_every_result_as_numpy_does(elt: str) -> None:
    """Each op computes in f32 and rounds to 16 bits, as numpy's float16 ufuncs do (bf16:
    as ml_dtypes' ufuncs do); exp and tanh are the GPU's f32 polynomials, so a result may be
    one 16-bit ulp off numpy's where the f32 values straddle a rounding boundary."""
    rows, cols = 9, 300
    program = lowered(elementwise_text(rows, cols, elt))
    x, y = data((rows, cols), elt, 7), data((rows, cols), elt, 8)
    (got,) = run_function(program, "ew", [x, y])
    want = np.tanh(np.exp(x) * y + x)
    assert want.dtype == DTYPES[elt]
    ulps = np.abs(got.view(np.int16).astype(np.int64) - want.view(np.int16).astype(np.int64))
    assert ulps.max() <= 1
    assert np.mean(ulps == 0) > 0.98


@pytest.mark.parametrize("elt", ["f16", "bf16"])
def test_row_sum_accumulates_in_f32_and_rounds_once(elt: str) -> None:
    rows, cols = 5, 300
    program = lowered(elementwise_text(rows, cols, elt))
    x = data((rows, cols), elt, 9)
    (got,) = run_function(program, "rowsum", [x])
    want = x.astype(np.float64).sum(axis=1, keepdims=True)
    np.testing.assert_array_equal(got, want.astype(np.float32).astype(DTYPES[elt]))


SPECIAL = np.array(
    [
        0.0,
        -0.0,
        1.0,
        -1.5,
        np.inf,
        -np.inf,
        np.nan,
        3.3895314e38,
        1e-40,
        65504.0,
        65520.0,
        1.0 + 2.0**-8,
        1.0 + 3 * 2.0**-8,
        1.0 + 2.0**-11,
        2.0**-25,
        6e-8,
    ],
    dtype=np.float32,
)


@pytest.mark.parametrize("elt", ["f16", "bf16"])
def test_casts_from_f32_round_to_nearest_even_bit_for_bit(elt: str) -> None:
    """f32 -> 16 bits on the GPU (f16: `cvt.rn.f16.f32`; bf16: integer rounding in
    `KernelBuilder.narrow`) against numpy / ml_dtypes, ties and overflow included."""
    n = SPECIAL.size
    text = f"""
func.func @down(%a: tensor<{n}xf32>) -> tensor<{n}x{elt}> {{
  %0 = bufferization.to_buffer %a : tensor<{n}xf32> to memref<{n}xf32>
  %1 = memref.alloc() : memref<{n}x{elt}>
  ztile.grid [1] {{
    %z = arith.constant 0 : index
    %x = ztile.load %0[%z] {{padding = 0.000000e+00 : f32}} : memref<{n}xf32> -> !ztile.tile<{n}xf32>
    %h = ztile.cast %x : !ztile.tile<{n}xf32> -> !ztile.tile<{n}x{elt}>
    ztile.store %h, %1[%z] : !ztile.tile<{n}x{elt}>, memref<{n}x{elt}>
    ztile.yield
  }}
  %r = bufferization.to_tensor %1 : memref<{n}x{elt}> to tensor<{n}x{elt}>
  func.return %r : tensor<{n}x{elt}>
}}
"""
    (got,) = run_function(lowered(text), "down", [SPECIAL])
    with np.errstate(over="ignore"):
        want = SPECIAL.astype(DTYPES[elt])
    nan = np.isnan(want.astype(np.float32))
    assert np.array_equal(np.isnan(got.astype(np.float32)), nan)
    assert np.array_equal(got.view(np.uint16)[~nan], want.view(np.uint16)[~nan])
    if elt == "bf16":
        assert [bf16_bits(float(v)) for v in SPECIAL[~nan]] == list(want.view(np.uint16)[~nan])


# -- every ztensor op in f16 and bf16, through gpu-pipeline ------------------------------------


@cache
def _op_cases(elt: str) -> tuple[list[Any], GpuProgram]:
    """test_gpu's cases of every ztensor op with data rounded to `elt` and the module's f32
    tensors made `elt` tensors, through `gpu-pipeline{eqsat=false}`."""
    cases = build_cases(round_to=DTYPES[elt])
    text = "\n".join(case.text for case in cases)
    text = text.replace("xf32>", f"x{elt}>").replace("tensor<f32>", f"tensor<{elt}>")
    module = parse_module(text, f"ops_{elt}.mlir")
    *front, nvvm = GpuPipelinePass(eqsat=False).inner_passes()
    assert nvvm.name == "ztile-to-nvvm"
    for p in front:
        p.apply(Context(), module)
    return cases, lower_module(module)


OP_CASE_NAMES = [case.name for case in build_cases()]
TOLERANCE = {"f16": 4e-3, "bf16": 3e-2}
"""A few 16-bit ulps: each op rounds its result to 16 bits."""


@needs_ptxas
@pytest.mark.parametrize("elt", ["f16", "bf16"])
def test_every_op_in_16_bits_passes_ptxas(elt: str, tmp_path: Path) -> None:
    _, program = _op_cases(elt)
    for arch in ("sm_80", "sm_90"):
        check_ptxas(program, arch, tmp_path)


@pytest.mark.parametrize("elt", ["f16", "bf16"])
@pytest.mark.parametrize("name", OP_CASE_NAMES)
def test_every_op_in_16_bits_matches_numpy(elt: str, name: str) -> None:
    cases, program = _op_cases(elt)
    (case,) = [c for c in cases if c.name == name]
    dtype = DTYPES[elt]
    inputs = [x.astype(dtype) for x in case.inputs]
    results = run_function(program, name, inputs)
    for i, (got, want) in enumerate(zip(results, case.expected, strict=True)):
        assert got.dtype == (dtype if want.dtype != np.bool_ else np.bool_), f"result {i}"
        with np.errstate(over="ignore"):
            rounded = want.astype(dtype).astype(np.float64)  # inf where 16 bits overflow
        tol = TOLERANCE[elt]
        np.testing.assert_allclose(
            got.astype(np.float64), rounded, rtol=tol, atol=tol, err_msg=f"{name} result {i}"
        )


@needs_ptxas
def test_the_gpu_benchmark_checks_its_kernels_without_a_gpu() -> None:
    """`benchmarks/bench_gpu.py --check`: what a GPU machine will run compiles, passes ptxas,
    uses tensor cores for the f16 GEMM and matches numpy at small sizes on the interpreter."""
    script = Path(__file__).parents[2] / "benchmarks" / "bench_gpu.py"
    done = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "f16 GEMM 4096^3: 1 kernels" in done.stdout
    assert "mma.sync: True, ptxas: ok" in done.stdout
