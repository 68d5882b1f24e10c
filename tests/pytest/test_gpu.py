"""The GPU path: every ztensor op through `gpu-pipeline` to PTX, checked by ptxas (sm_80 and
sm_90), and run on the CPU by the lockstep interpreter of the generated kernels against numpy.

All cases are functions of one module, lowered once (`_lowered`): one small shape per op and
one with edge tiles (a shape the GPU tiles do not divide, so masked loads and stores, padded
K chunks and partial thread slots are exercised). The interpreter runs the very llvmlite
module whose text goes to PTX (see `ziggurat.lowering.nvvm_interpret`).
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
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
PTXAS = shutil.which("ptxas")
needs_ptxas = pytest.mark.skipif(PTXAS is None, reason="ptxas (CUDA toolkit) is not on PATH")


def ttype(shape: Sequence[int], elt: str = "f32") -> str:
    return "tensor<" + "".join(f"{d}x" for d in shape) + elt + ">"


def ref_gelu(x: NDArray) -> NDArray:
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


UNARY: dict[str, Callable[[NDArray], NDArray]] = {
    "neg": np.negative,
    "exp": np.exp,
    "log": np.log,
    "tanh": np.tanh,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "relu": lambda x: np.maximum(x, 0.0),
    "gelu": ref_gelu,
    "sqrt": np.sqrt,
    "rsqrt": lambda x: 1 / np.sqrt(x),
    "abs": np.abs,
    "erf": np.vectorize(math.erf, otypes=[np.float64]),
    "floor": np.floor,
    "ceil": np.ceil,
}
POSITIVE = {"log", "sqrt", "rsqrt"}
BINARY: dict[str, Callable[[NDArray, NDArray], NDArray]] = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.divide,
    "maximum": np.maximum,
    "minimum": np.minimum,
    "pow": np.power,
}
CMP = {"olt": np.less, "oge": np.greater_equal, "une": np.not_equal, "oeq": np.equal}

SMALL = (5, 7)
EDGE = (9, 300)
"""Elementwise tiles on the GPU are 4x256: 3x2 programs, the last row and column partial."""


@dataclass
class Case:
    """One function `@name` and its float64 reference."""

    name: str
    text: str
    inputs: list[NDArray]
    expected: list[NDArray]
    rtol: float = 2e-6
    atol: float = 1e-6


@dataclass
class Cases:
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(0))
    cases: list[Case] = field(default_factory=list)

    def data(self, shape: Sequence[int], positive: bool = False) -> NDArray:
        x = self.rng.standard_normal(tuple(shape))
        if positive:
            x = np.abs(x) + 0.5
        return x.astype(np.float32)

    def add(
        self,
        name: str,
        inputs: list[NDArray],
        body: str,
        results: list[tuple[str, NDArray]],
        **tol: float,
    ) -> None:
        args = ", ".join(f"%a{i}: {ttype(x.shape)}" for i, x in enumerate(inputs))
        types = ", ".join(t for t, _ in results)
        names = ", ".join(f"%r{i}" for i in range(len(results)))
        text = (
            f"func.func @{name}({args}) -> ({types}) {{\n{body}\n"
            f"  func.return {names} : {types}\n}}\n"
        )
        self.cases.append(Case(name, text, inputs, [r for _, r in results], **tol))


def build_cases() -> list[Case]:
    c = Cases()
    for tag, shape in (("small", SMALL), ("edge", EDGE)):
        for op, ref in UNARY.items():
            x = c.data(shape, positive=op in POSITIVE)
            ty = ttype(shape)
            with np.errstate(all="ignore"):
                expected = ref(x.astype(np.float64))
            c.add(f"{op}_{tag}", [x], f"  %r0 = ztensor.{op} %a0 : {ty}", [(ty, expected)])
        for op, ref2 in BINARY.items():
            other = (shape[1],) if tag == "small" else (shape[0], 1)
            x, y = c.data(shape, positive=op == "pow"), c.data(other)
            if op == "pow":  # negative bases with integral exponents too
                x[0, :] = -x[0, :]
                y = np.round(y * 3).astype(np.float32)
            ty = ttype(shape)
            with np.errstate(all="ignore"):
                expected = ref2(x.astype(np.float64), y.astype(np.float64))
            line = f"  %r0 = ztensor.{op} %a0, %a1 : ({ty}, {ttype(other)}) -> {ty}"
            c.add(f"{op}_{tag}", [x, y], line, [(ty, expected)], rtol=2e-5 if op == "pow" else 2e-6)
        x, y = c.data(shape), c.data(shape)
        y.flat[::5] = x.flat[::5]  # some equal pairs
        ty, bt = ttype(shape), ttype(shape, "i1")
        lines, results = [], []
        for i, (pred, rel) in enumerate(CMP.items()):
            lines.append(f'  %c{i} = ztensor.cmp "{pred}" %a0, %a1 : ({ty}, {ty}) -> {bt}')
            lines.append(f"  %r{i} = ztensor.select %c{i}, %a0, %a1 : ({bt}, {ty}, {ty}) -> {ty}")
            results.append((ty, np.where(rel(x, y), x, y).astype(np.float64)))
        c.add(f"cmp_select_{tag}", [x, y], "\n".join(lines), results)
    for tag, (m, k, n) in (("small", (5, 7, 6)), ("edge", (70, 40, 80))):
        a, b = c.data((m, k)), c.data((k, n))
        line = (
            f"  %r0 = ztensor.matmul %a0, %a1 : ({ttype((m, k))}, {ttype((k, n))}) -> "
            f"{ttype((m, n))}"
        )
        expected = a.astype(np.float64) @ b
        c.add(f"matmul_{tag}", [a, b], line, [(ttype((m, n)), expected)], rtol=1e-5, atol=1e-5)
    x3 = c.data((2, 3, 4))
    x2 = c.data((70, 40))
    c.add(
        "layout",
        [x3, x2],
        "\n".join(
            [
                f"  %r0 = ztensor.transpose %a0 {{permutation = array<i64: 2, 0, 1>}} : "
                f"{ttype((2, 3, 4))} -> {ttype((4, 2, 3))}",
                f"  %r1 = ztensor.transpose %a1 {{permutation = array<i64: 1, 0>}} : "
                f"{ttype((70, 40))} -> {ttype((40, 70))}",
                f"  %r2 = ztensor.reshape %a0 : {ttype((2, 3, 4))} -> {ttype((6, 4))}",
                f"  %r3 = ztensor.broadcast_to %a0 : {ttype((2, 3, 4))} -> {ttype((5, 2, 3, 4))}",
            ]
        ),
        [
            (ttype((4, 2, 3)), np.transpose(x3, (2, 0, 1)).astype(np.float64)),
            (ttype((40, 70)), x2.T.astype(np.float64)),
            (ttype((6, 4)), x3.reshape(6, 4).astype(np.float64)),
            (ttype((5, 2, 3, 4)), np.broadcast_to(x3, (5, 2, 3, 4)).astype(np.float64)),
        ],
    )
    for tag, shape in (("small", SMALL), ("edge", (3, 5000))):
        x = c.data(shape)
        x64 = x.astype(np.float64)
        ty = ttype(shape)
        lines, results = [], []
        specs: list[tuple[str, Callable[..., NDArray], tuple[int, ...], bool]] = [
            ("sum", np.sum, (1,), False),
            ("max", np.max, (0,), False),
            ("mean", np.mean, (1,), True),
            ("sum", np.sum, (0, 1), False),
        ]
        for i, (kind, ref, axes, keep) in enumerate(specs):
            expected = np.asarray(ref(x64, axis=axes, keepdims=keep))
            rt = ttype(expected.shape)
            attrs = (
                f"axes = array<i64: {', '.join(map(str, axes))}>, keepdims = {str(keep).lower()}"
            )
            lines.append(f"  %r{i} = ztensor.reduce_{kind} %a0 {{{attrs}}} : {ty} -> {rt}")
            results.append((rt, expected))
        c.add(f"reduce_{tag}", [x], "\n".join(lines), results, rtol=1e-5, atol=1e-5)
    for tag, shape in (("small", SMALL), ("edge", EDGE)):
        x = c.data(shape)
        x64 = x.astype(np.float64)
        ty = ttype(shape)
        e = np.exp(x64 - x64.max(axis=-1, keepdims=True))
        centered = x64 - x64.mean(axis=-1, keepdims=True)
        eps = float(np.float32(1e-5))
        norm = centered / np.sqrt((centered**2).mean(axis=-1, keepdims=True) + eps)
        body = (
            f"  %r0 = ztensor.softmax %a0 {{axis = -1 : i64}} : {ty}\n"
            f"  %r1 = ztensor.layernorm %a0 {{axis = -1 : i64, epsilon = 1.0e-05 : f32}} : {ty}"
        )
        results = [(ty, e / e.sum(axis=-1, keepdims=True)), (ty, norm)]
        c.add(f"normalize_{tag}", [x], body, results, rtol=1e-5, atol=1e-6)
    x = c.data(SMALL)
    ty = ttype(SMALL)
    body = (
        f"  %k = ztensor.constant dense<2.5> : {ty}\n"
        f"  %r0 = ztensor.mul %a0, %k : ({ty}, {ty}) -> {ty}"
    )
    c.add("constant_splat", [x], body, [(ty, x.astype(np.float64) * 2.5)])
    v = c.data((3,))
    body = (
        "  %k = ztensor.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>\n"
        "  %r0 = ztensor.add %a0, %k : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>\n"
        "  %r1 = ztensor.neg %k : tensor<3xf32>"
    )
    steps = np.arange(1.0, 4.0)
    c.add("constant_dense", [v], body, [("tensor<3xf32>", v + steps), ("tensor<3xf32>", -steps)])
    line = "  %r0 = ztensor.reshape %a0 : tensor<3xf32> -> tensor<3xf32>"
    c.add("identity", [v], line, [("tensor<3xf32>", v.astype(np.float64))])
    return c.cases


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
    src = tmp_path / "all.ptx"
    src.write_text(ptx)
    assert PTXAS is not None
    done = subprocess.run(
        [PTXAS, f"-arch={arch}", str(src), "-o", str(tmp_path / "all.cubin")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("case", CASES, ids=OP_NAMES)
def test_interpreted_kernels_match_numpy(case: Case) -> None:
    results = run_function(_lowered(), case.name, case.inputs)
    assert len(results) == len(case.expected)
    for i, (got, want) in enumerate(zip(results, case.expected, strict=True)):
        assert got.shape == want.shape, f"result {i}"
        np.testing.assert_allclose(got, want, rtol=case.rtol, atol=case.atol, err_msg=f"result {i}")


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
    registers): GPU kernels hold f32 only, and the error names the first cast's line."""
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
    assert "'ztile.cast' op ztile-to-nvvm supports f32 (and i1) data only" in str(err.value)


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
    assert PTXAS is not None
    checked = subprocess.run(
        [PTXAS, "-arch=sm_90", str(tmp_path / "mlp.ptx"), "-o", str(tmp_path / "mlp.cubin")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr

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
