"""sgemm GFLOP/s on 1 and 2 threads against numpy's OpenBLAS, with the parallel efficiency.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_sgemm.py

Each thread count runs in its own process (numpy's OpenBLAS takes its thread count from
`OPENBLAS_NUM_THREADS` at start-up; Ziggurat's comes from `ZIGGURAT_NUM_THREADS`), so both
sides use the same count. In a process, every size is timed in rounds that alternate a
batch of `zg.jit(a @ b)` calls and a batch of `np.matmul(a, b, out=c)` calls (about 20 ms of
work each) with a pause of `--gap` seconds before each batch: OpenBLAS's idle threads spin
for a while after a call (and Ziggurat's for a much shorter while), and without the pause
each side's batch would start while the other's threads still held a core. The table gives
the median GFLOP/s over the rounds, their spread (the 75th over the 25th percentile of
the round times), numpy/zg time (> 1: Ziggurat is faster), and, for 2
threads, the parallel efficiency: GFLOP/s on 2 threads / (2 x GFLOP/s on 1 thread).
Every result is checked against numpy before timing.

`--json PATH` also writes the numbers (with the date and the machine), `--plot PATH` draws
GFLOP/s against n for both sides and every thread count (an SVG for docs/performance.md;
needs matplotlib: the `plot` extra), and `--replot JSON --plot PATH` draws a saved run.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_sgemm.py \
        --sizes 64 128 256 512 1000 1023 1024 2048 --plot docs/sgemm.svg
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from typing import Any

import numpy as np

SIZES = (256, 512, 1024, 2048)


def measure(sizes: list[int], rounds: int, gap: float) -> dict[str, dict[str, float]]:
    """GFLOP/s of both sides at each size, in this process's thread setting."""
    import ziggurat as zg

    matmul = zg.jit(lambda x, y: x @ y)
    results: dict[str, dict[str, float]] = {}
    rng = np.random.default_rng(0)
    for n in sizes:
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        c = np.empty((n, n), np.float32)
        got = matmul(a, b)
        np.testing.assert_allclose(got, a @ b, rtol=1e-3, atol=1e-3 * n**0.5)
        flops = 2.0 * n**3
        calls = max(2, int(2e10 / flops))  # ~100 ms of work at 200 GFLOP/s
        for _ in range(3):
            matmul(a, b)
            np.matmul(a, b, out=c)
        zg_times: list[float] = []
        np_times: list[float] = []
        for _ in range(rounds):
            time.sleep(gap)
            start = time.perf_counter()
            for _ in range(calls):
                matmul(a, b)
            zg_times.append((time.perf_counter() - start) / calls)
            time.sleep(gap)
            start = time.perf_counter()
            for _ in range(calls):
                np.matmul(a, b, out=c)
            np_times.append((time.perf_counter() - start) / calls)
        results[str(n)] = {
            "zg": flops / float(np.median(zg_times)) / 1e9,
            "np": flops / float(np.median(np_times)) / 1e9,
            "zg_spread": float(np.percentile(zg_times, 75) / np.percentile(zg_times, 25)),
            "np_spread": float(np.percentile(np_times, 75) / np.percentile(np_times, 25)),
        }
    return results


def child(threads: int, sizes: list[int], rounds: int, gap: float) -> dict[str, Any]:
    env = dict(os.environ)
    env["OPENBLAS_NUM_THREADS"] = str(threads)
    env["ZIGGURAT_NUM_THREADS"] = str(threads)
    command = [sys.executable, __file__, "--child", "--rounds", str(rounds), "--gap", str(gap)]
    command += ["--sizes", *map(str, sizes)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child with {threads} thread(s) failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--gap", type=float, default=0.2, help="seconds before each batch")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--plot", help="draw GFLOP/s against n into this SVG (matplotlib)")
    parser.add_argument("--replot", help="draw the results saved by --json (no benchmark)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.replot:
        if not args.plot:
            raise SystemExit("--replot needs --plot PATH")
        with open(args.replot) as f:
            plot(json.load(f), args.plot)
        return
    if args.child:
        print(json.dumps(measure(args.sizes, args.rounds, args.gap)))
        return
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if name in os.environ:
            print(f"note: {name} is set; it slows numpy's OpenBLAS (see the docstring)")
    per_threads = {t: child(t, args.sizes, args.rounds, args.gap) for t in args.threads}
    print(
        f"{'n':>5} {'threads':>7} {'numpy GF/s':>11} {'spread':>6} {'zg GF/s':>9} {'spread':>6}"
        f" {'np/zg':>6} {'np eff':>7} {'zg eff':>7}"
    )
    for n in args.sizes:
        for t in args.threads:
            r = per_threads[t][str(n)]
            line = (
                f"{n:>5} {t:>7} {r['np']:>11.1f} {r['np_spread']:>6.2f} {r['zg']:>9.1f}"
                f" {r['zg_spread']:>6.2f} {r['zg'] / r['np']:>5.2f}x"
            )
            if t > 1 and 1 in per_threads:
                one = per_threads[1][str(n)]
                line += f" {r['np'] / (t * one['np']):>7.0%} {r['zg'] / (t * one['zg']):>7.0%}"
            print(line)
    record = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "sizes": args.sizes,
        "threads": {str(t): r for t, r in per_threads.items()},
    }
    if args.json:
        with open(args.json, "w") as f:
            json.dump(record, f, indent=1)
    if args.plot:
        plot(record, args.plot)


def machine() -> str:
    """The CPU model and the number of CPUs this process may use."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {len(os.sched_getaffinity(0))} CPUs"


def plot(record: dict[str, Any], path: str) -> None:
    """GFLOP/s against n, one line per side and thread count, into the SVG `path`."""
    try:
        import matplotlib

        matplotlib.use("svg")
        matplotlib.rcParams["svg.fonttype"] = "none"  # text as text: a small file
        matplotlib.rcParams["svg.hashsalt"] = "ziggurat"  # the same file for the same data
        import matplotlib.pyplot as plt
    except ImportError:
        raise SystemExit("--plot needs matplotlib (pip install matplotlib)") from None
    sizes = record["sizes"]
    figure, axes = plt.subplots(figsize=(7, 4))
    at = list(range(len(sizes)))  # evenly spaced: 1000, 1023 and 1024 stay apart
    for t, results in sorted(record["threads"].items()):
        for side, label, style in (("zg", "Ziggurat", "-o"), ("np", "numpy (OpenBLAS)", "--s")):
            values = [results[str(n)][side] for n in sizes]
            axes.plot(at, values, style, label=f"{label}, {t} thread{'s' * (t != '1')}")
    axes.set_xticks(at, [str(n) for n in sizes])
    axes.set_xlabel("n (n x n @ n x n, float32)")
    axes.set_ylabel("GFLOP/s")
    axes.set_ylim(bottom=0)
    axes.set_title(f"sgemm, {record['date']}: {record['machine']}", fontsize=9)
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, metadata={"Date": None})
    plt.close(figure)


if __name__ == "__main__":
    main()
