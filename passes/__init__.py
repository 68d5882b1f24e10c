"""Ziggurat's optimization passes. Each pass lives in its own module, named like the pass.

`canonicalize` is xDSL's own pass: ztensor ops carry their canonicalization patterns in a
trait (see ziggurat/dialects/ztensor_canonicalization.py), so it picks them up.

The passes are registered by name in `ziggurat.universe` (`BUILTIN_PASSES`), which also
loads plug-ins and takes user passes (`register_pass`). This package sits beside
`ziggurat.lowering` in the layers of docs/layout.md: neither imports the other.
"""
