"""`ziggurat-run`: compile a .mlir file with the default pipeline and run a function on numpy data.

```
ziggurat-run FILE.mlir [--entry NAME] [--input a.npy ...] [--seed S] [--check] [--bench N]
             [--threads T] [-o out.npy] [--opt-level L] [--target host|avx2|avx512]
```

Inputs come from .npy files (one per argument, in order) or are seeded random normals.
`--check` runs the same function with the reference interpreter and exits 1 on a mismatch.
Errors are one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

Array = np.ndarray[Any, Any]


class RunError(Exception):
    """A user-facing error: printed as one line, exit status 1 (2 for usage)."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ziggurat-run",
        description="Compile FILE.mlir with the default pipeline and run a function on it.",
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
        "--bench", type=int, default=0, metavar="N", help="time N runs, print median/min"
    )
    p.add_argument("--threads", type=int, default=None, help="threads for parallel loops")
    p.add_argument("-o", "--output", help="write the result to a .npy (several results: .npz)")
    p.add_argument(
        "--opt-level", type=int, default=3, choices=range(4), help="LLVM optimization level"
    )
    p.add_argument("--target", default=None, choices=["host", "avx2", "avx512"], help="CPU target")
    p.add_argument("--rtol", type=float, default=1e-4, help="relative tolerance of --check")
    p.add_argument("--atol", type=float, default=1e-5, help="absolute tolerance of --check")
    return p


def _load_inputs(paths: list[str], specs: list[Any], entry: str) -> list[Array]:
    if len(paths) != len(specs):
        raise RunError(f"@{entry} takes {len(specs)} inputs, got {len(paths)} --input files")
    arrays = []
    for i, (path, spec) in enumerate(zip(paths, specs, strict=True)):
        try:
            array = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            raise RunError(f"{path}: no such file") from None
        except (OSError, ValueError) as e:
            raise RunError(f"{path}: not a readable .npy file ({e})") from None
        if array.shape != spec.shape or array.dtype != spec.dtype:
            raise RunError(
                f"{path}: input {i} of @{entry} must be {spec.dtype}{list(spec.shape)}, "
                f"got {array.dtype}{list(array.shape)}"
            )
        arrays.append(np.ascontiguousarray(array))
    return arrays


def _random_inputs(specs: list[Any], seed: int) -> list[Array]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s.shape).astype(s.dtype) for s in specs]


def _save(path: str, results: list[Array]) -> None:
    if path.endswith(".npz"):
        np.savez(path, *results)
    elif len(results) == 1:
        np.save(path, results[0])
    else:
        raise RunError(f"@entry has {len(results)} results: write them to a .npz file, not {path}")


def _check(results: list[Array], expected: list[Array], rtol: float, atol: float) -> float:
    worst = 0.0
    for i, (got, want) in enumerate(zip(results, expected, strict=True)):
        want = np.asarray(want)
        scale = max(1.0, float(np.nanmax(np.abs(want), initial=0.0)))
        if got.shape != want.shape or not np.allclose(
            got, want, rtol=rtol, atol=atol * scale, equal_nan=True
        ):
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


def run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    from ziggurat import driver as zg
    from ziggurat.runtime import Target
    from ziggurat.tools.diagnostics import DiagnosticError

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
    try:
        module = zg.parse_module(source, str(path))
    except DiagnosticError as e:
        sys.stderr.write(str(e).rstrip() + "\n")
        return 1
    signatures = zg.signatures(module)
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
    specs = [s for s in signatures[entry] if s.role != "out"]
    inputs = (
        _load_inputs(args.input, specs, entry) if args.input else _random_inputs(specs, args.seed)
    )

    target = Target.named(args.target) if args.target else None
    exe = zg.compile(
        source, opt_level=args.opt_level, target=target, entry=entry, filename=str(path)
    )
    out = exe(*[a.copy() for a in inputs], threads=args.threads)
    results = list(out) if isinstance(out, tuple) else [out]
    for i, r in enumerate(results):
        print(f"result {i}: {r.dtype}{list(r.shape)}")
    if args.check:
        expected = zg.run_reference(module, entry, inputs)
        worst = _check(results, [np.asarray(e) for e in expected], args.rtol, args.atol)
        print(f"check: OK, matches the reference interpreter (max abs error {worst:.3g})")
    if args.bench > 0:
        times = []
        for _ in range(args.bench):
            t0 = time.perf_counter()
            exe(*inputs, threads=args.threads)
            times.append(time.perf_counter() - t0)
        print(
            f"bench: {args.bench} runs, median {statistics.median(times) * 1e3:.3f} ms, "
            f"min {min(times) * 1e3:.3f} ms"
        )
    if args.output:
        _save(args.output, results)
    return 0


def main(argv: list[str] | None = None) -> None:
    from ziggurat.runtime import ZigguratCallError

    try:
        code = run(sys.argv[1:] if argv is None else argv)
    except RunError as e:
        sys.stderr.write(f"ziggurat-run: error: {e}\n")
        code = 1
    except (ZigguratCallError, ValueError, KeyError) as e:
        sys.stderr.write(f"ziggurat-run: error: {e}\n")
        code = 1
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
