"""Fast-math flags: which value-unsafe rewrites a pass may apply (LLVM's meanings).

A rewrite that is not IEEE-exact (the same result for every input, signed zeros, infinities
and NaN included) runs only when the flags it needs are enabled: `eqsat{fast-math=...}`,
`cpu-pipeline{fast-math=...}`, `zg.jit(fast_math=...)`.
"""

from __future__ import annotations

from collections.abc import Iterable

FAST_MATH_FLAGS: tuple[str, ...] = ("nsz", "nnan", "ninf", "reassoc", "arcp", "afn")
"""`nsz` ignores the sign of zero, `nnan`/`ninf` assume no NaN/infinity in inputs and results,
`reassoc` treats `+`, `*` and reductions as associative and distributive (rounding, overflow
and underflow of intermediate results may change), `arcp` allows a reciprocal instead of a
division, `afn` allows identities of approximate functions (`exp(x)*exp(y) = exp(x+y)`)."""


def parse_fast_math(value: str | Iterable[str]) -> frozenset[str]:
    """Flags from "" or () (none), "fast" (all), or flags (a comma list or a sequence of
    names); ValueError naming an unknown flag."""
    parts = value.split(",") if isinstance(value, str) else list(value)
    if not all(isinstance(p, str) for p in parts):
        raise ValueError(f"fast-math flags must be strings, got {value!r}")
    names = [p.strip() for p in parts if p.strip()]
    if names == ["fast"]:
        return frozenset(FAST_MATH_FLAGS)
    unknown = [n for n in names if n not in FAST_MATH_FLAGS]
    if unknown:
        raise ValueError(
            f"unknown fast-math flag(s) {', '.join(unknown)}; "
            f"known: fast, {', '.join(FAST_MATH_FLAGS)}"
        )
    return frozenset(names)


def flags_text(flags: Iterable[str]) -> str:
    """Flags as an option value: sorted and comma-separated, "fast" for all of them."""
    chosen = frozenset(flags)
    if chosen == frozenset(FAST_MATH_FLAGS):
        return "fast"
    return ",".join(sorted(chosen))
