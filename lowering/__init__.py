"""Lowerings between Ziggurat levels and to LLVM."""
