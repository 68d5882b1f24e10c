"""Mutation fuzzer over the project's own .mlir files.

Seeded mutations (byte flips, line deletions and duplications, token swaps, shape numbers
including 0 and 2^63, element types f16/bf16/f80/complex/index, truncation, NUL and non-UTF-8
bytes, long lines, special float literals) of every `// -----` chunk of every .mlir file in
tests/ and examples/, each run through

- `ziggurat-opt FILE` (parse, verify, print),
- `ziggurat-opt FILE -p cpu-pipeline -t llvm`,
- `ziggurat-run FILE --check`,

as jobs of persistent worker processes, each with a timeout (see workers.py). A job fails on
a Python traceback, an "internal error", exit code 3 or any code but 0/1/2, a signal (crash),
a timeout (hang) or a `--check` mismatch (wrong answer).

```sh
python tests/fuzz/mutate.py --fuzz-n 2000 --seed 0 --jobs 2 --out fuzz-failures
```

prints a summary by category and writes one reproducer per failure (the mutant `.mlir`, and a
`.txt` with the command and the end of its stderr) under `--out`. Exit status 1 if anything
failed.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workers import EXIT_UNCAUGHT, Result, WorkerPool

REPO = Path(__file__).resolve().parents[2]
CORPUS_DIRS = ("tests", "examples")

# ---------------------------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    name: str
    data: bytes


def corpus(root: Path = REPO) -> list[Seed]:
    """Every `// -----` chunk of every .mlir file under tests/ and examples/, sorted."""
    seeds: list[Seed] = []
    for folder in CORPUS_DIRS:
        for path in sorted((root / folder).rglob("*.mlir")):
            if "fuzz-failures" in path.parts:
                continue
            data = path.read_bytes()
            chunks = re.split(rb"(?m)^// -----\s*$", data)
            rel = path.relative_to(root).as_posix()
            for i, chunk in enumerate(chunks):
                if chunk.strip():
                    seeds.append(Seed(f"{rel}#{i}", chunk))
    return seeds


# ---------------------------------------------------------------------------------------------
# Mutation operators
# ---------------------------------------------------------------------------------------------

TOKEN = re.compile(
    rb"%[\w.$-]+|@[\w.$-]+|\^[\w.$-]+|#[\w.$-]+|!?[a-z_][\w.$]*|0x[0-9a-fA-F]+|"
    rb"-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\"[^\"\n]*\"|->|[{}()\[\]<>,:=*?+-]"
)
SHAPE = re.compile(rb"(tensor|memref|vector)<([^<>]*?)x?(f16|bf16|f32|f64|i1|i8|i32|i64|index)>")
DIM = re.compile(rb"(?<=[<x])(\d+|\?)(?=x)")
ELEMENT = re.compile(rb"\b(f16|bf16|f32|f64|f80|i1|i8|i32|i64|index)\b")
FLOAT = re.compile(rb"(?<![\w.%@])-?\d+\.\d*(?:[eE][-+]?\d+)?")
INT = re.compile(rb"(?<![\w.%@#x])-?\d+(?![\w.])")

SHAPE_NUMBERS = (
    b"0",
    b"1",
    b"2",
    b"3",
    b"7",
    b"17",
    b"1000",
    b"65536",
    b"100000000",
    b"2147483648",
    b"4294967296",
    b"9223372036854775807",
    b"9223372036854775808",
    b"18446744073709551616",
    b"100000000000000000000000000000",
    b"?",
    b"-1",
)
ELEMENT_TYPES = (
    b"f16",
    b"bf16",
    b"f80",
    b"f128",
    b"complex<f32>",
    b"index",
    b"i1",
    b"i32",
    b"i64",
    b"f64",
    b"f32",
    b"tf32",
    b"f8E4M3FN",
)
FLOAT_LITERALS = (
    b"0.0",
    b"-0.0",
    b"1.0e39",
    b"-1.0e39",
    b"1.0e-45",
    b"1.0e-320",
    b"3.4028235e38",
    b"0x7F800000",
    b"0xFF800000",
    b"0x7FC00000",
    b"0x00000001",
    b"0x80000000",
    b"1e999999",
    b"nan",
    b"inf",
)
INT_LITERALS = (
    b"0",
    b"-1",
    b"-2",
    b"7",
    b"64",
    b"2147483648",
    b"9223372036854775808",
    b"-9223372036854775809",
)
BAD_BYTES = (
    b"\x00",
    b"\xff",
    b"\xc3\x28",
    b"\xed\xa0\x80",
    b"\xf0\x28\x8c\x28",
    b"\x80",
    b"\xfe\xff",
)

Mutator = Callable[[random.Random, bytes], bytes]


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def byte_flip(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(buf))
        if rng.random() < 0.5:
            buf[i] ^= 1 << rng.randrange(8)
        else:
            buf[i] = rng.choice(b'%@^#<>(){}[],:=x0123456789.-"')
    return bytes(buf)


def line_delete(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    if len(lines) < 2:
        return data
    i = rng.randrange(len(lines))
    n = rng.choice((1, 1, 1, 2, 3))
    del lines[i : i + n]
    return b"\n".join(lines)


def line_duplicate(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    j = rng.randrange(len(lines) + 1)
    lines.insert(j, lines[i])
    return b"\n".join(lines)


def token_swap(rng: random.Random, data: bytes) -> bytes:
    tokens = list(TOKEN.finditer(data))
    if len(tokens) < 2:
        return data
    a, b = sorted(rng.sample(tokens, 2), key=lambda m: m.start())
    if rng.random() < 0.5:
        # Swap two tokens.
        if a.end() > b.start():
            return data
        return (
            data[: a.start()] + b.group() + data[a.end() : b.start()] + a.group() + data[b.end() :]
        )
    # Replace one token by another one of the file.
    return data[: a.start()] + b.group() + data[a.end() :]


def _replace_one(
    rng: random.Random,
    data: bytes,
    pattern: re.Pattern[bytes],
    values: Sequence[bytes],
    group: int = 0,
) -> bytes:
    matches = list(pattern.finditer(data))
    if not matches:
        return data
    m = rng.choice(matches)
    return data[: m.start(group)] + rng.choice(values) + data[m.end(group) :]


def shape_number(rng: random.Random, data: bytes) -> bytes:
    dims = list(DIM.finditer(data))
    if not dims:
        return _replace_one(rng, data, INT, SHAPE_NUMBERS)
    value = rng.choice(SHAPE_NUMBERS)
    if rng.random() < 0.3:
        # The same dimension everywhere it occurs (keeps the program well-typed more often).
        old = rng.choice(dims).group()
        return re.sub(
            rb"(?<=[<x])" + re.escape(old) + rb"(?=x)", value.replace(b"\\", b"\\\\"), data
        )
    m = rng.choice(dims)
    return data[: m.start()] + value + data[m.end() :]


def element_type(rng: random.Random, data: bytes) -> bytes:
    matches = list(ELEMENT.finditer(data))
    if not matches:
        return data
    new = rng.choice(ELEMENT_TYPES)
    if rng.random() < 0.6:
        old = rng.choice(matches).group()
        return re.sub(rb"\b" + re.escape(old) + rb"\b", new, data)
    m = rng.choice(matches)
    return data[: m.start()] + new + data[m.end() :]


def float_literal(rng: random.Random, data: bytes) -> bytes:
    if not FLOAT.search(data):
        return _replace_one(rng, data, INT, INT_LITERALS)
    return _replace_one(rng, data, FLOAT, FLOAT_LITERALS)


def int_literal(rng: random.Random, data: bytes) -> bytes:
    return _replace_one(rng, data, INT, INT_LITERALS)


def truncate(rng: random.Random, data: bytes) -> bytes:
    if len(data) < 2:
        return data
    return data[: rng.randrange(1, len(data))]


def bad_bytes(rng: random.Random, data: bytes) -> bytes:
    i = rng.randrange(len(data) + 1)
    return data[:i] + rng.choice(BAD_BYTES) + data[i:]


def long_line(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines) + 1)
    kind = rng.randrange(6)
    n = rng.choice((1000, 5000, 20000))
    if kind == 0:
        line = b"// " + b"x" * (n * 10)
    elif kind == 1:
        line = b"%" + b"v" * n + b" = ztensor.constant dense<1.0> : tensor<f32>"
    elif kind == 2:
        line = b"(" * n + b")" * n
    elif kind == 3:
        line = b"%c = ztensor.constant dense<" + b"1" * n + b".0> : tensor<f32>"
    elif kind == 4:
        line = b"tensor<" * n
    else:
        line = (
            b"%c = ztensor.constant dense<["
            + b"1.0, " * n
            + b"1.0]> : tensor<"
            + str(n + 1).encode()
            + b"xf32>"
        )
    lines.insert(i, line)
    return b"\n".join(lines)


OPERATORS: dict[str, Mutator] = {
    "byte-flip": byte_flip,
    "line-delete": line_delete,
    "line-duplicate": line_duplicate,
    "token-swap": token_swap,
    "shape-number": shape_number,
    "element-type": element_type,
    "float-literal": float_literal,
    "int-literal": int_literal,
    "truncate": truncate,
    "bad-bytes": bad_bytes,
    "long-line": long_line,
}
WEIGHTS = {
    "byte-flip": 2,
    "line-delete": 2,
    "line-duplicate": 1,
    "token-swap": 2,
    "shape-number": 4,
    "element-type": 4,
    "float-literal": 2,
    "int-literal": 1,
    "truncate": 1,
    "bad-bytes": 1,
    "long-line": 1,
}


@dataclass(frozen=True)
class Mutant:
    index: int
    seed: str
    operators: tuple[str, ...]
    data: bytes
    entry: str | None

    @property
    def name(self) -> str:
        return f"m{self.index:05d}"


FUNC = re.compile(rb"func\.func\s+@([\w$.-]+)")


def mutants(n: int, seed: int, root: Path = REPO) -> list[Mutant]:
    """`n` deterministic mutants (the same for the same `seed`, corpus and n)."""
    seeds = corpus(root)
    # Chunks written to fail (expected-error annotations) are drawn less often.
    seed_weights = [1 if b"expected-error" in s.data else 5 for s in seeds]
    names = list(WEIGHTS)
    weights = [WEIGHTS[k] for k in names]
    out = []
    for i in range(n):
        rng = random.Random(f"ziggurat-fuzz:{seed}:{i}")
        s = rng.choices(seeds, seed_weights)[0]
        data = s.data
        ops = tuple(rng.choices(names, weights, k=rng.choice((1, 1, 2, 3))))
        for op in ops:
            data = OPERATORS[op](rng, data)
        functions = [m.group(1).decode(errors="replace") for m in FUNC.finditer(data)]
        entry = rng.choice(functions) if functions else None
        out.append(Mutant(i, s.name, ops, data, entry))
    return out


# ---------------------------------------------------------------------------------------------
# Running and judging
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tool:
    name: str
    kind: str
    args: tuple[str, ...]
    timeout: float

    def argv(self, path: str, mutant: Mutant) -> list[str]:
        argv = [path, *self.args]
        if self.kind == "run" and mutant.entry and re.fullmatch(r"[\w$.-]+", mutant.entry):
            argv += ["--entry", mutant.entry]
        return argv

    def command(self, path: str, mutant: Mutant) -> str:
        prog = "ziggurat-opt" if self.kind == "opt" else "ziggurat-run"
        return " ".join([prog, *(_quote(a) for a in self.argv(path, mutant))])


def _quote(arg: str) -> str:
    return arg if re.fullmatch(r"[\w./=-]+", arg) else "'" + arg.replace("'", "'\\''") + "'"


TOOLS: dict[str, Tool] = {
    "opt": Tool("opt", "opt", (), 20.0),
    "llvm": Tool("llvm", "opt", ("-p", "cpu-pipeline", "-t", "llvm", "-o", os.devnull), 40.0),
    "run": Tool("run", "run", ("--check",), 60.0),
}

CATEGORIES = ("hang", "crash", "internal-error", "traceback", "wrong-answer", "bad-exit")


_INTERNAL = re.compile(r"^ziggurat-(opt|run): internal error", re.MULTILINE)
"""The tools' report of one of their own bugs (not the phrase quoted from a source line)."""


