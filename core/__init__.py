"""Ziggurat: an MLIR-style multi-dialect compiler toolkit in Python, built on xDSL."""

__version__ = "0.1.0"
