"""The verifier: xDSL's verifier plus SSA dominance, with located errors.

`verify_operation(op, buffer)` runs xDSL's verifier op by op and also checks SSA dominance,
which xDSL does not, reporting the first failure as a `DiagnosticError` at the operation's
`FILE:LINE:COL` (operations parsed by `ziggurat.parsing` carry their locations).
`region_kind(op, index)` / `GraphRegions` say which regions obey SSA dominance (MLIR's
`RegionKindInterface`, which xDSL lacks).

Part of the IR infrastructure below the dialects (docs/layout.md): a dialect may put
`GraphRegions` on its ops.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from io import StringIO
from typing import Literal

from xdsl.dialects.builtin import UnregisteredOp
from xdsl.ir import Block, BlockArgument, Operation, OpResult, Region, SSAValue
from xdsl.traits import OpTrait
from xdsl.utils.exceptions import DiagnosticException, VerifyException

from ziggurat.diagnostics import (
    XDSL_LIMITS,
    Diagnostic,
    DiagnosticError,
    SourceBuffer,
    exception_message,
    op_diagnostic,
    op_location,
)

# ---------------------------------------------------------------------------------------------
# Region kinds and SSA dominance
# ---------------------------------------------------------------------------------------------

RegionKind = Literal["ssacfg", "graph"]
"""MLIR's `RegionKind`: `ssacfg` regions obey SSA dominance, `graph` regions do not."""


class GraphRegions(OpTrait):
    """Marks an operation whose regions are graph regions (no SSA dominance).

    The counterpart of MLIR's `RegionKindInterface` returning `RegionKind::Graph` (and of
    its `HasOnlyGraphRegion` trait), which xDSL lacks: inside such a region, uses and
    definitions may come in any order and values may form cycles. `indices` limits it to
    some regions (by position); the default is all of them. Add it to an op's `traits`.
    """

    indices: tuple[int, ...]

    def __init__(self, *indices: int):
        object.__setattr__(self, "indices", tuple(indices))

    def region_kind(self, index: int) -> RegionKind:
        return "graph" if not self.indices or index in self.indices else "ssacfg"


GRAPH_REGION_OPS: frozenset[str] = frozenset({"builtin.module", "equivalence.graph"})
"""Operations of xDSL's dialects whose regions are graph regions: `builtin.module` (as in
MLIR, whose `ModuleOp` has `HasOnlyGraphRegion`) and `equivalence.graph` (an e-graph, whose
e-classes may refer to each other in cycles)."""

REGISTER_LEVEL_DIALECTS: frozenset[str] = frozenset(
    {
        "arm", "arm_func", "arm_neon", "riscv", "riscv_cf", "riscv_debug", "riscv_func",
        "riscv_scf", "riscv_snitch", "rv32", "rv64", "snitch", "snitch_stream", "x86",
        "x86_func", "x86_scf",
    }
)  # fmt: skip
"""xDSL's assembly-level dialects. Their SSA values name machine registers and their
branches jump to labels, so a register may be written in one block and read in another
that the CFG does not show it dominates; their regions are not SSA-CFG regions."""

EGRAPH_NODE_OPS: frozenset[str] = frozenset({"equivalence.class", "equivalence.const_class"})
"""E-class operations of xDSL's `equivalence` dialect. Equality saturation
(`apply-eqsat-pdl-interp`) leaves an e-graph inline in a function body, where an e-class
may use an operation that uses the e-class (a cycle): a use of an e-class, or by one, is
an e-graph edge, checked only for scope (the use lies in the region of the definition),
not for order."""

UNKNOWN_KIND_DIALECTS: frozenset[str] = frozenset({"test"})
"""Dialects of placeholder operations (xDSL's `test.op`, `test.termop`, ...) whose region
kind is unknown, like an unregistered operation's in MLIR: their regions are not checked."""


def region_kind(op: Operation, index: int) -> RegionKind:
    """The kind of region `index` of `op`, as MLIR's `RegionKindInterface` would say.

    In order: a `GraphRegions` trait on the op; `GRAPH_REGION_OPS`; operations of unknown
    kind (unregistered operations, `UNKNOWN_KIND_DIALECTS`) and of xDSL's assembly-level
    dialects (`REGISTER_LEVEL_DIALECTS`, or ops that xDSL's backend marks as assembly
    printable or register allocatable) are `graph`; everything else is `ssacfg`, MLIR's
    default for an operation without `RegionKindInterface`.
    """
    trait = op.get_trait(GraphRegions)
    if trait is not None:
        return trait.region_kind(index)
    if op.name in GRAPH_REGION_OPS or isinstance(op, UnregisteredOp):
        return "graph"
    dialect = op.name.split(".", 1)[0] if "." in op.name else ""
    if dialect in UNKNOWN_KIND_DIALECTS or dialect in REGISTER_LEVEL_DIALECTS:
        return "graph"
    if _is_register_level(type(op)):
        return "graph"
    return "ssacfg"


