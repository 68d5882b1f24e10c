"""Start-up time of `zg.jit` on the GPT-2 MLP block, each run in a new Python process.

- cold: an empty disk cache (a fresh `ZIGGURAT_CACHE_DIR`): trace, passes, LLVM, load.
- warm: the cache the cold run filled: the first call finds the compiled function from the
  traced program alone and links its object code (no xDSL, no egglog, no pass).

Each process reports `import ziggurat` and the first call (decoration, trace, compile or
load, and the call itself), measured with `time.perf_counter` inside the process, after
numpy is imported and the inputs are made (numpy's own import and the benchmark's data are
the same for every peer and not counted). The table gives the median and the spread
(min-max) of `--runs` processes of each kind.

Python's bytecode cache: an installed package has its `.pyc` files (pip writes them), but
`PYTHONDONTWRITEBYTECODE=1` in the environment (set on the benchmark machine) makes every
process of an editable install compile Ziggurat's sources again, about 45-60 ms here. So the
children run with bytecode written to and read from a private `PYTHONPYCACHEPREFIX` (a
temporary folder, filled by one unmeasured warm-up process per interpreter), as a user's
install does; `--no-bytecode-cache` leaves the environment as it is.

`--python` (repeatable) names the interpreters to compare, e.g. the virtualenvs of two
worktrees: their processes are interleaved (one cold and one warm process of each per run),
so that a change of machine load hits every peer alike.

    python benchmarks/bench_startup.py --runs 5
    python benchmarks/bench_startup.py --runs 30 --python ../base/venv/bin/python --python venv/bin/python
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import json, sys, time
import numpy as np
rng = np.random.default_rng(0)
x = rng.standard_normal((256, 768), dtype=np.float32)
w1 = rng.standard_normal((768, 3072), dtype=np.float32) * np.float32(0.02)
b1 = np.zeros(3072, np.float32)
w2 = rng.standard_normal((3072, 768), dtype=np.float32) * np.float32(0.02)
b2 = np.zeros(768, np.float32)
t0 = time.perf_counter()
import ziggurat as zg
t1 = time.perf_counter()

@zg.jit
def gpt2_mlp(x, w1, b1, w2, b2):
    h = zg.gelu(x @ w1 + b1) @ w2 + b2 + x
    return zg.layer_norm(h, axis=-1)

out = gpt2_mlp(x, w1, b1, w2, b2)
t2 = time.perf_counter()
assert out.shape == (256, 768) and np.isfinite(out).all()
loaded = sorted({m.split(".")[0] for m in sys.modules if m.startswith(("xdsl", "egglog"))})
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "total": t2 - t0, "loaded": loaded}))
"""


def child_env(cache_dir: str, pycache: str | None) -> dict[str, str]:
    env = {**os.environ, "ZIGGURAT_CACHE_DIR": cache_dir}
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def run_child(python: str, cache_dir: str, pycache: str | None) -> dict[str, object]:
    done = subprocess.run(
        [python, "-c", CHILD],
        capture_output=True,
        text=True,
        env=child_env(cache_dir, pycache),
    )
    if done.returncode != 0:
        raise RuntimeError(f"{python}: the child failed:\n{done.stderr}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def summary(values: list[float], scale: float) -> str:
    med = statistics.median(values) * scale
    return f"{med:9.1f} {min(values) * scale:8.1f}-{max(values) * scale:<8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--python",
        action="append",
        help="an interpreter to measure (repeatable; default: this one)",
    )
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="do not give the children a bytecode cache (keep PYTHONDONTWRITEBYTECODE)",
    )
    args = parser.parse_args()
    pythons: list[str] = args.python or [sys.executable]
    with tempfile.TemporaryDirectory() as scratch:
        pycaches: dict[str, str | None] = {}
        for i, python in enumerate(pythons):
            pycache = None if args.no_bytecode_cache else os.path.join(scratch, f"pyc{i}")
            pycaches[python] = pycache
            if pycache is not None:  # the warm-up: writes the bytecode, unmeasured
                with tempfile.TemporaryDirectory() as cache_dir:
                    run_child(python, cache_dir, pycache)
                    run_child(python, cache_dir, pycache)
        cold: dict[str, list[dict[str, object]]] = {p: [] for p in pythons}
        warm: dict[str, list[dict[str, object]]] = {p: [] for p in pythons}
        for _ in range(args.runs):  # interleaved: a cold process, then a warm one on its cache
            for python in pythons:
                with tempfile.TemporaryDirectory() as cache_dir:
                    cold[python].append(run_child(python, cache_dir, pycaches[python]))
                    warm[python].append(run_child(python, cache_dir, pycaches[python]))
    bytecode = "no bytecode cache" if args.no_bytecode_cache else "bytecode cached"
    print(
        f"GPT-2 MLP block (256x768, gelu, residual, layernorm), {args.runs} processes each, "
        f"{bytecode}"
    )
    for python in pythons:
        if len(pythons) > 1:
            print(f"\n{python}")
        print(f"{'start':<6} {'what':<22} {'median ms':>9} {'min-max ms':>17}  imports")
        for name, runs in (("cold", cold[python]), ("warm", warm[python])):
            loaded = sorted({m for r in runs for m in r["loaded"]})  # type: ignore[attr-defined]
            for what, field in (
                ("import ziggurat", "import"),
                ("first call", "first"),
                ("import + first call", "total"),
            ):
                values = [float(r[field]) for r in runs]  # type: ignore[arg-type]
                extra = f"  {', '.join(loaded) or 'no xdsl, no egglog'}" if field == "total" else ""
                print(f"{name:<6} {what:<22} {summary(values, 1e3)}{extra}")


if __name__ == "__main__":
    main()