def classify(tool: Tool, r: Result) -> str | None:
    """The failure category of a job, or None when it behaved."""
    if r.timed_out:
        return "hang"
    if r.signal is not None:
        return "crash"
    if _INTERNAL.search(r.stderr) or r.rc == 3:
        return "internal-error"
    if "Traceback (most recent call last)" in r.stderr or r.rc == EXIT_UNCAUGHT:
        return "traceback"
    if tool.kind == "run" and "check failed" in r.stderr:
        return "wrong-answer"
    if r.rc not in (0, 1, 2):
        return "bad-exit"
    return None


_NOISE = re.compile(r"0x[0-9a-f]+|\d+|'[^']*'|\"[^\"]*\"|/[^\s:]+")


def signature(category: str, r: Result) -> str:
    """A short text that groups failures of one bug together."""
    if category == "hang":
        return "timeout"
    if category == "crash":
        return r.describe()
    lines = [ln.strip() for ln in r.stderr.splitlines() if ln.strip()]
    if category == "internal-error":
        text = next((ln for ln in lines if "internal error" in ln), lines[-1] if lines else "")
        text = text.split("internal error:", 1)[-1]
    elif category == "traceback":
        text = next(
            (ln for ln in reversed(lines) if re.match(r"[\w.]+(Error|Exception|Exit)\b", ln)),
            lines[-1] if lines else "",
        )
    elif category == "wrong-answer":
        text = "check failed"
    else:
        text = f"exit {r.rc}: " + (lines[-1] if lines else "")
    return _NOISE.sub("N", text)[:160]


