"""The registry of Ziggurat's dialects, passes and targets.

`ZIGGURAT_UNIVERSE` is exported through the `xdsl.universe` entry point, so plain
`xdsl-opt` sees the same dialects and passes as `ziggurat-opt`. `all_passes()` and
`make_context()` give the same view (plus xDSL's own dialects and passes) to Python users.

`llvm` is both xDSL's target and Ziggurat's. A universe may not redefine a target, so
importing this module wraps xDSL's `llvm` entry instead: under plain `xdsl-opt`, modules with
Ziggurat ops or lowered by `cpu-pipeline` are translated by Ziggurat's target, every other
module by xDSL's, unchanged.
"""

from collections.abc import Callable
from typing import IO

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.universe import Universe
from xdsl.utils.target import Target

from ziggurat.dialects import get_all_dialects
from ziggurat.passes import get_all_passes
from ziggurat.tools.targets import get_all_targets


def _is_ziggurat_module(module: ModuleOp) -> bool:
    from ziggurat.passes.cpu_pipeline import OPT_LEVEL_ATTR

    if OPT_LEVEL_ATTR in module.attributes:
        return True
    return any(op.dialect_name() in ("ztensor", "ztile", "zloop") for op in module.walk())


def _llvm_target_for_xdsl_opt(xdsl_target: type[Target]) -> type[Target]:
    """xDSL's `llvm` target, except that modules Ziggurat lowered (or can lower) are
    translated by Ziggurat's: xDSL's llvmlite converter mixes typed and opaque pointers and
    fails on the pointer stores of Ziggurat's outlined parallel loops."""

    class LLVMTarget(xdsl_target):  # type: ignore[misc, valid-type]
        def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
            if not _is_ziggurat_module(module):
                super().emit(ctx, module, output)
                return
            from ziggurat.lowering.llvm_translate import LLVMIRTarget

            LLVMIRTarget().emit(ctx, module, output)

    LLVMTarget.__qualname__ = f"ziggurat.universe.{xdsl_target.__name__}"
    return LLVMTarget


def _route_xdsl_llvm_target() -> None:
    """Make plain `xdsl-opt ... -p cpu-pipeline -t llvm` work: `llvm` is xDSL's target name
    (a second universe may not define it), so wrap xDSL's own entry instead."""
    from xdsl.universe import XDSL_UNIVERSE

    original = XDSL_UNIVERSE.all_targets.get("llvm")
    if original is None or getattr(original, "ziggurat_routed", False):
        return

    def get_llvm() -> type[Target]:
        return _llvm_target_for_xdsl_opt(original())

    get_llvm.ziggurat_routed = True  # type: ignore[attr-defined]
    XDSL_UNIVERSE.all_targets["llvm"] = get_llvm


_route_xdsl_llvm_target()

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
