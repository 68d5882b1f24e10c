"""The registry of Ziggurat's dialects, passes and targets.

`ZIGGURAT_UNIVERSE` is exported through the `xdsl.universe` entry point, so plain
`xdsl-opt` sees the same dialects and passes as `ziggurat-opt`.
"""

from xdsl.universe import Universe

from ziggurat.dialects import get_all_dialects
from ziggurat.passes import get_all_passes
from ziggurat.tools.targets import get_all_targets

ZIGGURAT_UNIVERSE = Universe(
    all_dialects=get_all_dialects(),
    all_passes=get_all_passes(),
    # `llvm` clashes with xDSL's own target: xdsl-opt keeps its own, ziggurat-opt overrides it.
    all_targets={k: v for k, v in get_all_targets().items() if k != "llvm"},
)
