"""One LLVM backend: `ziggurat-opt -t llvm` / `-t asm` print what the runtime compiles.

For the same input, the text `ziggurat-opt -p cpu-pipeline` prints with each LLVM target is
compared with what `zg.compile` hands the runtime and what the runtime makes of it:

- `-t llvm`: the LLVM IR given to the runtime (`Executable.llvm_ir`);
- `-t llvm{optimized=true}`: the optimized IR the object code is emitted from
  (`CompiledModule.llvm_ir()`);
- `-t asm`: the assembly of that module (`CompiledModule.asm()`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import ziggurat as zg
from ziggurat.runtime import ObjectCache, Target, assembly, compile_llvm_ir, optimized_ir

REPO = Path(__file__).resolve().parents[2]
MLP = REPO / "examples" / "mlp.mlir"

KERNEL = """func.func @f(%x: tensor<64x256xf32>, %b: tensor<256xf32>) -> tensor<64x256xf32> {
  %0 = ztensor.add %x, %b : (tensor<64x256xf32>, tensor<256xf32>) -> tensor<64x256xf32>
  %1 = ztensor.tanh %0 : tensor<64x256xf32>
  %2 = ztensor.mul %1, %x : (tensor<64x256xf32>, tensor<64x256xf32>) -> tensor<64x256xf32>
  func.return %2 : tensor<64x256xf32>
}
"""


def _script(name: str) -> str:
    # The session's fork-server clients (tests/pytest/conftest.py), else the installed one.
    local = Path(os.environ.get("ZIGGURAT_TEST_BIN") or Path(sys.executable).parent) / name
    found = str(local) if local.exists() else shutil.which(name)
    assert found is not None, f"{name} is not installed"
    return found


ZIGGURAT_OPT = _script("ziggurat-opt")


def opt_outputs(path: Path, pipeline: str, targets: list[str], env: dict[str, str]) -> list[str]:
    """stdout of `ziggurat-opt PATH -p PIPELINE -t T` for each target T (run concurrently)."""
    procs = [
        subprocess.Popen(
            [ZIGGURAT_OPT, str(path), "-p", pipeline, "-t", target],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **env},
        )
        for target in targets
    ]
    outputs = []
    for target, proc in zip(targets, procs, strict=True):
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"-t {target}: {err}"
        outputs.append(out)
    return outputs


def first_difference(a: str, b: str) -> str:
    for i, (x, y) in enumerate(zip(a.splitlines(), b.splitlines(), strict=False)):
        if x != y:
            return f"line {i + 1}: {x!r} != {y!r}"
    return f"one text is a prefix of the other ({len(a)} vs {len(b)} characters)"


def test_llvm_and_asm_targets_print_what_the_runtime_compiles_mlp() -> None:
    llvm, optimized, asm = opt_outputs(
        MLP, "cpu-pipeline", ["llvm", "llvm{optimized=true}", "asm"], {}
    )
    exe = zg.compile(MLP.read_text(), cache=False)
    assert llvm == exe.llvm_ir, first_difference(llvm, exe.llvm_ir)
    assert optimized == exe.compiled.llvm_ir(), first_difference(optimized, exe.compiled.llvm_ir())
    assert asm == exe.asm(), first_difference(asm, exe.asm())
    assert "target triple" not in llvm and "target triple" in optimized
    assert "mlp:" in asm


def test_targets_follow_the_default_target_and_recorded_opt_level(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "kernel.mlir"
    path.write_text(KERNEL)
    env = {"ZIGGURAT_TARGET": "avx2"}
    optimized, asm = opt_outputs(
        path, "cpu-pipeline{opt-level=1}", ["llvm{optimized=true}", "asm"], env
    )
    monkeypatch.setenv("ZIGGURAT_TARGET", "avx2")
    exe = zg.compile(KERNEL, opt_level=1, cache=False)
    assert exe.compiled.target == Target.avx2() and exe.compiled.opt_level == 1
    assert optimized == exe.compiled.llvm_ir(), first_difference(optimized, exe.compiled.llvm_ir())
    assert asm == exe.asm(), first_difference(asm, exe.asm())
    assert "ymm" in asm and "zmm" not in asm
    # O1 and O3 code differ: the recorded level is the one compiled.
    assert asm != zg.compile(KERNEL, opt_level=3, cache=False).asm()


def test_runtime_inspection_is_the_same_cold_and_warm(tmp_path: Path) -> None:
    # Code generation changes the module it emits: a freshly compiled module must show the
    # same optimized IR and assembly as one loaded from the cache, every time it is asked.
    ir_text = zg.compile(KERNEL, cache=False).llvm_ir
    signatures = zg.signatures(zg.parse_module(KERNEL))
    cache = ObjectCache(tmp_path)
    cold = compile_llvm_ir(ir_text, signatures, cache=cache)
    warm = compile_llvm_ir(ir_text, signatures, cache=cache)
    assert not cold.from_cache and warm.from_cache
    asm, optimized = cold.asm(), cold.llvm_ir()
    assert cold.asm() == asm and cold.llvm_ir() == optimized
    assert warm.asm() == asm and warm.llvm_ir() == optimized
    assert asm == assembly(ir_text) and optimized == optimized_ir(ir_text)
