# ruff: noqa: F821
"""lit configuration for Ziggurat's FileCheck tests (`lit tests/filecheck`)."""

import os

import lit.formats

config.name = "ziggurat"
config.test_format = lit.formats.ShTest()
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.excludes = ["lit.cfg.py", "Output", "Inputs"]
config.environment["PATH"] = os.environ["PATH"]
for var in ("HOME", "ZIGGURAT_CACHE_DIR", "ZIGGURAT_NO_CACHE", "XDG_CACHE_HOME"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

import shutil  # noqa: E402

if shutil.which("iree-opt"):
    config.available_features.add("iree-opt")  # the `interop` extra: IREE as an oracle



def _start_fork_server() -> None:
    """Run RUN lines' ziggurat-opt, ziggurat-run and xdsl-opt through forkserver.py (see its
    docstring): one process imports the tools once, each command is a fork of it."""
    import sys

    if lit_config.params.get("forkserver", os.environ.get("ZIGGURAT_LIT_FORKSERVER", "1")) == "0":
        return
    reals = {tool: shutil.which(tool) for tool in ("ziggurat-opt", "ziggurat-run", "xdsl-opt")}
    if not all(reals.values()):
        return
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import forkserver

    bin_dir, lifeline = forkserver.start(reals)
    # Held open, unused, for the life of lit (and its worker processes): EOF stops the server.
    config._fork_server_lifeline = lifeline
    config.environment["PATH"] = bin_dir + os.pathsep + config.environment["PATH"]


_start_fork_server()
