"""The registry of Ziggurat's dialects, passes and targets.

`ZIGGURAT_UNIVERSE` is exported through the `xdsl.universe` entry point, so plain
`xdsl-opt` sees the same dialects and passes as `ziggurat-opt`. `all_passes()` and
`make_context()` give the same view (plus xDSL's own dialects and passes) to Python users.

Passes come from three places: `BUILTIN_PASSES` (Ziggurat's own, in ziggurat.passes,
ziggurat.lowering and ziggurat.cpu_pipeline), the `ziggurat.passes` entry-point group of
installed packages, and `register_pass` (a decorator for passes defined in user code or in a
plugin file: a `.py` file loaded with `load_plugins`, named in the `ZIGGURAT_PLUGINS`
environment variable or with `ziggurat-opt --load-plugin FILE.py`). Each is imported when a
pipeline first names it.

`llvm` is both xDSL's target and Ziggurat's. A universe may not redefine a target, so
importing this module wraps xDSL's `llvm` entry instead: under plain `xdsl-opt`, modules with
Ziggurat ops or lowered by `cpu-pipeline` are translated by Ziggurat's target, every other
module by xDSL's, unchanged.
"""

import hashlib
import importlib.metadata
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from importlib import import_module
from importlib.metadata import entry_points
from types import ModuleType
from typing import IO, TypeVar

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.transforms import get_all_passes as get_xdsl_passes
from xdsl.universe import XDSL_UNIVERSE, Universe
from xdsl.utils.target import Target

from ziggurat.dialects import get_all_dialects
from ziggurat.parsing import default_context
from ziggurat.targets import OPT_LEVEL_ATTR, LLVMIRTarget, get_all_targets

_PassT = TypeVar("_PassT", bound=type[ModulePass])

# Pass name -> "module:ClassName", one line per pass, sorted by name.
BUILTIN_PASSES: dict[str, str] = {
    "bufferize": "ziggurat.lowering.bufferize:BufferizePass",
    "convert-to-llvm": "ziggurat.lowering.convert_to_llvm:ConvertToLLVMPass",
    "cpu-pipeline": "ziggurat.cpu_pipeline:CpuPipelinePass",
    "eqsat": "ziggurat.passes.eqsat:EqsatPass",
    "gpu-pipeline": "ziggurat.gpu_pipeline:GpuPipelinePass",
    "linalg-to-zloop": "ziggurat.lowering.linalg_to_zloop:LinalgToZLoopPass",
    "linalg-to-ztensor": "ziggurat.passes.linalg_to_ztensor:LinalgToZTensorPass",
    "zloop-fuse": "ziggurat.passes.zloop_fuse:ZLoopFusePass",
    "zloop-interchange": "ziggurat.passes.zloop_interchange:ZLoopInterchangePass",
    "zloop-parallelize": "ziggurat.passes.zloop_parallelize:ZLoopParallelizePass",
    "zloop-tile": "ziggurat.passes.zloop_tile:ZLoopTilePass",
    "ztensor-to-linalg": "ziggurat.lowering.ztensor_to_linalg:ZTensorToLinalgPass",
    "ztensor-to-ztile": "ziggurat.lowering.ztensor_to_ztile:ZTensorToZTilePass",
    "ztile-to-nvvm": "ziggurat.lowering.ztile_to_nvvm:ZTileToNVVMPass",
    "ztile-to-zloop": "ziggurat.lowering.ztile_to_zloop:ZTileToZLoopPass",
    "ztile-widen": "ziggurat.lowering.ztile_widen:ZTileWidenPass",
}

_USER_PASSES: dict[str, type[ModulePass]] = {}


def _loader(target: str) -> Callable[[], type[ModulePass]]:
    module, _, cls = target.partition(":")

    def load() -> type[ModulePass]:
        loaded = getattr(import_module(module), cls)
        assert issubclass(loaded, ModulePass)
        return loaded

    return load


def register_pass(cls: _PassT) -> _PassT:
    """Register a user pass (decorator); it then appears in ziggurat-opt and pipeline strings.

    Registering a name again replaces the earlier class (re-running a script or notebook cell);
    the names of Ziggurat's and xDSL's own passes cannot be taken.
    """
    if not (isinstance(cls, type) and issubclass(cls, ModulePass)):
        raise TypeError(f"register_pass expects a ModulePass subclass, got {cls!r}")
    if not getattr(cls, "name", None):
        raise ValueError(f"pass class {cls.__name__} has no `name`")
    if cls.name in BUILTIN_PASSES:
        raise ValueError(f"pass name '{cls.name}' is already taken by a Ziggurat pass")
    if cls.name in get_xdsl_passes():
        raise ValueError(f"pass name '{cls.name}' is already taken by an xDSL pass")
    _USER_PASSES[cls.name] = cls
    return cls