@dataclass
class Failure:
    tool: str
    category: str
    signature: str
    mutant: Mutant
    result: Result
    reproducer: Path | None = None
    command: str = ""


@dataclass
class Report:
    n: int = 0
    jobs: int = 0
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    restarts: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    job_seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def summary(self) -> str:
        lines = [
            f"{self.n} mutants, {self.jobs} jobs in {self.seconds:.1f} s "
            f"({self.restarts} worker restarts); outcomes (count, mean seconds): "
            + ", ".join(
                f"{k} {v} ({self.job_seconds[k] / v:.2f})" for k, v in sorted(self.outcomes.items())
            )
        ]
        if not self.failures:
            lines.append("no failures")
            return "\n".join(lines)
        by_category: dict[str, list[Failure]] = defaultdict(list)
        for f in self.failures:
            by_category[f.category].append(f)
        for category in CATEGORIES:
            group = by_category.get(category)
            if not group:
                continue
            lines.append(f"{category}: {len(group)}")
            by_sig: dict[tuple[str, str], list[Failure]] = defaultdict(list)
            for f in group:
                by_sig[(f.tool, f.signature)].append(f)
            for (tool, sig), fs in sorted(by_sig.items(), key=lambda kv: -len(kv[1])):
                first = min(fs, key=lambda f: len(f.mutant.data))
                lines.append(f"  [{tool}] x{len(fs)}: {sig}")
                lines.append(f"      {first.command}")
        return "\n".join(lines)


