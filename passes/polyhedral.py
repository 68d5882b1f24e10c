"""The polyhedral model of zloop nests (islpy): iteration domains, accesses, exact dependences.

`analyze(loop)` reads a nest of `zloop.for` / `zloop.parallel` loops whose bounds are affine
(the ops' affine maps over outer induction variables, `index` constants and `index` function
arguments, which become isl parameters) and builds, for every memory access in it
(`memref.load/store`, `vector.load/store/maskedload/maskedstore`, whose indices must be affine
in the same values through `arith.addi/subi/muli` by constants):

- its statement's **iteration domain** (an `isl.Set` over the enclosing induction variables;
  a step `s > 1` is `iv = lb + s*k`);
- its **access relation** (an `isl.Map` from the domain to the memref's index space; a
  vector access touches `W` consecutive elements of the last dimension);
- the statement's position in the nest's sequential order (a 2d+1 schedule: the op's
  position in each body interleaved with the induction variables).

`NestModel.dependences` are then the exact RAW (flow), WAR (anti) and WAW (output)
dependences between every pair of accesses to the same memref value, each with its distance
vectors over the loops its two ends share. Distinct memref values are assumed not to alias
(the runtime rejects calls whose output buffers overlap); a nest that accesses one buffer
both directly and through a reshaped view of it raises `NotAffine`. `is_parallel`,
`can_tile` and `Dependence.has_distance` answer the questions the loop transforms ask. A nest the model cannot describe (a non-affine index,
an op with regions or calls inside, a memref access it does not know) raises `NotAffine`
naming the op and why. Loops with iter_args are described (`NestModel.carrying` lists them:
their values flow through registers, so they are never parallel).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import islpy as isl
from xdsl.dialects import arith, memref, vector
from xdsl.dialects.builtin import IndexType, IntegerAttr, VectorType
from xdsl.ir import BlockArgument, Operation, SSAValue
from xdsl.ir.affine import (
    AffineBinaryOpExpr,
    AffineBinaryOpKind,
    AffineConstantExpr,
    AffineDimExpr,
    AffineExpr,
    AffineMap,
    AffineSymExpr,
)

from ziggurat.dialects import zloop


class NotAffine(Exception):
    """The nest has something the polyhedral model cannot describe (`op`: where)."""

    def __init__(self, op: Operation, why: str) -> None:
        super().__init__(f"'{op.name}' {why}")
        self.op = op


@dataclass
class Loop:
    """One loop dimension of the nest: a `zloop.for` or one dimension of a `zloop.parallel`."""

    op: Operation
    iv: SSAValue
    name: str


@dataclass
class Access:
    """One memory access: `relation` maps the statement's domain to the elements it touches."""

    op: Operation
    memref: SSAValue
    is_write: bool
    statement: str
    loops: tuple[Loop, ...]
    relation: Any
    """isl.Map from the statement's domain to the memref's index space."""
    schedule: Any = None
    """isl.Map from the domain to its time in the nest's sequential order (2d+1)."""
    order: tuple[str, ...] = ()
    params: str = ""
    domain: str = ""


@dataclass
class Dependence:
    """`target` touches an element `source` touched earlier, at least one of them writing."""

    kind: str
    """"RAW" (flow), "WAR" (anti) or "WAW" (output)."""
    source: Access
    target: Access
    relation: Any
    """isl.Map from the source's iterations to the target's that depend on them."""
    common: tuple[Loop, ...]
    """The loops enclosing both ends, outermost first."""
    distances: Any
    """isl.Set of (target - source) iteration vectors over `common`."""

    def has_distance(self, condition: str) -> bool:
        """Whether some distance vector `[d0, d1, ...]` (one component per loop of `common`)
        satisfies `condition`, an isl constraint over those names."""
        d = [f"d{k}" for k in range(len(self.common))]
        probe = isl.Set(f"{{ [{', '.join(d)}] : {condition} }}")
        return not _same_space(self.distances, probe).is_empty()

    def carried_by(self, level: int) -> bool:
        """Whether a distance has its first non-zero component at `common[level]`."""
        if level >= len(self.common):
            return False
        zeros = " and ".join(f"d{k} = 0" for k in range(level)) or "true"
        return self.has_distance(f"{zeros} and (d{level} > 0 or d{level} < 0)")

    def negative_in(self, band: range) -> bool:
        """Whether some distance not carried outside `band` (zero on the loops before it) has
        a negative component inside it (what makes rectangular tiling of the band illegal)."""
        if not self.common or band.start >= len(self.common):
            return False
        outer = " and ".join(f"d{k} = 0" for k in range(band.start)) or "true"
        negative = " or ".join(f"d{k} < 0" for k in band if k < len(self.common))
        return self.has_distance(f"{outer} and ({negative})")

    def describe(self) -> str:
        dist = self.distances.lexmin() if not self.distances.is_empty() else self.distances
        return (
            f"{self.kind} dependence from '{self.source.op.name}' to '{self.target.op.name}' "
            f"on {self.source.memref.name_hint or 'a memref'} (distance {dist})"
        )


