"""`ziggurat-run`: compile a .mlir file with the default pipeline and run a function on numpy data.

```
ziggurat-run FILE.mlir [--entry NAME] [--input a.npy ...] [--seed S] [--check] [--bench N]
             [--threads T] [-o out.npy] [--opt-level L] [--target host|avx2|avx512]
             [-p PIPELINE | --no-eqsat] [--load-plugin FILE.py]
```

Inputs come from .npy files (one per argument, in order) or are seeded random normals
(integer arguments: nonzero integers in [-8, 8]).
`--check` runs the same function with the reference interpreter and exits 1 on a mismatch
(for a function that writes its memref arguments in place, it compares those arguments).
Errors are one located message on stderr (`FILE:LINE:COL: error: ...`, or
`ziggurat-run: error: ...`) and a non-zero exit, never a traceback: 1 for errors in the
input, 2 for command-line errors, 3 for internal errors (bugs; `--traceback` shows where).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np

if TYPE_CHECKING:
    from ziggurat.diagnostics import Diagnostic

Array = np.ndarray[Any, Any]

PROG = "ziggurat-run"

EXIT_INPUT_ERROR = 1
EXIT_USAGE_ERROR = 2
EXIT_INTERNAL_ERROR = 3


class RunError(Exception):
    """A user-facing error: printed as one line, exit status 1 (or `code`)."""

    def __init__(self, message: str, code: int = EXIT_INPUT_ERROR):
        super().__init__(message)
        self.code = code


class Located(Exception):
    """Located diagnostics to print as they are (exit status 1)."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("\n".join(d.format() for d in diagnostics))
        self.diagnostics = diagnostics


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _tolerance(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Compile FILE.mlir with the default pipeline and run a function on it.",
        epilog="Exit codes: 0 success, 1 errors in the input or a failed check, 2 command-line "
        "errors, 3 internal errors. Documentation: docs/cli.md",
    )
    p.add_argument("file", help="the .mlir file")
    p.add_argument("--entry", help="function to run (default: the only public function)")
    p.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="NPY",
        help="an input .npy (repeat, in order)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed for random inputs (default 0)")
    p.add_argument("--check", action="store_true", help="compare with the reference interpreter")
    p.add_argument(
        "--bench", type=_count, default=0, metavar="N", help="time N runs, print median/min"
    )
    p.add_argument("--threads", type=_positive, default=None, help="threads for parallel loops")
    p.add_argument("-o", "--output", help="write the result to a .npy (several results: .npz)")
    p.add_argument(
        "--opt-level", type=int, default=3, choices=range(4), help="LLVM optimization level"
    )
    p.add_argument("--target", default=None, choices=["host", "avx2", "avx512"], help="CPU target")
    p.add_argument(
        "--device",
        default="cpu",
        choices=["cpu", "cuda"],
        help="run on the CPU (default) or on the first CUDA GPU (gpu-pipeline for its arch; "
        "needs the 'gpu' extra, a driver and a GPU)",
    )
    p.add_argument(
        "-p",
        "--passes",
        default=None,
        metavar="PIPELINE",
        help="compile with this pass pipeline instead of the default one; it must lower to "
        "the llvm dialect, i.e. end with cpu-pipeline (e.g. 'my-pass,cpu-pipeline')",
    )
    p.add_argument(
        "--no-eqsat",
        action="store_true",
        help="leave equality saturation out of the default pipeline (cpu-pipeline{eqsat=false})",
    )
    p.add_argument(
        "--autotune",
        action="store_true",
        help="time the kernels of a few profiled runs, refit eqsat's cost model of this CPU "
        "from every time logged in the cache, and run the program compiled under it "
        "(ziggurat.autotune; the default pipeline on the host only)",
    )
    p.add_argument(
        "--load-plugin",
        action="append",
        default=[],
        metavar="FILE.py",
        help="import a .py file that registers passes with @register_pass (repeatable; "
        "also $ZIGGURAT_PLUGINS)",
    )
    p.add_argument(
        "--rtol",
        type=_tolerance,
        default=1e-4,
        help="relative tolerance of --check (at least 2 ulps for f16/bf16 results)",
    )
    p.add_argument("--atol", type=_tolerance, default=1e-5, help="absolute tolerance of --check")
    p.add_argument(
        "--traceback",
        action="store_true",
        help="show the Python traceback of internal errors (for debugging)",
    )
    return p