def write_reproducer(out: Path, failure: Failure, tool: Tool) -> None:
    folder = out / failure.category
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{failure.tool}-{failure.mutant.name}"
    path = folder / f"{stem}.mlir"
    path.write_bytes(failure.mutant.data)
    failure.reproducer = path
    failure.command = tool.command(str(path), failure.mutant)
    (folder / f"{stem}.txt").write_text(
        f"# {failure.category}: {failure.signature}\n"
        f"# seed file: {failure.mutant.seed}; mutations: {', '.join(failure.mutant.operators)}\n"
        f"# {failure.result.describe()} in {failure.result.seconds:.2f} s\n"
        f"{failure.command}\n\n--- stderr (end) ---\n{failure.result.stderr[-4000:]}\n"
    )


def fuzz(
    pool: WorkerPool,
    items: Sequence[Mutant],
    tools: Sequence[str],
    out: Path,
    timeout_scale: float = 1.0,
    every_tool: bool = False,
    split: bool = False,
    progress: float = 0.0,
) -> Report:
    """Run the mutants through `tools`; reproducers of failures go under `out`.

    When "opt" is among the tools it runs first on every mutant, and the other tools run on
    the mutants it accepted plus every fourth of the others (the rejected ones mostly fail in
    the same parser; `every_tool` runs every tool on every mutant). With `split`, each of
    those mutants goes through one of the other tools only, in turn (they share the
    pipeline; this halves the cost of a quick run). With `progress` > 0, a line goes to
    stderr every `progress` seconds.
    """
    report = Report(n=len(items))
    work = Path(tempfile.mkdtemp(prefix="mutants-"))
    paths = {}
    for m in items:
        paths[m.index] = work / f"{m.name}.mlir"
        paths[m.index].write_bytes(m.data)
    start = time.monotonic()
    starts = pool.starts
    last = [start]
    done: Counter[str] = Counter()

    def tick(i: int, r: Result) -> None:
        done["jobs"] += 1
        done["odd"] += r.timed_out or r.signal is not None or r.rc not in (0, 1, 2)
        now = time.monotonic()
        if progress > 0 and now - last[0] >= progress:
            last[0] = now
            print(
                f"[fuzz] {done['jobs']} jobs done, {done['odd']} ended badly, {now - start:.0f} s",
                file=sys.stderr,
                flush=True,
            )

    def run_phase(pairs: list[tuple[Mutant, Tool]]) -> dict[int, Result]:
        jobs = [
            {
                "kind": tool.kind,
                "argv": tool.argv(str(paths[m.index]), m),
                "timeout": tool.timeout * timeout_scale,
            }
            for m, tool in pairs
        ]
        results: dict[int, Result] = {}
        for (m, tool), r in zip(pairs, pool.map(jobs, tick), strict=True):
            report.jobs += 1
            category = classify(tool, r)
            outcome = f"{tool.name}:{'exit ' + str(r.rc) if category is None else category}"
            report.outcomes[outcome] += 1
            report.job_seconds[outcome] += r.seconds
            if category is not None:
                failure = Failure(tool.name, category, signature(category, r), m, r)
                write_reproducer(out, failure, tool)
                report.failures.append(failure)
            results[m.index] = r
        return results

    rest = [TOOLS[t] for t in tools if t != "opt"]
    if "opt" in tools and not every_tool:
        first = run_phase([(m, TOOLS["opt"]) for m in items])
        follow = [m for m in items if first[m.index].rc == 0 or m.index % 4 == 0]
    else:
        if "opt" in tools:
            rest.insert(0, TOOLS["opt"])
        follow = list(items)
    if split and rest:
        run_phase([(m, rest[i % len(rest)]) for i, m in enumerate(follow)])
    else:
        run_phase([(m, tool) for m in follow for tool in rest])
    report.seconds = time.monotonic() - start
    report.restarts = pool.starts - starts
    for path in paths.values():
        path.unlink(missing_ok=True)
    work.rmdir()
    return report


