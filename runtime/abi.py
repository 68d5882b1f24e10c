"""The ABI between compiled code and the runtime: the symbols compiled code calls.

`convert-to-llvm` (ziggurat.lowering.convert_to_llvm) emits calls to these symbols and
declares them external; the runtime (ziggurat.runtime.threads) defines them, and the compiler
imports them into every library it links (`runtime_symbols()`). Both sides take the names from
here. Everything else compiled code calls (`aligned_alloc`, `free`, libm) resolves against the
process.
"""

PARALLEL_FOR_SYMBOL = "ziggurat_parallel_for"
"""`void @ziggurat_parallel_for(ptr fn, i64 total, ptr ctx)`: runs the outlined body
`void fn(i64 begin, i64 end, ptr ctx)` over chunks `[begin, end)` that cover `[0, total)`,
on the calling thread and the runtime's pool, and returns when all have run."""

PROFILE_MARK_SYMBOL = "ziggurat_profile_mark"
"""`void @ziggurat_profile_mark(i64 mark)`: records the time of `mark` on the calling thread
while a `ziggurat.runtime.profile.recording()` is active there (and does nothing otherwise).
`ztensor-to-ztile{profile=true}` calls it with `2k` before kernel `k` and `2k + 1` after it."""

__all__ = ["PARALLEL_FOR_SYMBOL", "PROFILE_MARK_SYMBOL"]
