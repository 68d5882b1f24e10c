"""The registry of Ziggurat's dialects, passes and targets.

`ZIGGURAT_UNIVERSE` is exported through the `xdsl.universe` entry point, so plain
`xdsl-opt` sees the same dialects and passes as `ziggurat-opt`. `all_passes()` and
`make_context()` give the same view (plus xDSL's own dialects and passes) to Python users.
"""

from collections.abc import Callable

from xdsl.context import Context
from xdsl.passes import ModulePass
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


def _universes() -> list[Universe]:
    """The `xdsl.universe` entry points of installed packages other than Ziggurat's own
    (xDSL's universe among them), loaded."""
    from importlib.metadata import entry_points

    loaded = [ep.load() for ep in entry_points(group="xdsl.universe") if ep.name != "ziggurat"]
    return [u for u in loaded if isinstance(u, Universe)]


def all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """Every pass usable in a Ziggurat pipeline string: xDSL's, those of other packages'
    `xdsl.universe` entry points, and Ziggurat's (incl. plug-ins and registered passes)."""
    from xdsl.transforms import get_all_passes as get_xdsl_passes

    passes = get_xdsl_passes()
    for universe in _universes():
        passes.update(universe.all_passes)
    return {**passes, **get_all_passes()}


def make_context() -> Context:
    """A context that knows every xDSL dialect and Ziggurat's, loaded lazily on first use."""
    from ziggurat.tools.diagnostics import default_context

    return default_context()
