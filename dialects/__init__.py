"""Ziggurat's dialects: `ztensor`, `ztile` and `zloop`.

Importing this package loads no xDSL (the op table, `ziggurat.dialects.optable`, is plain
numpy, and the frontend reads it at `import ziggurat`); the dialects load on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xdsl.ir import Dialect


def get_all_dialects() -> dict[str, Callable[[], Dialect]]:
    """Name -> lazy loader of every dialect Ziggurat defines."""

    def get_ztensor() -> Dialect:
        from ziggurat.dialects.ztensor import ZTensor

        return ZTensor

    def get_ztile() -> Dialect:
        from ziggurat.dialects.ztile import ZTile

        return ZTile

    def get_zloop() -> Dialect:
        from ziggurat.dialects.zloop import ZLoop

        return ZLoop

    return {"ztensor": get_ztensor, "ztile": get_ztile, "zloop": get_zloop}