@functools.cache
def _backend_classes() -> tuple[tuple[type, ...], tuple[type, ...]]:
    """(register types, assembly-level op classes) of xDSL's backend, imported on first use."""
    try:
        from xdsl.backend.assembly_printer import AssemblyPrintable
        from xdsl.backend.register_allocatable import RegisterAllocatableOperation
        from xdsl.backend.register_type import RegisterType
    except ImportError:  # pragma: no cover - an xDSL without the backend package
        return (), ()
    return (RegisterType,), (AssemblyPrintable, RegisterAllocatableOperation)


def _is_register_level(op_type: type[Operation]) -> bool:
    return issubclass(op_type, _backend_classes()[1])


def _is_register(value: SSAValue) -> bool:
    """Whether `value` is a machine register of xDSL's assembly-level dialects (its type is
    a `RegisterType`): assembly code writes and reads registers across jumps, also inside
    SSA-CFG regions such as a `func.func` body, so dominance does not apply to it."""
    return isinstance(value.type, _backend_classes()[0])


def has_ssa_dominance(region: Region) -> bool:
    """Whether `region` obeys SSA dominance (an SSA-CFG region, or a region with no owner)."""
    owner = region.parent
    if owner is None:
        return True
    index = next(i for i, r in enumerate(owner.regions) if r is region)
    return region_kind(owner, index) == "ssacfg"


@dataclass
class _DomTree:
    """The dominator tree of one region's CFG (reachable blocks only), as DFS intervals."""

    entry: Block
    interval: dict[Block, tuple[int, int]]
    """Reachable block -> (entry time, exit time) in a DFS of the dominator tree."""

    @staticmethod
    def build(region: Region) -> _DomTree:
        entry = region.first_block
        assert entry is not None

        def successors(block: Block) -> Iterable[Block]:
            last = block.last_op
            if last is None:
                return ()
            return [s for s in last.successors if s.parent is region]

        # Iterative DFS from the entry: postorder numbers of the reachable blocks.
        postorder: list[Block] = []
        seen = {entry}
        stack: list[tuple[Block, list[Block]]] = [(entry, list(successors(entry)))]
        preds: dict[Block, list[Block]] = {entry: []}
        while stack:
            block, todo = stack[-1]
            if todo:
                succ = todo.pop()
                preds.setdefault(succ, []).append(block)
                if succ not in seen:
                    seen.add(succ)
                    stack.append((succ, list(successors(succ))))
            else:
                stack.pop()
                postorder.append(block)
        number = {b: i for i, b in enumerate(postorder)}
        # Cooper, Harvey and Kennedy, "A Simple, Fast Dominance Algorithm" (2001).
        idom: dict[Block, Block] = {entry: entry}

        def intersect(a: Block, b: Block) -> Block:
            while a is not b:
                while number[a] < number[b]:
                    a = idom[a]
                while number[b] < number[a]:
                    b = idom[b]
            return a

        changed = True
        while changed:
            changed = False
            for block in reversed(postorder):
                if block is entry:
                    continue
                new: Block | None = None
                for p in preds.get(block, ()):
                    if p in idom:
                        new = p if new is None else intersect(p, new)
                if new is not None and idom.get(block) is not new:
                    idom[block] = new
                    changed = True
        children: dict[Block, list[Block]] = {}
        for block, parent in idom.items():
            if block is not entry:
                children.setdefault(parent, []).append(block)
        interval: dict[Block, tuple[int, int]] = {}
        clock = 0
        start: dict[Block, int] = {}
        walk: list[tuple[Block, bool]] = [(entry, False)]
        while walk:
            block, done = walk.pop()
            if done:
                interval[block] = (start[block], clock)
                clock += 1
                continue
            start[block] = clock
            clock += 1
            walk.append((block, True))
            walk.extend((c, False) for c in children.get(block, ()))
        return _DomTree(entry, interval)

    def reachable(self, block: Block) -> bool:
        return block in self.interval

    def dominates(self, a: Block, b: Block) -> bool:
        """Whether `a` dominates `b` (both in this region); an unreachable `b` is dominated
        by every block, an unreachable `a` dominates nothing else (as in LLVM)."""
        if a is b:
            return True
        ib = self.interval.get(b)
        if ib is None:
            return True
        ia = self.interval.get(a)
        if ia is None:
            return False
        return ia[0] <= ib[0] and ib[1] <= ia[1]