def get_all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """Pass name -> lazy loader of the pass class: Ziggurat's, plug-ins' and registered ones
    (plugin files named in `ZIGGURAT_PLUGINS` are loaded first)."""
    load_plugins()
    passes = {name: _loader(target) for name, target in BUILTIN_PASSES.items()}
    for ep in entry_points(group="ziggurat.passes"):
        passes.setdefault(ep.name, _loader(ep.value))
    for name, cls in _USER_PASSES.items():
        passes[name] = _registered(cls)
    return passes


def _registered(cls: type[ModulePass]) -> Callable[[], type[ModulePass]]:
    return lambda: cls


PLUGINS_ENV = "ZIGGURAT_PLUGINS"
"""Environment variable: plugin files (`os.pathsep`-separated) loaded by `get_all_passes`."""

_LOADED_PLUGINS: dict[str, ModuleType] = {}


class PluginError(ImportError):
    """A plugin file is missing, is not a .py file, or raised while it was imported."""


def load_plugin(path: str) -> ModuleType:
    """Import the Python file `path` (once per real path) under a unique module name, so the
    `register_pass` decorators in it run. Returns the module."""
    real = os.path.realpath(path)
    loaded = _LOADED_PLUGINS.get(real)
    if loaded is not None:
        return loaded
    if not real.endswith(".py"):
        raise PluginError(f"plugin {path!r}: expected a .py file")
    if not os.path.isfile(real):
        raise PluginError(f"plugin {path!r}: no such file")
    stem = "".join(c if c.isalnum() else "_" for c in os.path.basename(real)[:-3])
    name = f"ziggurat_plugin_{stem}_{hashlib.sha256(real.encode()).hexdigest()[:12]}"
    spec = importlib.util.spec_from_file_location(name, real)
    if spec is None or spec.loader is None:  # pragma: no cover - .py files always have one
        raise PluginError(f"plugin {path!r}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    _LOADED_PLUGINS[real] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        del sys.modules[name], _LOADED_PLUGINS[real]
        raise PluginError(
            f"plugin {path!r} failed to import: {type(error).__name__}: {error}"
        ) from error
    return module


def load_plugins(paths: Iterable[str] = ()) -> list[ModuleType]:
    """Load the plugin files `paths` and those named in `$ZIGGURAT_PLUGINS`."""
    env = [p for p in os.environ.get(PLUGINS_ENV, "").split(os.pathsep) if p.strip()]
    return [load_plugin(p) for p in [*env, *paths]]


def plugin_paths(argv: Sequence[str]) -> list[str]:
    """The files of every `--load-plugin FILE` / `--load-plugin=FILE` in a command line."""
    paths: list[str] = []
    for i, arg in enumerate(argv):
        if arg == "--load-plugin" and i + 1 < len(argv):
            paths.append(argv[i + 1])
        elif arg.startswith("--load-plugin="):
            paths.append(arg.partition("=")[2])
    return paths


def _is_ziggurat_module(module: ModuleOp) -> bool:
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
            LLVMIRTarget().emit(ctx, module, output)

    LLVMTarget.__qualname__ = f"ziggurat.universe.{xdsl_target.__name__}"
    return LLVMTarget


def _route_xdsl_llvm_target() -> None:
    """Make plain `xdsl-opt ... -p cpu-pipeline -t llvm` work: `llvm` is xDSL's target name
    (a second universe may not define it), so wrap xDSL's own entry instead."""
    original = XDSL_UNIVERSE.all_targets.get("llvm")
    if original is None or getattr(original, "ziggurat_routed", False):
        return

    def get_llvm() -> type[Target]:
        return _llvm_target_for_xdsl_opt(original())

    get_llvm.ziggurat_routed = True  # type: ignore[attr-defined]
    XDSL_UNIVERSE.all_targets["llvm"] = get_llvm


def _universes() -> list[Universe]:
    """The `xdsl.universe` entry points of installed packages other than Ziggurat's own
    (xDSL's universe among them), loaded."""
    found = importlib.metadata.entry_points(group="xdsl.universe")
    loaded = [ep.load() for ep in found if ep.name != "ziggurat"]
    return [u for u in loaded if isinstance(u, Universe)]


def all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """Every pass usable in a Ziggurat pipeline string: xDSL's, those of other packages'
    `xdsl.universe` entry points, and Ziggurat's (incl. plug-ins and registered passes)."""
    passes = get_xdsl_passes()
    for universe in _universes():
        passes.update(universe.all_passes)
    return {**passes, **get_all_passes()}


def make_context() -> Context:
    """A context that knows every xDSL dialect and Ziggurat's, loaded lazily on first use."""
    return default_context()


_route_xdsl_llvm_target()

ZIGGURAT_UNIVERSE = Universe(
    all_dialects=get_all_dialects(),
    all_passes=get_all_passes(),
    # `llvm` clashes with xDSL's own target: xdsl-opt keeps its own, ziggurat-opt overrides it.
    all_targets={k: v for k, v in get_all_targets().items() if k != "llvm"},
)
