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