def _format_bytes(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if size < 1024 or unit == "PiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def _memory_bytes() -> int | None:
    """The machine's physical memory, if the OS says."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def _nbytes(spec: Any) -> int:
    return int(math.prod(spec.shape)) * int(spec.dtype.itemsize)


def _check_memory(specs: list[Any], fail: Any) -> None:
    """Reject, before allocating anything, arguments and results that cannot fit in memory
    (inputs are held twice: the data and the copy each call gets)."""
    memory = _memory_bytes()
    if memory is None:
        return
    need = 0
    for s in specs:
        size = _nbytes(s)
        need += 2 * size if s.role != "out" else size
        if size > memory:
            label = s.name.replace("arg", "argument #").replace("result", "result #")
            raise fail(
                f"{label} ({s.dtype}{list(s.shape)}) needs {_format_bytes(size)}, more "
                f"than this machine's {_format_bytes(memory)} of memory"
            )
    if need > memory:
        raise fail(
            f"the arguments and results need {_format_bytes(need)} in all, more than this "
            f"machine's {_format_bytes(memory)} of memory"
        )


def _load_inputs(paths: list[str], specs: list[Any], entry: str) -> list[Array]:
    if len(paths) != len(specs):
        raise RunError(f"@{entry} takes {len(specs)} inputs, got {len(paths)} --input files")
    arrays = []
    for i, (path, spec) in enumerate(zip(paths, specs, strict=True)):
        try:
            array = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            raise RunError(f"{path}: no such file") from None
        except MemoryError:
            raise RunError(f"{path}: too large to load into memory") from None
        except (OSError, ValueError, EOFError) as e:
            raise RunError(f"{path}: not a readable .npy file ({e})") from None
        if not isinstance(array, np.ndarray):
            raise RunError(f"{path}: not a .npy file (an .npz archive?)")
        if spec.dtype.name == "bfloat16" and array.dtype == np.dtype("V2"):
            # numpy saves an ml_dtypes.bfloat16 array as raw 2-byte records ('|V2')
            array = array.view(spec.dtype)
        if array.shape != spec.shape or array.dtype != spec.dtype:
            raise RunError(
                f"{path}: input {i} of @{entry} must be {spec.dtype}{list(spec.shape)}, "
                f"got {array.dtype}{list(array.shape)}"
            )
        arrays.append(np.ascontiguousarray(array))
    return arrays


def _random_input(rng: np.random.Generator, spec: Any) -> Array:
    if spec.dtype == np.bool_:
        return rng.random(spec.shape) < 0.5
    if spec.dtype.kind == "i":
        # Nonzero integers in [-8, 8] (no division by zero in integer bodies).
        magnitude = rng.integers(1, 9, spec.shape)
        return (magnitude * rng.choice([-1, 1], spec.shape)).astype(spec.dtype)
    if spec.dtype.itemsize == 2:  # f16, bf16: numpy draws f32 or f64 only
        return rng.standard_normal(spec.shape, dtype=np.float32).astype(spec.dtype)
    return rng.standard_normal(spec.shape, dtype=spec.dtype)


def _random_inputs(specs: list[Any], seed: int) -> list[Array]:
    """Standard normal floats; booleans (i1 arguments) true or false with equal odds;
    integers (linalg on integer tensors) nonzero in [-8, 8]."""
    rng = np.random.default_rng(seed)
    return [_random_input(rng, s) for s in specs]


def _check_output_path(path: str, results: int) -> None:
    """Fail before compiling if `-o` cannot be written."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise RunError(f"cannot write '{path}': no such directory '{folder}'")
    if not os.access(folder, os.W_OK):
        raise RunError(f"cannot write '{path}': directory '{folder}' is not writable")
    if os.path.isdir(path):
        raise RunError(f"cannot write '{path}': it is a directory")
    if results > 1 and not path.endswith(".npz"):
        raise RunError(f"the function has {results} results: write them to a .npz file, not {path}")


def _save(path: str, results: list[Array]) -> None:
    try:
        if path.endswith(".npz"):
            np.savez(path, *results)
        else:
            np.save(path, results[0])
    except OSError as e:
        raise RunError(f"cannot write '{path}': {e.strerror or e}") from None


def _same_specials(got: Array, want: Array) -> bool:
    """NaN in the same places, and the same infinities (with their signs)."""
    nan_got, nan_want = np.isnan(got), np.isnan(want)
    inf_got, inf_want = np.isinf(got), np.isinf(want)
    return bool(
        np.array_equal(nan_got, nan_want)
        and np.array_equal(inf_got, inf_want)
        and np.array_equal(got[inf_got], want[inf_want])
    )


NARROW_RTOL = 2.0**-9
"""The least relative tolerance of `--check` on f16 and bf16 results: two ulps of f16 (the
compiled f32 polynomials and numpy's f32 functions may round a value to neighbours); bf16,
with 8 bits, gets 4 times as much (`_rtol_for`)."""


def _rtol_for(dtype: np.dtype[Any], rtol: float) -> float:
    """`rtol`, raised to two ulps of a 16-bit float result type."""
    if dtype == np.float16:
        return max(rtol, NARROW_RTOL)
    if dtype.name == "bfloat16":
        return max(rtol, 4 * NARROW_RTOL)
    return rtol


def _check(results: list[Array], expected: list[Array], rtol: float, atol: float) -> float:
    worst = 0.0
    for i, (got, want) in enumerate(zip(results, expected, strict=True)):
        want = np.asarray(want)
        if got.dtype.itemsize == 2 and got.dtype.kind != "i":  # f16, bf16: compare as f64
            rtol_i = _rtol_for(got.dtype, rtol)
            got, want = got.astype(np.float64), want.astype(np.float64)
        else:
            rtol_i = rtol
        if got.shape == want.shape and not _same_specials(got, want):
            raise RunError(
                f"check failed: result {i} differs from the reference interpreter "
                "(NaN or infinity in different places)"
            )
        finite_want = want[np.isfinite(want)] if got.shape == want.shape else want
        scale = max(1.0, float(np.max(np.abs(finite_want), initial=0.0)))
        if got.shape != want.shape or not np.allclose(
            got, want, rtol=rtol_i, atol=atol * scale, equal_nan=True
        ):
            with np.errstate(invalid="ignore"):
                diff = (
                    np.abs(got.astype(np.float64) - want.astype(np.float64))
                    if got.shape == want.shape
                    else None
                )
            detail = (
                f"max abs error {np.nanmax(diff):.3g}"
                if diff is not None
                else f"shape {got.shape} != {want.shape}"
            )
            raise RunError(
                f"check failed: result {i} differs from the reference interpreter ({detail})"
            )
        finite = np.isfinite(want) & np.isfinite(got)
        if finite.any():
            worst = max(worst, float(np.max(np.abs(got[finite].astype(np.float64) - want[finite]))))
    return worst


def _pipeline(args: argparse.Namespace, opt_level: int, target: Any) -> str | None:
    """The pipeline string to compile with (None: zg.compile's default)."""
    from ziggurat.artifacts import default_spec
    from ziggurat.runtime import Target

    if args.passes is not None:
        if args.no_eqsat:
            raise RunError(
                "--no-eqsat changes the default pipeline; with -p, write "
                "cpu-pipeline{eqsat=false} in the pipeline instead",
                EXIT_USAGE_ERROR,
            )
        return str(args.passes)
    if args.no_eqsat:
        return default_spec(opt_level, target or Target.default(), eqsat=False)
    return None


def _autotuned(
    source: str, filename: str, entry: str, args: argparse.Namespace, inputs: list[Array]
) -> Any:
    """The autotuned function `entry` (`ziggurat.autotune.Tuner`), run on copies of `inputs`
    until it is tuned; prints what was timed and the model it was compiled under."""
    import hashlib

    from ziggurat import driver
    from ziggurat.artifacts import default_spec
    from ziggurat.autotune import Tuner, autotune_stats, compile_profiled, tuned_spec
    from ziggurat.runtime import Target

    eqsat = not args.no_eqsat

    def profiled() -> tuple[Any, list[dict[str, Any]]]:
        exe, kernels = compile_profiled(
            driver.parse_module(source, filename), entry, args.opt_level, eqsat, (), args.threads
        )
        return exe.function(entry), kernels

    def tuned() -> Any:
        spec = tuned_spec(args.opt_level, eqsat, (), args.threads)
        exe = driver.compile(
            source, pipeline=spec, opt_level=args.opt_level, entry=entry, filename=filename
        )
        return exe.function(entry)

    untuned = default_spec(args.opt_level, Target.default(), eqsat)
    key = f"source:{hashlib.sha256(source.encode()).hexdigest()}|{entry}|{untuned}"
    tuner = Tuner(key, args.threads, profiled, tuned, entry)
    runs = 0
    while not tuner.tuned:
        tuner(*[a.copy() for a in inputs], threads=args.threads)
        runs += 1
    stats = autotune_stats(args.threads)
    r2 = stats["r2"]
    fit = f"R^2 {r2:.3f} on log time" if r2 is not None else "R^2 undefined: under 2 samples"
    timed = (
        f"timed {len(tuner.kernels)} kernel(s) over {runs} profiled runs"
        if runs
        else "already profiled"
    )
    print(
        f"autotune: {timed}; model refit {stats['refits']} time(s) from {stats['samples']} "
        f"sample(s) ({fit}) in {stats['folder']}; compiled under it"
    )
    return tuner


def run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.device == "cuda":
        for flag, given in (
            ("--target", args.target is not None),
            ("--threads", args.threads is not None),
            ("--no-eqsat", args.no_eqsat),
        ):
            if given:
                raise RunError(
                    f"{flag} applies to --device cpu only (on cuda, give the pipeline with -p, "
                    "e.g. -p 'gpu-pipeline{arch=sm_90 eqsat=false}')",
                    EXIT_USAGE_ERROR,
                )
    if args.autotune:
        for flag, given in (
            ("--device cuda", args.device != "cpu"),
            ("-p", args.passes is not None),
            ("--target", args.target not in (None, "host")),
        ):
            if given:
                raise RunError(
                    f"--autotune compiles the default pipeline for the host; it cannot be "
                    f"combined with {flag}",
                    EXIT_USAGE_ERROR,
                )
    from xdsl.dialects import func

    from ziggurat import driver as zg
    from ziggurat.diagnostics import DiagnosticError, SourceBuffer, op_diagnostic
    from ziggurat.errors import PipelineError, ZigguratError
    from ziggurat.runtime import Target
    from ziggurat.tools.opt import with_source
    from ziggurat.universe import PluginError, load_plugins

    try:
        load_plugins(args.load_plugin)
    except PluginError as e:
        raise RunError(str(e), EXIT_USAGE_ERROR) from None
    target = Target.named(args.target) if args.target else None
    spec = _pipeline(args, args.opt_level, target) if args.device == "cpu" else args.passes
    if spec is not None:
        try:
            zg.parse_pipeline(spec)
        except PipelineError as e:
            raise RunError(str(e), EXIT_USAGE_ERROR) from None

    path = Path(args.file)
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise RunError(f"{path}: no such file") from None
    except OSError as e:
        raise RunError(f"{path}: cannot read ({e.strerror})") from None
    try:
        source = text.decode()
    except UnicodeDecodeError:
        raise RunError(f"{path}: not a text file (invalid UTF-8)") from None
    buffer = SourceBuffer(str(path), source)

    def located(error: DiagnosticError) -> Located:
        return Located(with_source(error.diagnostics, buffer))

    try:
        module = zg.parse_module(source, str(path))
        signatures = zg.signatures(module)
    except DiagnosticError as e:
        raise located(e) from None
    if not signatures:
        raise RunError(f"{path}: no public function to run")
    entry = args.entry
    if entry is None:
        if len(signatures) != 1:
            raise RunError(
                f"{path}: several public functions ({', '.join(sorted(signatures))}): pick one with --entry"
            )
        entry = next(iter(signatures))
    if entry not in signatures:
        raise RunError(
            f"{path}: no public function @{entry} (functions: {', '.join(sorted(signatures))})"
        )
    function = next(
        op for op in module.ops if isinstance(op, func.FuncOp) and op.sym_name.data == entry
    )
    specs = [s for s in signatures[entry] if s.role != "out"]
    outs = [s for s in signatures[entry] if s.role == "out"]
    inout = [i for i, s in enumerate(specs) if s.role == "inout"]

    def at_function(message: str) -> Located:
        return Located([op_diagnostic(function, message, buffer)])

    _check_memory(list(signatures[entry]), at_function)
    if args.output:
        _check_output_path(args.output, len(outs) if outs else len(inout))
    try:
        inputs = (
            _load_inputs(args.input, specs, entry)
            if args.input
            else _random_inputs(specs, args.seed)
        )
    except MemoryError:
        raise at_function("not enough memory for the inputs") from None

    try:
        if args.device == "cuda":
            gpu_exe = zg.compile(
                source, pipeline=spec, entry=entry, filename=str(path), device="cuda"
            )

            def call(*arrays: Array) -> Any:
                return gpu_exe(*arrays)
        elif args.autotune:
            if not outs and inout:
                raise RunError(
                    f"--autotune times ztensor kernels; @{entry} works on memrefs in place "
                    "(it has no kernels to time)"
                )
            tuned = _autotuned(source, str(path), entry, args, inputs)

            def call(*arrays: Array) -> Any:
                return tuned(*arrays, threads=args.threads)
        else:
            exe = zg.compile(
                source,
                pipeline=spec,
                opt_level=args.opt_level,
                target=target,
                entry=entry,
                filename=str(path),
            )

            def call(*arrays: Array) -> Any:
                return exe(*arrays, threads=args.threads)
    except DiagnosticError as e:
        raise located(e) from None
    except ZigguratError as e:
        raise RunError(str(e)) from None
    try:
        call_args = [a.copy() for a in inputs]
        out = call(*call_args)
    except MemoryError:
        raise at_function("not enough memory to run it") from None
    if out is None:
        results = [call_args[i] for i in inout]
        if inout:
            print(f"@{entry} returns nothing; it updated its memref arguments in place:")
        else:
            print(f"@{entry} returns nothing and has no memref arguments")
        for i in inout:
            print(f"argument {i}: {call_args[i].dtype}{list(call_args[i].shape)}")
    else:
        results = list(out) if isinstance(out, tuple) else [out]
        for i, r in enumerate(results):
            print(f"result {i}: {r.dtype}{list(r.shape)}")
    if args.check:
        if out is None and not inout:
            raise RunError(
                f"cannot --check @{entry}: it has no results and no memref arguments, so there "
                "is nothing to compare"
            )
        try:
            reference_args = [a.copy() for a in inputs]
            expected = zg.run_reference(module, entry, reference_args)
            if out is None:
                expected = tuple(reference_args[i] for i in inout)
            worst = _check(results, [np.asarray(e) for e in expected], args.rtol, args.atol)
        except MemoryError:
            raise at_function("not enough memory to run the reference interpreter") from None
        print(f"check: OK, matches the reference interpreter (max abs error {worst:.3g})")
    if args.bench > 0:
        times = []
        for _ in range(args.bench):
            t0 = time.perf_counter()
            call(*inputs)
            times.append(time.perf_counter() - t0)
        print(
            f"bench: {args.bench} runs, median {statistics.median(times) * 1e3:.3f} ms, "
            f"min {min(times) * 1e3:.3f} ms"
        )
    if args.output:
        if not results:
            raise RunError(f"@{entry} has no results and no memref arguments: nothing to write")
        _save(args.output, results)
    return 0


def _error(message: str) -> None:
    sys.stderr.write(f"{PROG}: error: {message}\n")


def main(argv: list[str] | None = None) -> NoReturn:
    from ziggurat.errors import ZigguratError
    from ziggurat.runtime import ZigguratCallError

    arguments = sys.argv[1:] if argv is None else argv
    try:
        code = run(arguments)
    except RunError as e:
        _error(str(e))
        code = e.code
    except Located as e:
        sys.stderr.write(str(e).rstrip() + "\n")
        code = EXIT_INPUT_ERROR
    except (ZigguratError, ZigguratCallError) as e:
        _error(str(e))
        code = EXIT_INPUT_ERROR
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    except Exception as e:
        if "--traceback" in arguments:
            traceback.print_exception(e, file=sys.stderr)
        first = str(e).splitlines()[0] if str(e) else ""
        sys.stderr.write(f"{PROG}: internal error: {type(e).__name__}: {first}\n")
        if "--traceback" not in arguments:
            sys.stderr.write(f"{PROG}: note: this is a bug; rerun with --traceback to see where\n")
        code = EXIT_INTERNAL_ERROR
    sys.exit(code)
