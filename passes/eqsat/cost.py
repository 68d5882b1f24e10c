"""Costs for `eqsat` extraction: a hardware description and a roofline cost per e-node.

`Hardware` holds peak FLOP/s, memory bandwidth, cache sizes and vector width. `Hardware.detect()`
reads them from the host (/proc/cpuinfo, /sys cache sizes, `os.cpu_count()`) and falls back to
defaults; `Hardware.from_json(path)` reads a file with the same field names.

`RooflineCostModel` prices an unfused op at `max(flops / peak, bytes / bandwidth) + launch`
(seconds), where the bandwidth is that of the level the op's working set fits in: L1 or L2
(all cores' caches together), L3, or DRAM (`Hardware.level_bandwidth`). Fused kernels
are priced piecewise so that costs stay additive over e-nodes (what the extractors need): the
kernel node pays its launch and its output write, each `ep_in` pays one read of its input, and
each body op pays only its arithmetic — intermediates are never written or read back. A
matmul kernel's core (`MCore`) pays its arithmetic and one read of each operand (overlapped,
as in the roofline). One kernel node is one `ztile.grid` after `ztensor-to-ztile`: the kernel
forms eqsat builds are exactly those the lowering computes in one grid (see docs/eqsat.md).

Any object with `node_cost(NodeInfo) -> float` is a `CostModel`; pass `cost-model=module:Class`
to the pass to use one.
"""

from __future__ import annotations

import importlib
import json
import os
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Protocol

from ziggurat.dialects import optable
from ziggurat.passes.eqsat.terms import OPS, TType, egg_name

# Arithmetic per element, in FLOP-equivalents (transcendentals are polynomial + range
# reduction), by egglog op name: the op table's `flops`.
UNARY_FLOPS = {egg_name(row.name): row.flops for row in optable.UNARY}
BINARY_FLOPS = {egg_name(row.name): row.flops for row in optable.BINARY}


