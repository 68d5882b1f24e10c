"""PTX and cubin from the kernels of `ztile-to-nvvm`: LLVM's NVPTX backend (llvmlite) and
`ptxas`.

`ptx_of(llvm_ir, arch)` sets the triple `nvptx64-nvidia-cuda` and NVPTX's data layout, runs
LLVM's O3 pipeline and emits PTX for `arch` (FACTS: without a cpu LLVM emits sm_30 PTX that
ptxas 13 rejects, so an arch of sm_80 or newer is required). `cubin_of(ptx, arch)` runs
`ptxas` (found on PATH, or `$ZIGGURAT_PTXAS`); `ptxas_path()` says whether there is one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from llvmlite import binding as llvm

from ziggurat.errors import CompileError

TRIPLE = "nvptx64-nvidia-cuda"
_lock = threading.Lock()
_machines: dict[str, llvm.TargetMachine] = {}


class PtxError(CompileError):
    """LLVM could not emit PTX, ptxas is missing, or ptxas rejected the PTX."""


def _machine(arch: str) -> llvm.TargetMachine:
    with _lock:
        machine = _machines.get(arch)
        if machine is None:
            llvm.initialize_all_targets()
            llvm.initialize_all_asmprinters()
            machine = llvm.Target.from_triple(TRIPLE).create_target_machine(cpu=arch, opt=3)
            _machines[arch] = machine
        return machine


def ptx_of(llvm_ir: str, arch: str = "sm_80") -> str:
    """The PTX of `llvm_ir` (kernels with the `ptx_kernel` calling convention) for `arch`."""
    if not arch.startswith("sm_") or not arch[3:].isdigit() or int(arch[3:]) < 80:
        raise PtxError(f"PTX is emitted for sm_80 or newer, got '{arch}'")
    machine = _machine(arch)
    try:
        module = llvm.parse_assembly(llvm_ir)
        module.triple = TRIPLE
        module.data_layout = str(machine.target_data)
        module.verify()
    except RuntimeError as err:
        raise PtxError(f"the kernels' LLVM IR is invalid: {err}") from err
    with _lock:
        options = llvm.create_pipeline_tuning_options(speed_level=3)
        with options, llvm.create_pass_builder(machine, options) as builder:
            builder.getModulePassManager().run(module, builder)
        return str(machine.emit_assembly(module))


def ptxas_path() -> str | None:
    """The ptxas executable: `$ZIGGURAT_PTXAS`, else the one on PATH, else None."""
    given = os.environ.get("ZIGGURAT_PTXAS")
    if given:
        return given if Path(given).is_file() else None
    return shutil.which("ptxas")


def cubin_of(ptx: str, arch: str = "sm_80") -> bytes:
    """Assemble `ptx` for `arch` with ptxas; `PtxError` with ptxas's message if it fails."""
    exe = ptxas_path()
    if exe is None:
        raise PtxError(
            "ptxas was not found (install the CUDA toolkit, put ptxas on PATH or set "
            "$ZIGGURAT_PTXAS)"
        )
    with tempfile.TemporaryDirectory(prefix="zg-ptx-") as tmp:
        src, out = Path(tmp) / "kernels.ptx", Path(tmp) / "kernels.cubin"
        src.write_text(ptx)
        done = subprocess.run(
            [exe, f"-arch={arch}", str(src), "-o", str(out)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise PtxError(f"ptxas -arch={arch} rejected the PTX:\n{done.stderr.strip()}")
        return out.read_bytes()


__all__ = ["TRIPLE", "PtxError", "cubin_of", "ptx_of", "ptxas_path"]
