"""Ziggurat's passes. Each pass lives in its own module, named like the pass.

`canonicalize` is xDSL's own pass: ztensor ops carry their canonicalization patterns in a
trait (see ziggurat/dialects/ztensor_canonicalization.py), so it picks them up.
"""

from collections.abc import Callable

from xdsl.passes import ModulePass


def get_all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """Pass name -> lazy loader of the pass class (one entry per pass, sorted by name)."""
    return {}