@dataclass(frozen=True)
class Hardware:
    """What the roofline needs to know about a machine (all cores together)."""

    peak_flops: float = 1.0e11
    """FLOP/s of f32 FMA arithmetic over all cores."""
    bandwidth: float = 2.0e10
    """DRAM bytes/s."""
    l1_bytes: int = 32 * 1024
    """Data cache per core (as are the L2 sizes; L3 is shared)."""
    l2_bytes: int = 1024 * 1024
    l3_bytes: int = 32 * 1024 * 1024
    vector_bits: int = 256
    cores: int = 1
    launch_seconds: float = 2.0e-6
    """Fixed cost of one kernel (loop setup, call, thread wake-up)."""
    l1_bandwidth: float = 0.0
    """Bytes/s out of L1 over all cores; 0: 16 x `bandwidth`."""
    l2_bandwidth: float = 0.0
    """Bytes/s out of L2 over all cores; 0: 4 x `bandwidth`."""
    l3_bandwidth: float = 0.0
    """Bytes/s out of L3; 0: 2 x `bandwidth`."""

    def level_bandwidth(self, working_set: float) -> float:
        """Bytes/s of the fastest level `working_set` bytes fit in (L1 and L2: all cores')."""
        if working_set <= self.l1_bytes * self.cores:
            return self.l1_bandwidth or self.bandwidth * 16
        if working_set <= self.l2_bytes * self.cores:
            return self.l2_bandwidth or self.bandwidth * 4
        if working_set <= self.l3_bytes:
            return self.l3_bandwidth or self.bandwidth * 2
        return self.bandwidth

    @staticmethod
    def detect() -> Hardware:
        """The host's description, from /proc/cpuinfo and /sys; defaults where unreadable."""
        cores = os.cpu_count() or 1
        vector_bits = 128
        try:
            info = Path("/proc/cpuinfo").read_text()
            flags = set(re.search(r"^flags\s*:(.*)$", info, re.M).group(1).split())  # type: ignore[union-attr]
            vector_bits = 512 if "avx512f" in flags else 256 if "avx2" in flags else 128
        except (OSError, AttributeError):
            pass
        mhz = _nominal_mhz()
        caches = _sys_caches()
        lanes = vector_bits // 32
        # Two FMA pipes, two FLOPs per FMA.
        peak = cores * mhz * 1e6 * lanes * 2 * 2
        # Two vector loads per cycle out of L1, 32 bytes per cycle out of L2, per core; L3
        # and DRAM cannot be derived from the clock (nominal multiples of 20 GB/s).
        return Hardware(
            peak_flops=peak,
            bandwidth=2.0e10,
            l1_bytes=caches.get(1, 32 * 1024),
            l2_bytes=caches.get(2, 1024 * 1024),
            l3_bytes=caches.get(3, 32 * 1024 * 1024),
            vector_bits=vector_bits,
            cores=cores,
            l1_bandwidth=cores * mhz * 1e6 * (vector_bits // 8) * 2,
            l2_bandwidth=cores * mhz * 1e6 * 32,
        )

    @staticmethod
    def from_json(path: str) -> Hardware:
        """Read a JSON object whose keys are some of this class's fields."""
        data = json.loads(Path(path).read_text())
        known = {f.name for f in fields(Hardware)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"{path}: unknown hardware field(s) {sorted(unknown)}")
        return Hardware(**data)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _nominal_mhz() -> float:
    """The CPU's nominal clock: cpufreq's base (or maximum) frequency, else 2500 MHz. Never the
    live `cpu MHz` of /proc/cpuinfo, which moves with load and would make the extracted program
    depend on the moment it was compiled."""
    base = Path("/sys/devices/system/cpu/cpu0/cpufreq")
    for name in ("base_frequency", "cpuinfo_max_freq"):
        try:
            khz = float((base / name).read_text().strip())
        except (OSError, ValueError):
            continue
        if khz > 0:
            return khz / 1000
    return 2500.0


def _sys_caches() -> dict[int, int]:
    out: dict[int, int] = {}
    base = Path("/sys/devices/system/cpu/cpu0/cache")
    try:
        for index in base.glob("index*"):
            kind = (index / "type").read_text().strip()
            if kind == "Instruction":
                continue
            level = int((index / "level").read_text())
            size = (index / "size").read_text().strip()
            mult = {"K": 1024, "M": 1024 * 1024}.get(size[-1], 1)
            out[level] = int(size.rstrip("KM")) * mult
    except (OSError, ValueError):
        pass
    return out


@dataclass(frozen=True)
class NodeInfo:
    """An e-node as a cost model sees it: constructor, attributes, operand and result types.

    `inputs` are the types of the children (Op or Ep e-classes); `category` is the constructor's
    category in `terms.OPS` ("unary", "matmul", "fused", "ep_in", ...).
    """

    op: str
    category: str
    attrs: tuple[Any, ...]
    inputs: tuple[TType, ...]
    output: TType

    @property
    def sort(self) -> str:
        """The constructor's sort: "Op" (a tensor value), "Ep" or "Mp" (inside a kernel)."""
        spec = OPS.get(self.op)
        return spec.sort if spec is not None else "Op"

    @property
    def base_op(self) -> str:
        """The ztensor op a node computes, as an egglog Op name ("Add" for EAdd, MAddR...)."""
        spec = OPS.get(self.op)
        if spec is None or spec.ztensor is None:
            return self.op
        return "".join(p.capitalize() for p in spec.ztensor.name.split(".")[1].split("_"))


class CostModel(Protocol):
    """Anything that prices an e-node; costs must be non-negative and are summed over a DAG."""

    def node_cost(self, node: NodeInfo) -> float: ...


def flops(node: NodeInfo) -> float:
    """Arithmetic of one node (FLOP-equivalents)."""
    out = node.output.elements
    c = node.category
    if c == "unary":
        return UNARY_FLOPS.get(node.base_op, 1) * out
    if c == "binary":
        return BINARY_FLOPS.get(node.base_op, 1) * out
    if c == "matmul":
        a = node.inputs[0]
        return 2.0 * out * (a.shape[-1] if a.shape else 1)
    if c in ("reduce", "fused_reduce"):
        return float(node.inputs[0].elements)
    if c in ("softmax", "fused_softmax"):
        return 14.0 * out
    if c in ("layernorm", "fused_layernorm"):
        return 10.0 * out
    return 0.0


def _bytes(t: TType) -> float:
    return float(t.elements * t.itemsize)


class RooflineCostModel:
    """Seconds per node under a roofline of `hardware` (see the module docstring)."""

    def __init__(self, hardware: Hardware | None = None):
        self.hw = hardware or Hardware.detect()

    def bandwidth(self, working_set: float) -> float:
        return self.hw.level_bandwidth(working_set)

    def node_cost(self, node: NodeInfo) -> float:
        c = node.category
        hw = self.hw
        if c in ("leaf", "scalar"):
            return 0.0
        if c == "ep_in":
            t = node.inputs[0]
            return 0.0 if t.shape == () else _bytes(t) / self.bandwidth(_bytes(t))
        if node.sort != "Op":  # inside a kernel body
            if c == "matmul":  # the core of a matmul kernel reads both operands
                reads = sum(_bytes(t) for t in node.inputs)
                return max(flops(node) / hw.peak_flops, reads / self.bandwidth(reads))
            return flops(node) / hw.peak_flops
        out = _bytes(node.output)
        if c in ("fused", "fused_matmul"):
            return hw.launch_seconds + out / self.bandwidth(out)
        if c.startswith("fused_"):
            return hw.launch_seconds + out / self.bandwidth(out) + flops(node) / hw.peak_flops
        if c == "reshape":
            return hw.launch_seconds * 0.1
        traffic = out + sum(_bytes(t) for t in node.inputs if t.shape != ())
        compute = flops(node) / hw.peak_flops
        return hw.launch_seconds + max(compute, traffic / self.bandwidth(traffic))


class FlopCostModel:
    """FLOPs plus bytes moved (machine-independent; fused bodies move no bytes)."""

    def node_cost(self, node: NodeInfo) -> float:
        c = node.category
        if c in ("leaf", "scalar"):
            return 0.0
        if c == "ep_in":
            return _bytes(node.inputs[0]) if node.inputs[0].shape else 0.0
        if node.sort != "Op":
            if c == "matmul":
                return flops(node) + sum(_bytes(t) for t in node.inputs)
            return flops(node)
        out = _bytes(node.output)
        if c == "fused" or c.startswith("fused_"):
            return 64.0 + out + flops(node)
        return 64.0 + flops(node) + out + sum(_bytes(t) for t in node.inputs if t.shape != ())


def make_cost_model(name: str, hardware: str = "") -> CostModel:
    """`roofline` (default), `flops`, or `module:Class` (a class with `node_cost`)."""
    hw = Hardware.from_json(hardware) if hardware else Hardware.detect()
    if name in ("", "roofline"):
        return RooflineCostModel(hw)
    if name == "flops":
        return FlopCostModel()
    if ":" in name:
        module, _, cls = name.partition(":")
        factory = getattr(importlib.import_module(module), cls)
        try:
            model = factory(hw)
        except TypeError:
            model = factory()
        if not callable(getattr(model, "node_cost", None)):
            raise ValueError(f"cost model {name} has no node_cost method")
        return model
    raise ValueError(f"unknown cost model '{name}' (roofline, flops or module:Class)")
