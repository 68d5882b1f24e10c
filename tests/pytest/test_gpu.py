"""The GPU path: every ztensor op through `gpu-pipeline` to PTX, checked by ptxas (sm_80 and
sm_90), and run on the CPU by the lockstep interpreter of the generated kernels against numpy.

All cases (gpu_cases.py) are functions of one module, lowered once (`_lowered`): one small
shape per op and one with edge tiles (a shape the GPU tiles do not divide, so masked loads and
stores, padded K chunks and partial thread slots are exercised). The interpreter runs the very llvmlite
module whose text goes to PTX (see `ziggurat.lowering.nvvm_interpret`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gpu_cases import Case, assemble, build_cases, needs_ptxas
from xdsl.context import Context

import ziggurat as zg
from ziggurat.diagnostics import DiagnosticError
from ziggurat.driver import parse_module
from ziggurat.gpu_pipeline import GpuPipelinePass
from ziggurat.lowering.nvvm_interpret import run_function
from ziggurat.lowering.ztile_to_nvvm import GpuProgram, lower_module
from ziggurat.runtime import cuda
from ziggurat.runtime.cuda import CudaUnavailableError, GpuExecutable
from ziggurat.runtime.ptx import ptx_of

NDArray = np.ndarray[Any, Any]


CASES = build_cases()
OP_NAMES = [case.name for case in CASES]


@cache
def _lowered() -> GpuProgram:
    """The module of every case through `gpu-pipeline{eqsat=false}` (each op's own lowering)
    up to ztile, then `lower_module`: the program `ztile-to-nvvm` stores as text."""
    module = parse_module("\n".join(case.text for case in CASES))
    pipeline = GpuPipelinePass(eqsat=False)
    *front, nvvm = pipeline.inner_passes()
    assert nvvm.name == "ztile-to-nvvm"
    for p in front:
        p.apply(Context(), module)
    return lower_module(module)


def test_every_ztensor_op_has_a_case() -> None:
    """The cases cover every ztensor op but cast (f64 is not in this slice) and the
    structural ones (yield, fused)."""
    from ziggurat.dialects import ztensor

    text = "\n".join(case.text for case in CASES)
    names = {op.name for op in ztensor.ZTensor.operations}
    missing = {n for n in names if f"{n} " not in text}
    assert missing == {"ztensor.cast", "ztensor.yield", "ztensor.fused"}


@needs_ptxas
@pytest.mark.parametrize("arch", ["sm_80", "sm_90"])
def test_every_kernel_passes_ptxas(arch: str, tmp_path: Path) -> None:
    program = _lowered()
    ptx = ptx_of(str(program.module), arch)
    assert f".target {arch}" in ptx
    kernels = {launch["kernel"] for f in program.manifest.values() for launch in f["launches"]}
    for name in kernels:
        assert f".entry {name}(" in ptx
    assemble(ptx, arch, tmp_path)


@pytest.mark.parametrize("case", CASES, ids=OP_NAMES)
def test_interpreted_kernels_match_numpy(case: Case) -> None:
    results = run_function(_lowered(), case.name, case.inputs)
    assert len(results) == len(case.expected)
    for i, (got, want) in enumerate(zip(results, case.expected, strict=True)):
        assert got.shape == want.shape, f"result {i}"
        np.testing.assert_allclose(got, want, rtol=case.rtol, atol=case.atol, err_msg=f"result {i}")


def test_reductions_with_few_outputs_spread_each_over_a_group_of_lanes() -> None:
    from ziggurat.lowering.ztile_to_nvvm_shared import reduce_group

    assert reduce_group(128, 4, 300) == 32  # a warp per row
    assert reduce_group(128, 6, 300) == 16
    assert reduce_group(128, 4, 5) == 4  # no more lanes than elements to reduce
    assert reduce_group(128, 128, 300) == 1  # a thread per output: the plain loop
    assert reduce_group(1, 1, 300) == 1  # single-thread kernels


def test_cast_to_f64_is_rejected_at_the_op() -> None:
    text = (
        "func.func @f(%a: tensor<4xf32>) -> tensor<4xf64> {\n"
        "  %r = ztensor.cast %a : tensor<4xf32> -> tensor<4xf64>\n"
        "  func.return %r : tensor<4xf64>\n}\n"
    )
    module = parse_module(text, "cast.mlir")
    with pytest.raises(DiagnosticError) as err:
        GpuPipelinePass(eqsat=False).apply(Context(), module)
    assert "f64" in str(err.value)
    assert "cast.mlir:" in str(err.value)


def test_an_f64_step_inside_a_kernel_is_rejected_at_the_cast() -> None:
    """f32 buffers, but the kernel computes in f64 between two casts (`ztile.cast` in
    registers): GPU kernels hold f32, f16 and bf16 only, and the error names the first cast's
    line."""
    text = (
        "func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {\n"
        "  %w = ztensor.cast %a : tensor<4xf32> -> tensor<4xf64>\n"
        "  %e = ztensor.exp %w : tensor<4xf64>\n"
        "  %r = ztensor.cast %e : tensor<4xf64> -> tensor<4xf32>\n"
        "  func.return %r : tensor<4xf32>\n}\n"
    )
    module = parse_module(text, "cast.mlir")
    with pytest.raises(DiagnosticError) as err:
        GpuPipelinePass(eqsat=False).apply(Context(), module)
    assert "cast.mlir:2:8:" in str(err.value)
    assert "'ztile.cast' op ztile-to-nvvm supports f32, f16 and bf16 data only" in str(err.value)


def test_shared_memory_budget_is_a_located_error() -> None:
    text = (
        "func.func @mm(%a: tensor<128x256xf32>, %b: tensor<256x64xf32>) -> tensor<128x64xf32> {\n"
        "  %c = ztensor.matmul %a, %b : (tensor<128x256xf32>, tensor<256x64xf32>) -> "
        "tensor<128x64xf32>\n"
        "  func.return %c : tensor<128x64xf32>\n}\n"
    )
    from ziggurat.lowering.ztensor_to_ztile import ZTensorToZTilePass
    from ziggurat.lowering.ztile_to_nvvm import ZTileToNVVMPass

    module = parse_module(text, "mm.mlir")
    ZTensorToZTilePass().apply(Context(), module)  # the CPU's large tiles
    with pytest.raises(DiagnosticError) as err:
        ZTileToNVVMPass().apply(Context(), module)
    message = str(err.value)
    assert "mm.mlir:1:1" in message
    assert "48 KiB" in message and "tile-sizes" in message


# ---------------------------------------------------------------------------------------------
# The CUDA runtime: its error path here, the numeric check where a GPU is present
# ---------------------------------------------------------------------------------------------


def _script(name: str) -> str:
    # The session's fork-server clients (tests/pytest/conftest.py), else the installed one.
    local = Path(os.environ.get("ZIGGURAT_TEST_BIN") or Path(sys.executable).parent) / name
    found = str(local) if local.exists() else shutil.which(name)
    assert found is not None, f"{name} is not installed"
    return found


MLP = (Path(__file__).parents[2] / "examples" / "mlp.mlir").read_text()


@cache
def _cuda_problem() -> str | None:
    """Why CUDA cannot run here (None when a GPU is usable)."""
    try:
        cuda.device(0)
    except CudaUnavailableError as err:
        return str(err)
    return None


def test_compile_for_cuda_without_a_gpu_is_one_clear_error() -> None:
    if _cuda_problem() is None:
        pytest.skip("a CUDA GPU is present: the error path does not apply")
    with pytest.raises(CudaUnavailableError) as err:
        zg.compile(MLP, device="cuda")
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("CUDA is not available: ")
    assert any(word in message for word in ("cuda-python", "driver", "GPU"))


def test_compile_for_cuda_names_missing_cuda_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cuda.bindings", None)  # `from cuda.bindings import` fails
    monkeypatch.setattr(cuda, "_devices", {})
    with pytest.raises(CudaUnavailableError, match="cuda-python is not installed"):
        zg.compile(MLP, device="cuda")


def test_compile_rejects_an_unknown_device() -> None:
    with pytest.raises(zg.ArgumentError, match="device must be 'cpu' or 'cuda'"):
        zg.compile(MLP, device="tpu")


def test_jit_for_cuda_without_a_gpu_is_one_clear_error() -> None:
    if _cuda_problem() is None:
        pytest.skip("a CUDA GPU is present: the error path does not apply")
    f = zg.jit(lambda a: np.tanh(a) * 2.0, device="cuda")
    with pytest.raises(CudaUnavailableError) as err:
        f(np.ones((4, 8), np.float32))
    message = str(err.value)
    assert "\n" not in message
    assert message == _cuda_problem()


def test_jit_device_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="device must be 'cpu' or 'cuda', got 'tpu'"):
        zg.jit(np.tanh, device="tpu")
    with pytest.raises(TypeError, match="either backend= or device='cuda'"):
        zg.jit(np.tanh, device="cuda", backend=zg.InterpreterBackend())
    with pytest.raises(ValueError, match="threads= is CPU-only"):
        zg.jit(np.tanh, device="cuda", threads=2)


def test_jit_for_cuda_shows_its_stages_without_a_gpu() -> None:
    """`Lowered.as_text` on the cuda backend runs gpu-pipeline (the GPU's arch, or sm_80 where
    there is none); the CPU-only stages say so."""
    f = zg.jit(lambda a, b: np.maximum(a @ b, 0.0), device="cuda")
    a, b = np.ones((40, 24), np.float32), np.ones((24, 16), np.float32)
    lowered = f.lower(a, b)
    assert "ztile.grid" in lowered.as_text("ztile")
    assert "ptx_kernel" in lowered.as_text("llvm")
    ptx = lowered.as_text("asm")
    assert ".visible .entry" in ptx and ".target sm_" in ptx
    with pytest.raises(zg.StageUnavailableError, match="CPU-only"):
        lowered.as_text("zloop")


@pytest.mark.gpu
def test_jit_on_cuda_matches_numpy() -> None:
    problem = _cuda_problem()
    if problem is not None:
        pytest.skip(problem)
    rng = np.random.default_rng(3)
    a = rng.standard_normal((100, 70)).astype(np.float32)
    b = rng.standard_normal((70, 90)).astype(np.float32)
    f = zg.jit(lambda a, b: np.tanh(a @ b) + 1.0, device="cuda")
    np.testing.assert_allclose(f(a, b), np.tanh(a @ b) + 1.0, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(
        f(b.T.copy(), a.T.copy()), np.tanh(b.T @ a.T) + 1.0, rtol=1e-5, atol=1e-5
    )


@cache
def _gpu_executable() -> GpuExecutable:
    program = _lowered()
    arch = cuda.device(0).arch
    manifest = {"arch": arch, "functions": program.manifest}
    return GpuExecutable(ptx_of(str(program.module), arch), manifest)


@pytest.mark.gpu
@pytest.mark.parametrize("case", CASES, ids=OP_NAMES)
def test_gpu_results_match_numpy(case: Case) -> None:
    problem = _cuda_problem()
    if problem is not None:
        pytest.skip(problem)
    results = _gpu_executable().run(case.name, case.inputs)
    results = list(results) if isinstance(results, tuple) else [results]
    for i, (got, want) in enumerate(zip(results, case.expected, strict=True)):
        np.testing.assert_allclose(got, want, rtol=case.rtol, atol=case.atol, err_msg=f"result {i}")


@pytest.mark.gpu
def test_gpu_mlp_through_zg_compile() -> None:
    problem = _cuda_problem()
    if problem is not None:
        pytest.skip(problem)
    rng = np.random.default_rng(1)
    shapes = [(64, 128), (128, 256), (256,), (256, 10), (10,)]
    args = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    got = zg.compile(MLP, device="cuda")(*args)
    want = zg.compile(MLP)(*args)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


@needs_ptxas
def test_mlp_example_through_gpu_pipeline_with_eqsat(tmp_path: Path) -> None:
    """The issue's first criterion: `ziggurat-opt examples/mlp.mlir -p
    'gpu-pipeline{arch=sm_90}' -t ptx` is accepted by `ptxas -arch=sm_90`; and the same
    program (eqsat and fusion on) interpreted on the CPU agrees with the CPU backend."""
    opt = [_script("ziggurat-opt"), "-", "-p", "gpu-pipeline{arch=sm_90}", "-t", "ptx"]
    done = subprocess.run(
        [*opt, "-o", str(tmp_path / "mlp.ptx")],
        input=MLP,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assemble(tmp_path / "mlp.ptx", "sm_90", tmp_path)

    module = parse_module(MLP)
    *front, _ = GpuPipelinePass(arch="sm_90").inner_passes()
    for p in front:
        p.apply(Context(), module)
    rng = np.random.default_rng(3)
    shapes = [(64, 128), (128, 256), (256,), (256, 10), (10,)]
    args = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    (got,) = run_function(lower_module(module), "mlp", args)
    want = zg.compile(MLP)(*args)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


CUBIN = [_script("ziggurat-opt"), "-", "-p", "gpu-pipeline{eqsat=false}", "-t", "cubin"]


def test_cubin_without_ptxas_names_ptxas(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ZIGGURAT_PTXAS", str(tmp_path / "no-ptxas"))
    done = subprocess.run(
        [*CUBIN, "-o", str(tmp_path / "out.cubin")],
        input=MLP,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "cannot emit target 'cubin': ptxas was not found" in done.stderr
    assert "Traceback" not in done.stderr


@needs_ptxas
def test_cubin_target_writes_an_elf_file(tmp_path: Path) -> None:
    out = tmp_path / "mlp.cubin"
    done = subprocess.run(
        [*CUBIN, "-o", str(out)],
        input=MLP,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:4] == b"\x7fELF"


def test_ptx_target_needs_a_gpu_lowered_module() -> None:
    done = subprocess.run(
        [_script("ziggurat-opt"), "-", "-t", "ptx"],
        input=MLP,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "lower the module with gpu-pipeline" in done.stderr


def test_ziggurat_run_on_cuda_without_a_gpu_is_one_clear_error() -> None:
    """`ziggurat-run --device cuda`: exit 1 and one `ziggurat-run: error:` line naming what is
    missing; CPU-only flags are usage errors (exit 2)."""
    import subprocess

    mlp = str(Path(__file__).parents[2] / "examples" / "mlp.mlir")
    if _cuda_problem() is None:
        pytest.skip("a CUDA GPU is present: the error path does not apply")
    r = subprocess.run(
        ["ziggurat-run", mlp, "--device", "cuda"], capture_output=True, text=True, check=False
    )
    assert r.returncode == 1, r.stderr
    assert r.stderr.startswith("ziggurat-run: error: CUDA is not available: ")
    assert len(r.stderr.splitlines()) == 1 and "Traceback" not in r.stderr
    r = subprocess.run(
        ["ziggurat-run", mlp, "--device", "cuda", "--threads", "2"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 2
    assert "--threads applies to --device cpu only" in r.stderr


@pytest.mark.gpu
def test_ziggurat_run_on_cuda_matches_the_interpreter() -> None:
    import subprocess

    if _cuda_problem() is not None:
        pytest.skip(f"no usable CUDA GPU: {_cuda_problem()}")
    mlp = str(Path(__file__).parents[2] / "examples" / "mlp.mlir")
    r = subprocess.run(
        ["ziggurat-run", mlp, "--device", "cuda", "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert "check: OK, matches the reference interpreter" in r.stdout
