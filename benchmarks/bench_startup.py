"""Start-up time of `zg.jit` on the GPT-2 MLP block, each run in a new Python process.

- cold: an empty disk cache (a fresh `ZIGGURAT_CACHE_DIR`): trace, passes, LLVM, load.
- warm: the cache the cold run filled: the first call finds the compiled function from the
  traced program alone and links its object code (no xDSL, no egglog, no pass).

Each process reports `import ziggurat` and the first call (decoration, trace, compile or
load, and the call itself), measured with `time.perf_counter` inside the process, after
numpy is imported (numpy's own import is the same for every peer and not counted). The
table gives the median and the spread (min-max) of `--runs` processes of each kind.

    python benchmarks/bench_startup.py --runs 5
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
t0 = time.perf_counter()
import ziggurat as zg
t1 = time.perf_counter()

@zg.jit
def gpt2_mlp(x, w1, b1, w2, b2):
    h = zg.gelu(x @ w1 + b1) @ w2 + b2 + x
    return zg.layer_norm(h, axis=-1)

rng = np.random.default_rng(0)
x = rng.standard_normal((256, 768), dtype=np.float32)
w1 = rng.standard_normal((768, 3072), dtype=np.float32) * np.float32(0.02)
b1 = np.zeros(3072, np.float32)
w2 = rng.standard_normal((3072, 768), dtype=np.float32) * np.float32(0.02)
b2 = np.zeros(768, np.float32)
t2 = time.perf_counter()
out = gpt2_mlp(x, w1, b1, w2, b2)
t3 = time.perf_counter()
assert out.shape == (256, 768) and np.isfinite(out).all()
loaded = sorted({m.split(".")[0] for m in sys.modules if m.startswith(("xdsl", "egglog"))})
print(json.dumps({"import": t1 - t0, "first": t3 - t2, "total": (t1 - t0) + (t3 - t2),
                  "loaded": loaded}))
"""


def run_child(cache_dir: str) -> dict[str, object]:
    env = {**os.environ, "ZIGGURAT_CACHE_DIR": cache_dir}
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, check=True
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def summary(values: list[float], scale: float) -> str:
    med = statistics.median(values) * scale
    return f"{med:9.1f} {min(values) * scale:8.1f}-{max(values) * scale:<8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cold: list[dict[str, object]] = []
    warm: list[dict[str, object]] = []
    for _ in range(args.runs):  # interleaved: one cold process, then one warm on its cache
        with tempfile.TemporaryDirectory() as cache_dir:
            cold.append(run_child(cache_dir))
            warm.append(run_child(cache_dir))
    print(f"GPT-2 MLP block (256x768, gelu, residual, layernorm), {args.runs} processes each")
    print(f"{'start':<6} {'what':<22} {'median ms':>9} {'min-max ms':>17}  imports")
    for name, runs in (("cold", cold), ("warm", warm)):
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