def job_env() -> dict[str, str]:
    """The environment of the workers: no disk cache (every job compiles, and no job sees
    another's entries), two runtime threads, a fixed hash seed."""
    return {
        "ZIGGURAT_NO_CACHE": "1",
        "ZIGGURAT_NUM_THREADS": "2",
        "PYTHONHASHSEED": "0",
    }


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--fuzz-n", type=int, default=300, help="number of mutants (default 300)")
    p.add_argument("--seed", type=int, default=0, help="mutation seed (default 0)")
    p.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    p.add_argument(
        "--tools",
        default=",".join(TOOLS),
        help=f"comma-separated subset of {', '.join(TOOLS)} (default: all)",
    )
    p.add_argument("--out", default="fuzz-failures", help="folder for reproducers")
    p.add_argument("--first", type=int, default=0, help="skip the first N mutants")
    p.add_argument(
        "--progress",
        type=float,
        default=60.0,
        metavar="S",
        help="print a progress line to stderr every S seconds (default 60; 0: never)",
    )
    p.add_argument(
        "--every-tool",
        action="store_true",
        help="run every tool on every mutant (default: the later tools only on the mutants "
        "ziggurat-opt accepts, and on every fourth other one)",
    )
    p.add_argument(
        "--split",
        action="store_true",
        help="send each of those mutants through one of the later tools only (in turn)",
    )
    args = p.parse_args(argv)
    tools = [t for t in args.tools.split(",") if t]
    unknown = [t for t in tools if t not in TOOLS]
    if unknown:
        p.error(f"unknown tools {unknown}")
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    items = mutants(args.first + args.fuzz_n, args.seed)[args.first :]
    with WorkerPool(args.jobs, job_env()) as pool:
        report = fuzz(
            pool,
            items,
            tools,
            out,
            every_tool=args.every_tool,
            split=args.split,
            progress=args.progress,
        )
    print(report.summary())
    if report.failures:
        print(f"reproducers in {out}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
