"""Pass pipeline strings: option values written so that the pipeline parser reads them back.

Kept free of xDSL so that building the default pipeline's string (a cache key on the warm
path of `zg.jit`) imports nothing heavy.
"""

from __future__ import annotations


def option_text(value: str) -> str:
    """`value` as a pass option value: as it is when it is a plain word (letters, digits,
    `_`, `.`, `-`), else quoted (paths: the parser takes `/` only inside quotes)."""
    if value and all(c.isalnum() or c in "_.-" for c in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


__all__ = ["option_text"]