class _Dominance:
    """MLIR's `DominanceInfo::properlyDominates(Value, Operation*)` for one verification,
    with region kinds: inside a region without SSA dominance every value dominates every
    use in that region (and in the regions nested in it)."""

    def __init__(self) -> None:
        self._order: dict[Block, dict[Operation, int]] = {}
        self._trees: dict[Region, _DomTree] = {}
        self._ssa: dict[Region, bool] = {}

    def _index(self, block: Block, op: Operation) -> int:
        order = self._order.get(block)
        if order is None:
            order = {o: i for i, o in enumerate(block.ops)}
            self._order[block] = order
        return order[op]

    def has_ssa_dominance(self, region: Region) -> bool:
        ssa = self._ssa.get(region)
        if ssa is None:
            ssa = has_ssa_dominance(region)
            self._ssa[region] = ssa
        return ssa

    def _tree(self, region: Region) -> _DomTree:
        tree = self._trees.get(region)
        if tree is None:
            tree = _DomTree.build(region)
            self._trees[region] = tree
        return tree

    def reachable(self, block: Block) -> bool:
        """Whether `block` is reachable from its region's entry (always, outside SSA-CFG
        regions and in single-block regions). MLIR checks operands in reachable blocks only."""
        region = block.parent
        if region is None or region.first_block is block or not self.has_ssa_dominance(region):
            return True
        return self._tree(region).reachable(block)

    @staticmethod
    def _ancestor_in(region: Region, user: Operation) -> Operation | None:
        """`user` or its closest ancestor operation whose block lies in `region`."""
        current: Operation | None = user
        while current is not None:
            block = current.parent_block()
            if block is None:
                return None
            if block.parent is region:
                return current
            current = block.parent_op()
        return None

    def dominates(self, value: SSAValue, user: Operation) -> bool:
        """Whether `value` properly dominates `user` (may be used as its operand)."""
        if _is_register(value):
            return True
        if isinstance(value, OpResult):
            def_op: Operation | None = value.op
            def_block = value.op.parent_block()
        elif isinstance(value, BlockArgument):
            def_op = None
            def_block = value.block
        else:
            return False
        if def_block is None:
            return False
        region = def_block.parent
        if region is None:
            # A detached block: only its own operations may use its values.
            return def_op is None and user.parent_block() is def_block
        ancestor = self._ancestor_in(region, user)
        if ancestor is None:
            return False  # the use is not inside the region that defines the value
        use_block = ancestor.parent_block()
        assert use_block is not None
        if not self.has_ssa_dominance(region):
            return True
        if user.name in EGRAPH_NODE_OPS or (def_op is not None and def_op.name in EGRAPH_NODE_OPS):
            return True
        if use_block is def_block:
            if def_op is None:
                return True
            if ancestor is def_op:
                return False  # used by its own operation, or inside its regions
            return self._index(def_block, def_op) < self._index(def_block, ancestor)
        return self._tree(region).dominates(def_block, use_block)


class DominanceError(VerifyException):
    """A use that its definition does not dominate (the `__cause__` of the located
    `DiagnosticError`), in the form xDSL reports verifier errors."""

    def __init__(self, op: Operation, message: str):
        super().__init__(message)
        self.op = op

    def xdsl_notes(self) -> list[str]:
        """The IR printed generically with the message under the operation, as xDSL's
        `Operation.emit_error` attaches to its verifier errors."""
        from xdsl.printer import Printer
        from xdsl.utils.diagnostic import Diagnostic as XDSLDiagnostic

        diagnostic = XDSLDiagnostic()
        diagnostic.add_message(self.op, str(self))
        stream = StringIO()
        printer = Printer(stream=stream, diagnostic=diagnostic, print_generic_format=True)
        top = self.op.get_toplevel_object()
        if isinstance(top, Operation):
            printer.print_op(top)
            printer.print_string("\n")
        return [stream.getvalue()]


def _verify_failure(
    op: Operation, exc: BaseException, buffer: SourceBuffer | None
) -> DiagnosticError:
    return DiagnosticError(op_diagnostic(op, exception_message(exc), buffer))


def verify_operation(op: Operation, buffer: SourceBuffer | None = None) -> None:
    """Verify `op` and everything nested in it, raising a located `DiagnosticError`.

    Runs xDSL's verifier op by op, nested operations first (as `Operation.verify` does),
    and also checks what xDSL does not: SSA dominance, as MLIR's verifier does. Every operand
    of an operation in a reachable block must properly dominate it; a region that is not an
    SSA-CFG region (`region_kind`: `builtin.module`, `equivalence.graph`, assembly-level
    and unknown operations, ops with `GraphRegions`) lets its values be used anywhere in it.
    `buffer` supplies source lines.
    """
    dominance = _Dominance()

    def visit(current: Operation) -> None:
        for region in current.regions:
            for block in region.blocks:
                for child in block.ops:
                    visit(child)
                if block.first_op is None:
                    try:
                        block.verify()
                    except DiagnosticException as e:
                        raise _verify_failure(current, e, buffer) from e
        block = current.parent_block()
        checked = block is None or dominance.reachable(block)
        for i, operand in enumerate(current.operands if checked else ()):
            if not dominance.dominates(operand, current):
                notes: list[Diagnostic] = []
                if isinstance(operand, OpResult):
                    def_loc = op_location(operand.op)
                    if def_loc is not None:
                        notes.append(
                            buffer.diagnostic("note", "operand defined here", def_loc)
                            if buffer is not None
                            else Diagnostic("note", "operand defined here", def_loc)
                        )
                message = f"operand #{i} does not dominate this use"
                raise DiagnosticError(
                    op_diagnostic(current, message, buffer, notes=notes)
                ) from DominanceError(current, message)
        try:
            current.verify(verify_nested_ops=False)
        except (DiagnosticException, *XDSL_LIMITS) as e:
            # xDSL's verifiers raise its representation limits too (an f128 integer
            # attribute): unsupported input at the op, not an internal error.
            raise _verify_failure(current, e, buffer) from e

    visit(op)
