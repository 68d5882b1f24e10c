"""Ziggurat's passes. Each pass lives in its own module, named like the pass.

`canonicalize` is xDSL's own pass: ztensor ops carry their canonicalization patterns in a
trait (see ziggurat/dialects/ztensor_canonicalization.py), so it picks them up.

Passes come from three places: the table below (Ziggurat's own), the `ziggurat.passes`
entry-point group of installed packages, and `register_pass` (a decorator for passes defined
in user code or in a plugin file: a `.py` file loaded with `load_plugins`, named in the
`ZIGGURAT_PLUGINS` environment variable or with `ziggurat-opt --load-plugin FILE.py`).
"""

import hashlib
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from importlib import import_module
from importlib.metadata import entry_points
from types import ModuleType
from typing import TypeVar

from xdsl.passes import ModulePass

_PassT = TypeVar("_PassT", bound=type[ModulePass])

# Pass name -> "module:ClassName", one line per pass, sorted by name.
BUILTIN_PASSES: dict[str, str] = {
    "bufferize": "ziggurat.lowering.bufferize:BufferizePass",
    "convert-to-llvm": "ziggurat.lowering.convert_to_llvm:ConvertToLLVMPass",
    "cpu-pipeline": "ziggurat.passes.cpu_pipeline:CpuPipelinePass",
    "eqsat": "ziggurat.passes.eqsat.eqsat:EqsatPass",
    "ztensor-to-ztile": "ziggurat.lowering.ztensor_to_ztile:ZTensorToZTilePass",
    "ztile-to-zloop": "ziggurat.lowering.ztile_to_zloop:ZTileToZLoopPass",
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
    from xdsl.transforms import get_all_passes as get_xdsl_passes

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
