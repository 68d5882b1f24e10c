"""Ziggurat's passes. Each pass lives in its own module, named like the pass.

`canonicalize` is xDSL's own pass: ztensor ops carry their canonicalization patterns in a
trait (see ziggurat/dialects/ztensor_canonicalization.py), so it picks them up.

Passes come from three places: the table below (Ziggurat's own), the `ziggurat.passes`
entry-point group of installed packages, and `register_pass` (a decorator for passes defined
in user code or in a file loaded with `ziggurat-opt --load-plugin FILE.py`).
"""

from collections.abc import Callable
from importlib import import_module
from importlib.metadata import entry_points
from typing import TypeVar

from xdsl.passes import ModulePass

_PassT = TypeVar("_PassT", bound=type[ModulePass])

# Pass name -> "module:ClassName", one line per pass, sorted by name.
BUILTIN_PASSES: dict[str, str] = {
    "bufferize": "ziggurat.lowering.bufferize:BufferizePass",
    "convert-to-llvm": "ziggurat.lowering.convert_to_llvm:ConvertToLLVMPass",
    "cpu-pipeline": "ziggurat.passes.cpu_pipeline:CpuPipelinePass",
    "eqsat": "ziggurat.passes.eqsat:EqsatPass",
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
    """Register a user pass (decorator); it then appears in ziggurat-opt and pipeline strings."""
    if not getattr(cls, "name", None):
        raise ValueError(f"pass class {cls.__name__} has no `name`")
    if cls.name in BUILTIN_PASSES:
        raise ValueError(f"pass name '{cls.name}' is already taken by a Ziggurat pass")
    _USER_PASSES[cls.name] = cls
    return cls


def get_all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """Pass name -> lazy loader of the pass class: Ziggurat's, plug-ins' and registered ones."""
    passes = {name: _loader(target) for name, target in BUILTIN_PASSES.items()}
    for ep in entry_points(group="ziggurat.passes"):
        passes.setdefault(ep.name, _loader(ep.value))
    for name, cls in _USER_PASSES.items():
        passes[name] = _registered(cls)
    return passes


def _registered(cls: type[ModulePass]) -> Callable[[], type[ModulePass]]:
    return lambda: cls
