"""The runtime: JIT compilation with llvmlite, the object cache, calling compiled code from numpy."""