def _same_space(distances: Any, probe: Any) -> Any:
    """`distances` ∩ `probe`, with `probe`'s space aligned to the distances' parameters."""
    probe = probe.align_params(distances.get_space())
    return distances.reset_tuple_id().intersect(probe.reset_tuple_id())


@dataclass
class NestModel:
    """The polyhedral model of one loop nest (see the module docstring)."""

    root: Operation
    loops: list[Loop] = field(default_factory=list)
    accesses: list[Access] = field(default_factory=list)
    dependences: list[Dependence] = field(default_factory=list)
    carrying: list[Operation] = field(default_factory=list)
    """The `zloop.for` loops that carry values between iterations (iter_args): a dependence
    through registers, which no memory access shows."""

    def is_parallel(self, loop: Operation, dim: int = 0) -> bool:
        """Whether no dependence is carried by `loop` (its dimension `dim` for a parallel op):
        its iterations may run in any order."""
        if loop in self.carrying:
            return False
        target = next(lp for lp in self.loops if lp.op is loop and lp.name.endswith(f"_{dim}"))
        for dep in self.dependences:
            for level, lp in enumerate(dep.common):
                if lp is target and dep.carried_by(level):
                    return False
        return True

    def can_tile(self, band: list[Operation]) -> Dependence | None:
        """None when rectangular tiling of the perfectly nested `band` (outermost first) is
        legal: every dependence not carried outside the band has non-negative distances in
        it. Otherwise a dependence that forbids it."""
        targets = [lp for lp in self.loops if lp.op in band]
        for dep in self.dependences:
            levels = [k for k, lp in enumerate(dep.common) if lp in targets]
            if not levels:
                continue
            if dep.negative_in(range(levels[0], levels[-1] + 1)):
                return dep
        return None


def analyze(root: Operation) -> NestModel:
    """The model of the nest rooted at `root` (a `zloop.for` or `zloop.parallel`)."""
    builder = _Builder(root)
    builder.walk_loop(root, [], [], [])
    buffers: dict[SSAValue, Access] = {}
    for a in builder.accesses:
        base = _buffer_of(a.memref)
        seen = buffers.setdefault(base, a)
        if seen.memref is not a.memref:
            raise NotAffine(
                a.op,
                "accesses a buffer that the nest also accesses through a view of another shape",
            )
    model = NestModel(root, builder.loops, builder.accesses, carrying=builder.carrying)
    length = max((len(a.order) for a in builder.accesses), default=1)
    for a in builder.accesses:
        times = [*a.order, *["0"] * (length - len(a.order))]  # same length: lex order
        ivs = ", ".join(lp.name for lp in a.loops)
        a.schedule = isl.Map(
            f"{a.params}{{ {a.statement}[{ivs}] -> [{', '.join(times)}] : {a.domain} }}"
        )
    for src in builder.accesses:
        for tgt in builder.accesses:
            if src.memref is not tgt.memref or not (src.is_write or tgt.is_write):
                continue
            dep = _dependence(src, tgt)
            if dep is not None:
                model.dependences.append(dep)
    return model


def _buffer_of(mem: SSAValue) -> SSAValue:
    """The memref whose memory `mem` is (through `memref.collapse_shape`/`expand_shape` views)."""
    while isinstance(mem.owner, memref.CollapseShapeOp | memref.ExpandShapeOp):
        mem = mem.owner.src
    return mem


def _dependence(src: Access, tgt: Access) -> Dependence | None:
    same = src.relation.apply_range(tgt.relation.reverse())
    order = src.schedule.lex_lt_map(tgt.schedule)
    rel = same.intersect(order)
    if rel.is_empty():
        return None
    kind = "WAW" if src.is_write and tgt.is_write else "RAW" if src.is_write else "WAR"
    common: list[Loop] = []
    for a, b in zip(src.loops, tgt.loops, strict=False):
        if a is not b:
            break
        common.append(a)
    c = len(common)
    names_s = [lp.name for lp in src.loops]
    names_t = [lp.name for lp in tgt.loops]
    params = _params_of(rel)
    proj_s = isl.Map(
        f"{params}{{ {src.statement}[{', '.join(names_s)}] -> C[{', '.join(names_s[:c])}] }}"
    )
    proj_t = isl.Map(
        f"{params}{{ {tgt.statement}[{', '.join(names_t)}] -> C[{', '.join(names_t[:c])}] }}"
    )
    proj_s = proj_s.align_params(rel.get_space())
    proj_t = proj_t.align_params(rel.get_space())
    distances = rel.apply_domain(proj_s).apply_range(proj_t).deltas()
    return Dependence(kind, src, tgt, rel, tuple(common), distances)


