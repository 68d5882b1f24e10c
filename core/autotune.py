"""Autotuning: eqsat's cost model refit from the times of the kernels `zg.jit` runs.

`zg.jit(f, autotune=True)` compiles each new specialization with profiling marks around its
kernels (`cpu-pipeline{profile=true}`: `ztensor-to-ztile` brackets each kernel and describes
it) and runs the first `WARMUP_CALLS + TIMED_CALLS` calls of it that way. The runtime records
the marks (`runtime/profile.py`); the median time of each kernel over the timed calls is one
*sample*, appended with the kernel's description to `samples.jsonl` in this CPU's folder of
the cache (`<cache>/autotune/<cpu and thread count>/`). Then the model is refit from every
sample there (`passes/eqsat/calibration.py`: one weight per node class on the roofline, least
squares on log time), written to `model.json` and to a copy named by its content, and the
specialization is compiled again with `cpu-pipeline{calibration=<that copy>}`: eqsat extracts
under the refit model, and the calls from then on run that program. Every later compile with
`autotune=True` on this CPU uses the newest model, and a program profiled once (the same
traced program and options, on this CPU and thread count) is not profiled again: it is
compiled under the newest model at once.

`Tuner` is the state machine (profiled calls, samples, refit, the tuned program),
`compile_profiled` the profiled compile and `tuned_spec` the pipeline under the newest model;
`CompiledBackend` (`zg.jit`) and `ziggurat-run --autotune` build on them.

Timing needs kernels of more than a few microseconds (a mark is a ctypes callback). The
profiled calls return the same results as the tuned ones would, only slower by the marks.
With the cache off (`ZIGGURAT_NO_CACHE=1`) the samples and model live in a temporary folder
for the process. `autotune_stats()` reports samples, refits and the fit's R^2.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ziggurat.artifacts import Executable, default_spec
from ziggurat.runtime import Target, get_num_threads
from ziggurat.runtime.cache import cache_enabled, default_cache_dir, make_private_dirs

if TYPE_CHECKING:
    from xdsl.dialects.builtin import ModuleOp

WARMUP_CALLS = 2
"""Profiled calls that are not timed (the first runs: page faults, the pool's decisions)."""
TIMED_CALLS = 3
"""Profiled calls whose kernel times are kept (their median per kernel is the sample)."""
MAX_SAMPLES = 20000
"""The newest samples a refit reads."""

_LOCK = threading.Lock()
_TEMP: dict[str, Path] = {}


def folder(threads: int | None = None) -> Path:
    """The folder of this CPU's samples and model for `threads` threads (None: the current
    default count): in the cache folder, or a temporary one when caching is off."""
    count = threads or get_num_threads()
    name = hashlib.sha256(f"{Target.default().key}|threads={count}".encode()).hexdigest()[:16]
    if cache_enabled():
        path = default_cache_dir() / "autotune" / name
    else:
        root = _TEMP.get("root")
        if root is None:
            root = _TEMP.setdefault("root", Path(tempfile.mkdtemp(prefix="ziggurat-autotune-")))
        path = root / name
    make_private_dirs(path)
    return path


def model_path(threads: int | None = None) -> str:
    """The content-named copy of the current model for `threads` ("" when none was fit)."""
    where = folder(threads)
    try:
        model = json.loads((where / "model.json").read_text())
    except (OSError, json.JSONDecodeError):
        return ""
    name = model.get("file") if isinstance(model, dict) else None
    if not isinstance(name, str) or not (where / name).is_file():
        return ""
    return str(where / name)


def _samples(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return []
    out = []
    for line in lines[-MAX_SAMPLES:]:
        try:
            sample = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short by a process that died while writing
        if isinstance(sample, dict) and "kernel" in sample and "seconds" in sample:
            out.append(sample)
    return out


def refit(threads: int | None = None) -> dict[str, Any]:
    """Fit the model from every logged sample of this CPU and thread count, write it, and
    return it (the object `model.json` holds)."""
    from ziggurat.passes.eqsat import calibration
    from ziggurat.passes.eqsat.cost import Hardware, RooflineCostModel

    where = folder(threads)
    with _LOCK:
        hardware = Hardware.detect()
        base = RooflineCostModel(hardware)
        rows = [
            (calibration.class_prices(s["kernel"], base), float(s["seconds"]))
            for s in _samples(where / "samples.jsonl")
        ]
        result = calibration.fit(rows)
        try:
            previous = json.loads((where / "model.json").read_text()).get("refits", 0)
        except (OSError, json.JSONDecodeError, AttributeError):
            previous = 0
        model = calibration.model_dict(result, hardware.to_dict(), int(previous) + 1)
        text = json.dumps(model["weights"], sort_keys=True)
        name = f"model-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"
        calibration.write_model(where / name, model)
        model["file"] = name
        calibration.write_model(where / "model.json", model)
        return model


def log_samples(samples: list[dict[str, Any]], threads: int | None = None) -> None:
    """Append samples (one JSON line each) to this CPU's log."""
    text = "".join(json.dumps(s, sort_keys=True) + "\n" for s in samples)
    with _LOCK:
        fd = os.open(
            folder(threads) / "samples.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600
        )
        try:
            os.write(fd, text.encode())
        finally:
            os.close(fd)


def _program_marker(key: str, threads: int | None) -> Path:
    return folder(threads) / "programs" / hashlib.sha256(key.encode()).hexdigest()[:32]


def autotune_stats(threads: int | None = None) -> dict[str, Any]:
    """What autotuning has measured on this CPU for `threads` threads (None: the default
    count): `samples` logged, `refits` made, the last fit's `r2` (log time under the refit
    weights) and `r2_before` (under the untuned roofline), its `weights` per node class, the
    number of `programs` profiled, and the `folder` holding it all."""
    where = folder(threads)
    try:
        model = json.loads((where / "model.json").read_text())
    except (OSError, json.JSONDecodeError):
        model = {}
    programs = where / "programs"
    return {
        "folder": str(where),
        "persistent": cache_enabled(),
        "samples": len(_samples(where / "samples.jsonl")),
        "refits": int(model.get("refits", 0)),
        "r2": model.get("r2"),
        "r2_before": model.get("r2_before"),
        "weights": dict(model.get("weights", {})),
        "model": model_path(threads) or None,
        "programs": len(list(programs.iterdir())) if programs.is_dir() else 0,
    }


Call = Callable[..., Any]


class Tuner:
    """One program under autotuning: its profiled calls, then the tuned program.

    `profiled()` compiles the program with profiling marks and returns (the callable,
    the kernels' descriptions); `tuned()` compiles it under the newest model (read when it is
    called) and returns the callable. `key` names the program and its options (not the
    model): a program whose key was tuned before on this CPU and thread count is compiled by
    `tuned()` at once. Calls take and return what the callables do; calls from several
    threads are counted once each, and the tuning runs once.
    """

    def __init__(
        self,
        key: str,
        threads: int | None,
        profiled: Callable[[], tuple[Call, list[dict[str, Any]]]],
        tuned: Callable[[], Call],
        function: str,
    ) -> None:
        self.threads = threads
        self.function = function
        self.calls = 0
        self.times: list[dict[int, int]] = []
        self.kernels: list[dict[str, Any]] = []
        self._compile_tuned = tuned
        self._lock = threading.Lock()
        self.marker = _program_marker(key, threads)
        self.tuned = self.marker.exists()
        self.current: Call
        if self.tuned:
            self.current = tuned()
        else:
            self.current, self.kernels = profiled()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.tuned:
            return self.current(*args, **kwargs)
        from ziggurat.runtime import profile

        with profile.recording() as marks:
            result = self.current(*args, **kwargs)
        with self._lock:
            if self.tuned:  # another thread tuned it meanwhile
                return result
            self.calls += 1
            if self.calls > WARMUP_CALLS:
                self.times.append(profile.kernel_times(marks))
            if self.calls >= WARMUP_CALLS + TIMED_CALLS:
                self._tune()
        return result

    def _tune(self) -> None:
        samples = []
        for index, kernel in enumerate(self.kernels):
            observed = [t[index] for t in self.times if index in t]
            if len(observed) == len(self.times):
                seconds = statistics.median(observed) * 1e-9
                samples.append({"kernel": kernel, "seconds": seconds, "function": self.function})
        if samples:
            log_samples(samples, self.threads)
        refit(self.threads)
        self.marker.parent.mkdir(parents=True, exist_ok=True)
        self.marker.touch()
        self.current = self._compile_tuned()
        self.tuned = True


def compile_profiled(
    module: ModuleOp,
    func_name: str,
    opt_level: int = 3,
    eqsat: bool = True,
    fast_math: tuple[str, ...] = (),
    threads: int | None = None,
) -> tuple[Executable, list[dict[str, Any]]]:
    """`module` (modified) compiled for the host with every kernel between profiling marks,
    and the kernels' descriptions (`lowering/kernel_profile.py`) of `func_name`: the stages of
    `cpu-pipeline{profile=true}` up to `ztensor-to-ztile`, under the newest model, then the
    rest of the default pipeline."""
    from xdsl.dialects import func
    from xdsl.dialects.builtin import StringAttr

    from ziggurat.cpu_pipeline import CpuPipelinePass
    from ziggurat.driver import compile_cpu, parse_pipeline, run_pipeline
    from ziggurat.lowering.kernel_profile import KERNELS_ATTR

    target = Target.default()
    stages = CpuPipelinePass(
        opt_level=opt_level,
        vector_width=target.vector_width(),
        eqsat=eqsat,
        fast_math=fast_math,
        calibration=model_path(threads),
        profile=True,
    ).stages()
    names = [name for name, _ in stages]
    front = ",".join(spec for _, spec in stages[: names.index("ztile") + 1])
    run_pipeline(parse_pipeline(front), module)
    kernels: list[dict[str, Any]] = []
    for f in module.ops:
        if isinstance(f, func.FuncOp) and f.sym_name.data == func_name:
            attr = f.attributes.get(KERNELS_ATTR)
            if isinstance(attr, StringAttr):
                kernels = json.loads(attr.data)
    spec = default_spec(opt_level, target, eqsat=False)
    exe = compile_cpu(module, spec, opt_level, target, threads=threads, entry=func_name)
    return exe, kernels


def tuned_spec(
    opt_level: int = 3,
    eqsat: bool = True,
    fast_math: tuple[str, ...] = (),
    threads: int | None = None,
) -> str:
    """The default pipeline for the host, pricing with the newest model of this CPU and
    thread count (the plain default pipeline while none was fit)."""
    return default_spec(opt_level, Target.default(), eqsat, fast_math, model_path(threads))


__all__ = [
    "TIMED_CALLS",
    "WARMUP_CALLS",
    "Tuner",
    "autotune_stats",
    "compile_profiled",
    "folder",
    "log_samples",
    "model_path",
    "refit",
    "tuned_spec",
]