def _params_of(obj: Any) -> str:
    n = obj.dim(isl.dim_type.param)
    names = [obj.get_dim_name(isl.dim_type.param, k) for k in range(n)]
    return f"[{', '.join(names)}] -> " if names else ""


class _Builder:
    def __init__(self, root: Operation) -> None:
        self.root = root
        self.loops: list[Loop] = []
        self.accesses: list[Access] = []
        self.params: dict[SSAValue, str] = {}
        self.names: dict[SSAValue, str] = {}
        self.carrying: list[Operation] = []
        self.count = 0

    # ----- affine expressions ----------------------------------------------------------------

    def expr(self, v: SSAValue, at: Operation) -> str:
        """`v` as an isl affine expression over loop names and parameters."""
        if v in self.names:
            return self.names[v]
        if isinstance(v, BlockArgument):
            if isinstance(v.type, IndexType) and not self._inside(v):
                return self.param(v)
            raise NotAffine(at, "uses a block argument that is not a loop index")
        op = v.owner
        assert isinstance(op, Operation)
        if not self._inside_op(op) and isinstance(v.type, IndexType) and not op.regions:
            if isinstance(op, arith.ConstantOp) and isinstance(op.value, IntegerAttr):
                return str(op.value.value.data)
            return self.param(v)
        if isinstance(op, arith.ConstantOp) and isinstance(op.value, IntegerAttr):
            return str(op.value.value.data)
        if isinstance(op, arith.AddiOp | arith.SubiOp):
            sign = "+" if isinstance(op, arith.AddiOp) else "-"
            return f"({self.expr(op.lhs, at)} {sign} {self.expr(op.rhs, at)})"
        if isinstance(op, arith.MuliOp):
            lhs, rhs = self.expr(op.lhs, at), self.expr(op.rhs, at)
            if _is_int(lhs) or _is_int(rhs):
                return f"({lhs} * {rhs})"
        raise NotAffine(at, f"has an index computed by '{op.name}', which is not affine")

    def param(self, v: SSAValue) -> str:
        if v not in self.params:
            self.params[v] = f"p{len(self.params)}"
        return self.params[v]

    def _inside(self, v: BlockArgument) -> bool:
        return self._inside_op(v.block.parent_op())

    def _inside_op(self, op: Operation | None) -> bool:
        while op is not None:
            if op is self.root:
                return True
            op = op.parent_op()
        return False

    def map_expr(self, e: AffineExpr, dims: list[str], syms: list[str], at: Operation) -> str:
        if isinstance(e, AffineConstantExpr):
            return str(e.value)
        if isinstance(e, AffineDimExpr):
            return dims[e.position]
        if isinstance(e, AffineSymExpr):
            return syms[e.position]
        assert isinstance(e, AffineBinaryOpExpr)
        a = self.map_expr(e.lhs, dims, syms, at)
        b = self.map_expr(e.rhs, dims, syms, at)
        match e.kind:
            case AffineBinaryOpKind.Add:
                return f"({a} + {b})"
            case AffineBinaryOpKind.Mul:
                return f"({a} * {b})"
            case AffineBinaryOpKind.FloorDiv:
                return f"floor(({a}) / {b})"
            case AffineBinaryOpKind.CeilDiv:
                return f"ceil(({a}) / {b})"
            case AffineBinaryOpKind.Mod:
                return f"(({a}) mod {b})"
        raise NotAffine(at, f"has an affine expression isl cannot take ({e})")

    def bound(self, m: AffineMap, operands: tuple[SSAValue, ...], at: Operation) -> list[str]:
        values = [self.expr(v, at) for v in operands]
        dims, syms = values[: m.num_dims], values[m.num_dims :]
        return [self.map_expr(e, dims, syms, at) for e in m.results]

    # ----- the walk --------------------------------------------------------------------------

    def walk_loop(
        self, op: Operation, loops: list[Loop], constraints: list[str], positions: list[int]
    ) -> None:
        if isinstance(op, zloop.ForOp):
            dims = [
                (
                    op.induction_var,
                    op.lowerBoundMap.data,
                    tuple(op.lowerBoundOperands),
                    op.upperBoundMap.data,
                    tuple(op.upperBoundOperands),
                    op.step_value,
                )
            ]
        else:
            assert isinstance(op, zloop.ParallelOp)
            dims = [
                (iv, d.lower_map, d.lower_operands, d.upper_map, d.upper_operands, d.step)
                for iv, d in zip(op.induction_vars, op.dimensions(), strict=True)
            ]
        inner = list(loops)
        cons = list(constraints)
        for k, (iv, lb, lbo, ub, ubo, step) in enumerate(dims):
            name = f"i{len(self.loops)}_{k}"
            lows = self.bound(lb, lbo, op)
            highs = self.bound(ub, ubo, op)
            cons += [f"{name} >= {e}" for e in lows] + [f"{name} < {e}" for e in highs]
            if step != 1:
                if len(lows) != 1:
                    raise NotAffine(op, "has a step other than 1 and several lower bounds")
                cons.append(f"exists (q_{name}: {name} = {lows[0]} + {step} * q_{name})")
            loop = Loop(op, iv, name)
            self.loops.append(loop)
            self.names[iv] = name
            inner.append(loop)
        block = op.regions[0].block
        for position, child in enumerate(block.ops):
            self.walk_op(child, inner, cons, [*positions, position])

    def walk_op(
        self, op: Operation, loops: list[Loop], constraints: list[str], positions: list[int]
    ) -> None:
        if isinstance(op, zloop.ForOp | zloop.ParallelOp):
            self.walk_loop(op, loops, constraints, positions)
            return
        if isinstance(op, zloop.YieldOp):
            parent = op.parent_op()
            if op.operands and isinstance(parent, zloop.ForOp):
                self.carrying.append(parent)
            return
        access = access_of(op)
        if access is not None:
            mem, indices, width, is_write = access
            self.add_access(op, mem, indices, width, is_write, loops, constraints, positions)
            return
        if op.regions:
            raise NotAffine(op, "is a region op the polyhedral model does not handle")
        if op.dialect_name() in ("arith", "math") or isinstance(op, vector.BroadcastOp):
            return
        if isinstance(op, vector.FMAOp | vector.ReductionOp | vector.CreateMaskOp):
            return
        if isinstance(op, zloop.CmpfOp | zloop.SelectOp):
            return
        raise NotAffine(op, "may touch memory in a way the polyhedral model does not know")

    def add_access(
        self,
        op: Operation,
        mem: SSAValue,
        indices: list[SSAValue],
        width: int,
        is_write: bool,
        loops: list[Loop],
        constraints: list[str],
        positions: list[int],
    ) -> None:
        name = f"S{self.count}"
        self.count += 1
        ivs = [lp.name for lp in loops]
        exprs = [self.expr(v, op) for v in indices]
        params = [self.params[v] for v in self.params]
        head = f"[{', '.join(params)}] -> " if params else ""
        domain = " and ".join(constraints) or "true"
        out = [f"a{k}" for k in range(len(exprs))]
        eqs = [f"a{k} = {e}" for k, e in enumerate(exprs[:-1])]
        if exprs:
            last = len(exprs) - 1
            if width > 1:
                eqs.append(f"{exprs[-1]} <= a{last} < {exprs[-1]} + {width}")
            else:
                eqs.append(f"a{last} = {exprs[-1]}")
        rel_text = " and ".join([domain, *eqs])
        relation = isl.Map(
            f"{head}{{ {name}[{', '.join(ivs)}] -> M[{', '.join(out)}] : {rel_text} }}"
        )
        # The 2d+1 schedule: the position in the root's body (0), then each loop's index
        # and the position in its body. A parallel op's dimensions share one position.
        order: list[str] = ["0"]
        level = 0
        for k, lp in enumerate(loops):
            last_dim = k + 1 == len(loops) or loops[k + 1].op is not lp.op
            order += [lp.name, str(positions[level]) if last_dim else "0"]
            level += last_dim
        self.accesses.append(
            Access(
                op, mem, is_write, name, tuple(loops), relation, None, tuple(order), head, domain
            )
        )


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def access_of(op: Operation) -> tuple[SSAValue, list[SSAValue], int, bool] | None:
    """(memref, indices, elements touched along the last index, whether it writes)."""
    if isinstance(op, memref.LoadOp):
        return op.memref, list(op.indices), 1, False
    if isinstance(op, memref.StoreOp):
        return op.memref, list(op.indices), 1, True
    if isinstance(op, vector.LoadOp | vector.MaskedLoadOp):
        ty = op.result.type
        width = ty.get_shape()[-1] if isinstance(ty, VectorType) else 1
        return op.base, list(op.indices), width, False
    if isinstance(op, vector.StoreOp | vector.MaskedStoreOp):
        stored = op.vector if isinstance(op, vector.StoreOp) else op.value_to_store
        ty = stored.type
        width = ty.get_shape()[-1] if isinstance(ty, VectorType) else 1
        return op.base, list(op.indices), width, True
    return None


__all__ = ["Access", "Dependence", "Loop", "NestModel", "NotAffine", "access_of", "analyze"]
