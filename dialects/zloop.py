"""The `zloop` dialect: affine loop nests on memrefs (the CPU polyhedral level).

Bodies use upstream `arith`, `math`, `memref`, `vector` and `scf` ops. Loop bounds are
`AffineMapAttr`s applied to `index` operands, as in MLIR's `affine.for`: a lower-bound map with
several results means their maximum, an upper-bound map with several results their minimum.
Steps are constant and positive.

Ops:

- `zloop.for` — a sequential loop with an `index` induction variable and optional loop-carried
  values (`iter_args`) that become the op's results.
- `zloop.parallel` — a multi-dimensional loop whose iterations are independent (no results);
  compiled code may run them on several threads, the interpreter runs them in order.
- `zloop.yield` — the terminator of both bodies (carries the next iter_args of a `for`).
- `zloop.cmpf`, `zloop.select` — `arith.cmpf` and `arith.select` on 1-D vectors as well as
  scalars (xDSL 0.74 defines those two on scalars only): the vector compare and select of
  elementwise kernels.

Python construction API:

```
ForOp(lb_operands, lb_map, ub_operands, ub_map, step=1, iter_args=(), body=None)
ForOp.from_constants(lb, ub, step=1, iter_args=(), body=None)
ParallelOp(lb_operands, lb_maps, ub_operands, ub_maps, steps, body=None)
ParallelOp.from_constants(lbs, ubs, steps=None, body=None)
YieldOp(*values)
```

A map argument may be an `AffineMap`, an `AffineMapAttr` or an `int` (a constant bound, no
operands). For `ParallelOp`, `lb_operands`/`ub_operands` hold one operand sequence per
dimension. When `body` is None a fresh block is created with the right arguments
(`index` induction variables, then one argument per iter_arg) and *no terminator*: append
the body ops and a `YieldOp` yourself. `op.induction_var`/`op.induction_vars`,
`op.region_iter_args` and `op.body.block` give access to the block.

Example:
```
%sum = zloop.for %i = 0 to 128 step 16 iter_args(%acc = %zero) -> (vector<16xf32>) {
  %v = vector.load %m[%i] : memref<128xf32>, vector<16xf32>
  %a = arith.addf %acc, %v : vector<16xf32>
  zloop.yield %a : vector<16xf32>
}
zloop.parallel (%i, %j) = (0, 0) to (64, min affine_map<()[s0] -> (s0, 100)>()[%n]) step (1, 16) {
  ...
}
```
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from xdsl.dialects.builtin import (
    AffineMapAttr,
    AnyFloat,
    ArrayAttr,
    DenseArrayBase,
    IndexType,
    IntegerAttr,
    StringAttr,
    VectorType,
    i1,
    i64,
)
from xdsl.ir import Attribute, Block, Dialect, Operation, Region, SSAValue
from xdsl.ir.affine import AffineConstantExpr, AffineExpr, AffineMap, AffineSymExpr
from xdsl.irdl import (
    AnyAttr,
    AttrSizedOperandSegments,
    IRDLOperation,
    VarConstraint,
    irdl_op_definition,
    lazy_traits_def,
    operand_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import Parser, UnresolvedOperand
from xdsl.printer import Printer
from xdsl.traits import (
    HasParent,
    IsTerminator,
    Pure,
    RecursiveMemoryEffect,
    SingleBlockImplicitTerminator,
)
from xdsl.utils.exceptions import VerifyException

MapLike = AffineMap | AffineMapAttr | int


def _types(types: Sequence[Attribute]) -> str:
    return "(" + ", ".join(str(t) for t in types) + ")"


def as_map_attr(bound: MapLike) -> AffineMapAttr:
    """A bound given as an `int`, `AffineMap` or `AffineMapAttr`, as an `AffineMapAttr`."""
    if isinstance(bound, AffineMapAttr):
        return bound
    if isinstance(bound, int):
        return AffineMapAttr(AffineMap.constant_map(bound))
    return AffineMapAttr(bound)


def map_operand_count(bound_map: AffineMapAttr) -> int:
    """How many operands a bound map consumes (its dimensions, then its symbols)."""
    return bound_map.data.num_dims + bound_map.data.num_symbols


def eval_bound(bound_map: AffineMap, operands: Sequence[int], is_lower: bool) -> int:
    """The value of a loop bound: max of the map's results for a lower bound, min for an upper."""
    values = bound_map.eval(
        list(operands[: bound_map.num_dims]), list(operands[bound_map.num_dims :])
    )
    return max(values) if is_lower else min(values)


def constant_bound(bound_map: AffineMap) -> int | None:
    """The bound's value when the map has one constant result and no inputs, else None."""
    if (
        bound_map.num_dims == 0
        and bound_map.num_symbols == 0
        and len(bound_map.results) == 1
        and isinstance(bound_map.results[0], AffineConstantExpr)
    ):
        return bound_map.results[0].value
    return None


# ---------------------------------------------------------------------------------------------
# Parsing and printing of bounds (same syntax as `affine.for`)
# ---------------------------------------------------------------------------------------------


def _parse_bound(parser: Parser, keyword: str) -> tuple[AffineMapAttr, Sequence[SSAValue]]:
    """Parse `int | %ssa | (min|max)? affine-map (dims) ([syms])?`."""
    used_min_max = parser.parse_optional_keyword(keyword) is not None
    if (operand := parser.parse_optional_operand(IndexType())) is not None:
        return AffineMapAttr(AffineMap(0, 1, (AffineExpr.symbol(0),))), (operand,)
    pos = parser.pos
    if (value := parser.parse_optional_integer()) is not None:
        return AffineMapAttr(AffineMap.constant_map(value)), ()
    map_attr = parser.parse_attribute()
    if not isinstance(map_attr, AffineMapAttr):
        parser.raise_error("expected an affine map, an SSA value or an integer as loop bound", pos)
    m = map_attr.data
    dims = parser.parse_comma_separated_list(
        Parser.Delimiter.PAREN, lambda: parser.parse_operand(IndexType())
    )
    syms = parser.parse_optional_comma_separated_list(
        Parser.Delimiter.SQUARE, lambda: parser.parse_operand(IndexType())
    )
    syms = syms or []
    if len(dims) != m.num_dims or len(syms) != m.num_symbols:
        parser.raise_error(
            f"bound map expects {m.num_dims} dims and {m.num_symbols} symbols, "
            f"got {len(dims)} and {len(syms)}",
            pos,
        )
    if len(m.results) > 1 and not used_min_max:
        parser.raise_error(f"a bound map with several results needs the `{keyword}` keyword", pos)
    return map_attr, (*dims, *syms)


def _print_bound(
    printer: Printer, bound_map: AffineMapAttr, operands: Sequence[SSAValue], keyword: str
) -> None:
    m = bound_map.data
    if len(m.results) == 1:
        expr = m.results[0]
        if m.num_dims == 0 and m.num_symbols == 0 and isinstance(expr, AffineConstantExpr):
            printer.print_string(str(expr.value))
            return
        if m.num_dims == 0 and m.num_symbols == 1 and isinstance(expr, AffineSymExpr):
            printer.print_ssa_value(operands[0])
            return
    else:
        printer.print_string(f"{keyword} ")
    printer.print_attribute(bound_map)
    with printer.in_parens():
        printer.print_list(operands[: m.num_dims], printer.print_ssa_value)
    if m.num_symbols:
        with printer.in_square_brackets():
            printer.print_list(operands[m.num_dims :], printer.print_ssa_value)


def _verify_bound(op_name: str, which: str, bound_map: AffineMapAttr, n_operands: int) -> None:
    m = bound_map.data
    if map_operand_count(bound_map) != n_operands:
        raise VerifyException(
            f"'{op_name}' op {which} bound map takes {m.num_dims} dims + {m.num_symbols} "
            f"symbols but has {n_operands} operands"
        )
    if len(m.results) == 0:
        raise VerifyException(f"'{op_name}' op {which} bound map has no results")


# ---------------------------------------------------------------------------------------------
# Ops
# ---------------------------------------------------------------------------------------------


@irdl_op_definition
class YieldOp(IRDLOperation):
    """Terminates a `zloop.for` or `zloop.parallel` body, passing the next loop-carried values.

    Example:
    ```
    zloop.yield %acc : vector<16xf32>
    ```
    """

    name = "zloop.yield"

    values = var_operand_def()
    traits = lazy_traits_def(lambda: (IsTerminator(), Pure(), HasParent(ForOp, ParallelOp)))

    assembly_format = "attr-dict ($values^ `:` type($values))?"

    def __init__(self, *values: SSAValue | Operation) -> None:
        super().__init__(operands=[values])


@irdl_op_definition
class ForOp(IRDLOperation):
    """A sequential loop over `index` values with affine bounds and optional loop-carried values.

    The induction variable runs from the lower bound (max of `lowerBoundMap`'s results applied
    to `lowerBoundOperands`) while it is below the upper bound (min of `upperBoundMap`'s
    results) in steps of the constant positive `step`. The body's first block argument is the
    induction variable; the rest receive the loop-carried values, initialized from `inits`
    and replaced by the values of `zloop.yield` after each iteration. The results are the
    final loop-carried values (the inits when the loop runs zero times).

    Example:
    ```
    %s = zloop.for %i = 0 to min affine_map<(d0) -> (d0 + 16, 100)>(%j) step 4
        iter_args(%acc = %zero) -> (f32) {
      %x = memref.load %m[%i] : memref<100xf32>
      %a = arith.addf %acc, %x : f32
      zloop.yield %a : f32
    }
    ```
    """

    name = "zloop.for"

    lowerBoundOperands = var_operand_def(IndexType)
    upperBoundOperands = var_operand_def(IndexType)
    inits = var_operand_def()
    res = var_result_def()

    lowerBoundMap = prop_def(AffineMapAttr)
    upperBoundMap = prop_def(AffineMapAttr)
    step = prop_def(IntegerAttr)

    body = region_def("single_block")

    irdl_options = (AttrSizedOperandSegments(as_property=True),)
    traits = traits_def(RecursiveMemoryEffect(), SingleBlockImplicitTerminator(YieldOp))

    def __init__(
        self,
        lb_operands: Sequence[SSAValue | Operation],
        lb_map: MapLike,
        ub_operands: Sequence[SSAValue | Operation],
        ub_map: MapLike,
        step: int = 1,
        iter_args: Sequence[SSAValue | Operation] = (),
        body: Region | Block | None = None,
    ) -> None:
        inits = [SSAValue.get(v) for v in iter_args]
        types = [v.type for v in inits]
        if body is None:
            body = Block(arg_types=[IndexType(), *types])
        if isinstance(body, Block):
            body = Region(body)
        super().__init__(
            operands=[lb_operands, ub_operands, inits],
            result_types=[types],
            properties={
                "lowerBoundMap": as_map_attr(lb_map),
                "upperBoundMap": as_map_attr(ub_map),
                "step": IntegerAttr.from_index_int_value(step),
            },
            regions=[body],
        )

    @staticmethod
    def from_constants(
        lb: int,
        ub: int,
        step: int = 1,
        iter_args: Sequence[SSAValue | Operation] = (),
        body: Region | Block | None = None,
    ) -> ForOp:
        """A loop with constant bounds."""
        return ForOp((), lb, (), ub, step, iter_args, body)

    @property
    def induction_var(self) -> SSAValue:
        return self.body.block.args[0]

    @property
    def region_iter_args(self) -> tuple[SSAValue, ...]:
        return tuple(self.body.block.args[1:])

    @property
    def step_value(self) -> int:
        return self.step.value.data

    def verify_(self) -> None:
        _verify_bound(self.name, "lower", self.lowerBoundMap, len(self.lowerBoundOperands))
        _verify_bound(self.name, "upper", self.upperBoundMap, len(self.upperBoundOperands))
        if self.step_value <= 0:
            raise VerifyException(
                f"'{self.name}' op expects a positive step, got {self.step_value}"
            )
        init_types = [v.type for v in self.inits]
        result_types = [r.type for r in self.res]
        if init_types != result_types:
            raise VerifyException(
                f"'{self.name}' op iter_args types {_types(init_types)} differ from result types "
                f"{_types(result_types)}"
            )
        block = self.body.block
        expected = [IndexType(), *init_types]
        got = [a.type for a in block.args]
        if got != expected:
            raise VerifyException(
                f"'{self.name}' op expects block arguments {_types(expected)} (index, then "
                f"iter_args), got {_types(got)}"
            )
        term = block.last_op
        if isinstance(term, YieldOp):
            yielded = [v.type for v in term.values]
            if yielded != result_types:
                raise VerifyException(
                    f"'{self.name}' op yields {_types(yielded)} but its iter_args/results are "
                    f"{_types(result_types)}"
                )

    @classmethod
    def parse(cls, parser: Parser) -> ForOp:
        indvar = parser.parse_argument(expect_type=False)
        parser.parse_characters("=")
        lb_map, lb_ops = _parse_bound(parser, "max")
        parser.parse_characters("to")
        ub_map, ub_ops = _parse_bound(parser, "min")
        step = 1
        if parser.parse_optional_characters("step") is not None:
            pos = parser.pos
            step = parser.parse_integer(allow_boolean=False)
            if step <= 0:
                parser.raise_error("'zloop.for' expects a positive step", pos)
        iter_args: Sequence[Parser.UnresolvedArgument] = ()
        operands: Sequence[SSAValue] = ()
        types: Sequence[Attribute] = ()
        if parser.parse_optional_characters("iter_args") is not None:

            def parse_pair() -> tuple[Parser.UnresolvedArgument, UnresolvedOperand]:
                arg = parser.parse_argument(expect_type=False)
                parser.parse_characters("=")
                return arg, parser.parse_unresolved_operand()

            pos = parser.pos
            pairs = parser.parse_comma_separated_list(Parser.Delimiter.PAREN, parse_pair)
            iter_args = tuple(a for a, _ in pairs)
            parser.parse_punctuation("->")
            if parser.parse_optional_punctuation("(") is not None:
                types = parser.parse_comma_separated_list(Parser.Delimiter.NONE, parser.parse_type)
                parser.parse_punctuation(")")
            else:
                types = (parser.parse_type(),)
            operands = parser.resolve_operands([u for _, u in pairs], types, pos)
        args = (
            indvar.resolve(IndexType()),
            *(a.resolve(t) for a, t in zip(iter_args, types, strict=False)),
        )
        region = parser.parse_region(args)
        block = region.block
        if not isinstance(block.last_op, YieldOp):
            block.add_op(YieldOp())
        attrs = parser.parse_optional_attr_dict()
        op = ForOp(lb_ops, lb_map, ub_ops, ub_map, step, operands, region)
        op.attributes |= attrs
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_ssa_value(self.induction_var)
        printer.print_string(" = ")
        _print_bound(printer, self.lowerBoundMap, self.lowerBoundOperands, "max")
        printer.print_string(" to ")
        _print_bound(printer, self.upperBoundMap, self.upperBoundOperands, "min")
        if self.step_value != 1:
            printer.print_string(f" step {self.step_value}")
        if self.inits:
            printer.print_string(" iter_args(")
            for k, (arg, init) in enumerate(zip(self.region_iter_args, self.inits, strict=True)):
                if k:
                    printer.print_string(", ")
                printer.print_ssa_value(arg)
                printer.print_string(" = ")
                printer.print_ssa_value(init)
            printer.print_string(") -> (")
            printer.print_list(self.result_types, printer.print_attribute)
            printer.print_string(")")
        printer.print_string(" ")
        printer.print_region(
            self.body,
            print_entry_block_args=False,
            print_empty_block=False,
            print_block_terminators=bool(self.inits),
        )
        if self.attributes:
            printer.print_op_attributes(self.attributes)


@dataclass(frozen=True)
class ParallelDim:
    """One dimension of a `zloop.parallel`: bounds (maps and their operands) and step."""

    lower_map: AffineMap
    lower_operands: tuple[SSAValue, ...]
    upper_map: AffineMap
    upper_operands: tuple[SSAValue, ...]
    step: int


@irdl_op_definition
class ParallelOp(IRDLOperation):
    """A multi-dimensional loop whose iterations are independent and may run concurrently.

    Dimension `k` has its own lower/upper bound map (`lowerBoundMaps[k]`, `upperBoundMaps[k]`,
    max/min of their results) and a constant positive step (`steps[k]`). The bound operands
    of all dimensions are concatenated in `lowerBoundOperands`/`upperBoundOperands`, each map
    consuming its dims then symbols in order. The body's block arguments are the `index`
    induction variables, one per dimension; it ends with an empty `zloop.yield`. Iterations
    must not depend on each other (each writes disjoint memory): the CPU lowering outlines
    the body and runs chunks of the linearized iteration space on a thread pool.

    Example:
    ```
    zloop.parallel (%i, %j) = (0, 0) to (64, 100) step (1, 16) {
      %v = vector.load %a[%i, %j] : memref<64x112xf32>, vector<16xf32>
      vector.store %v, %b[%i, %j] : memref<64x112xf32>, vector<16xf32>
    }
    ```
    """

    name = "zloop.parallel"

    lowerBoundOperands = var_operand_def(IndexType)
    upperBoundOperands = var_operand_def(IndexType)

    lowerBoundMaps = prop_def(ArrayAttr[AffineMapAttr])
    upperBoundMaps = prop_def(ArrayAttr[AffineMapAttr])
    steps = prop_def(DenseArrayBase)

    body = region_def("single_block")

    irdl_options = (AttrSizedOperandSegments(as_property=True),)
    traits = traits_def(RecursiveMemoryEffect(), SingleBlockImplicitTerminator(YieldOp))

    def __init__(
        self,
        lb_operands: Sequence[Sequence[SSAValue | Operation]],
        lb_maps: Sequence[MapLike],
        ub_operands: Sequence[Sequence[SSAValue | Operation]],
        ub_maps: Sequence[MapLike],
        steps: Sequence[int],
        body: Region | Block | None = None,
    ) -> None:
        if body is None:
            body = Block(arg_types=[IndexType()] * len(lb_maps))
        if isinstance(body, Block):
            body = Region(body)
        super().__init__(
            operands=[
                [SSAValue.get(v) for ops in lb_operands for v in ops],
                [SSAValue.get(v) for ops in ub_operands for v in ops],
            ],
            properties={
                "lowerBoundMaps": ArrayAttr([as_map_attr(m) for m in lb_maps]),
                "upperBoundMaps": ArrayAttr([as_map_attr(m) for m in ub_maps]),
                "steps": DenseArrayBase.from_list(i64, list(steps)),
            },
            regions=[body],
        )

    @staticmethod
    def from_constants(
        lbs: Sequence[int],
        ubs: Sequence[int],
        steps: Sequence[int] | None = None,
        body: Region | Block | None = None,
    ) -> ParallelOp:
        """A parallel loop nest with constant bounds (steps default to 1)."""
        steps = [1] * len(lbs) if steps is None else steps
        return ParallelOp([()] * len(lbs), lbs, [()] * len(ubs), ubs, steps, body)

    @property
    def induction_vars(self) -> tuple[SSAValue, ...]:
        return tuple(self.body.block.args)

    @property
    def step_values(self) -> tuple[int, ...]:
        return tuple(int(s) for s in self.steps.get_values())

    @property
    def num_dims(self) -> int:
        return len(self.lowerBoundMaps.data)

    def _split(
        self, operands: Sequence[SSAValue], maps: ArrayAttr[AffineMapAttr]
    ) -> list[tuple[SSAValue, ...]]:
        out: list[tuple[SSAValue, ...]] = []
        pos = 0
        for m in maps.data:
            n = map_operand_count(m)
            out.append(tuple(operands[pos : pos + n]))
            pos += n
        return out

    def lower_bound_operands(self) -> list[tuple[SSAValue, ...]]:
        """The lower-bound operands of each dimension."""
        return self._split(self.lowerBoundOperands, self.lowerBoundMaps)

    def upper_bound_operands(self) -> list[tuple[SSAValue, ...]]:
        """The upper-bound operands of each dimension."""
        return self._split(self.upperBoundOperands, self.upperBoundMaps)

    def dimensions(self) -> list[ParallelDim]:
        """Each dimension's bounds (maps and their operands) and step."""
        return [
            ParallelDim(lb.data, lbo, ub.data, ubo, step)
            for lb, lbo, ub, ubo, step in zip(
                self.lowerBoundMaps.data,
                self.lower_bound_operands(),
                self.upperBoundMaps.data,
                self.upper_bound_operands(),
                self.step_values,
                strict=True,
            )
        ]

    def static_trip_count(self) -> int | None:
        """The number of iterations when every bound is a constant, else None."""
        total = 1
        for dim in self.dimensions():
            lb, ub = constant_bound(dim.lower_map), constant_bound(dim.upper_map)
            if lb is None or ub is None:
                return None
            total *= max(0, -(-(ub - lb) // dim.step))
        return total

    def verify_(self) -> None:
        n = self.num_dims
        if n == 0:
            raise VerifyException(f"'{self.name}' op expects at least one dimension")
        if len(self.upperBoundMaps.data) != n or len(self.step_values) != n:
            raise VerifyException(
                f"'{self.name}' op expects as many lower bounds, upper bounds and steps, got "
                f"{n}, {len(self.upperBoundMaps.data)} and {len(self.step_values)}"
            )
        for which, maps, operands in (
            ("lower", self.lowerBoundMaps, self.lowerBoundOperands),
            ("upper", self.upperBoundMaps, self.upperBoundOperands),
        ):
            needed = sum(map_operand_count(m) for m in maps.data)
            if needed != len(operands):
                raise VerifyException(
                    f"'{self.name}' op {which} bound maps take {needed} operands but it has {len(operands)}"
                )
            for m in maps.data:
                _verify_bound(self.name, which, m, map_operand_count(m))
        if any(s <= 0 for s in self.step_values):
            raise VerifyException(
                f"'{self.name}' op expects positive steps, got {list(self.step_values)}"
            )
        got = [a.type for a in self.body.block.args]
        if got != [IndexType()] * n:
            raise VerifyException(
                f"'{self.name}' op expects {n} index block arguments, got {_types(got)}"
            )
        term = self.body.block.last_op
        if isinstance(term, YieldOp) and term.values:
            raise VerifyException(f"'{self.name}' op body must end with an empty 'zloop.yield'")

    @classmethod
    def parse(cls, parser: Parser) -> ParallelOp:
        ivs = parser.parse_comma_separated_list(
            Parser.Delimiter.PAREN, lambda: parser.parse_argument(expect_type=False)
        )
        parser.parse_characters("=")
        lbs = parser.parse_comma_separated_list(
            Parser.Delimiter.PAREN, lambda: _parse_bound(parser, "max")
        )
        parser.parse_characters("to")
        ubs = parser.parse_comma_separated_list(
            Parser.Delimiter.PAREN, lambda: _parse_bound(parser, "min")
        )
        steps = [1] * len(ivs)
        if parser.parse_optional_characters("step") is not None:
            pos = parser.pos
            steps = parser.parse_comma_separated_list(
                Parser.Delimiter.PAREN, lambda: parser.parse_integer(allow_boolean=False)
            )
            if any(s <= 0 for s in steps):
                parser.raise_error("'zloop.parallel' expects positive steps", pos)
        if not (len(ivs) == len(lbs) == len(ubs) == len(steps)):
            parser.raise_error(
                "'zloop.parallel' expects as many induction variables, lower bounds, upper bounds and steps"
            )
        region = parser.parse_region([iv.resolve(IndexType()) for iv in ivs])
        if not isinstance(region.block.last_op, YieldOp):
            region.block.add_op(YieldOp())
        attrs = parser.parse_optional_attr_dict()
        op = ParallelOp(
            [ops for _, ops in lbs],
            [m for m, _ in lbs],
            [ops for _, ops in ubs],
            [m for m, _ in ubs],
            steps,
            region,
        )
        op.attributes |= attrs
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(" (")
        printer.print_list(self.induction_vars, printer.print_ssa_value)
        printer.print_string(") = (")
        printer.print_list(
            zip(self.lowerBoundMaps.data, self.lower_bound_operands(), strict=False),
            lambda p: _print_bound(printer, p[0], p[1], "max"),
        )
        printer.print_string(") to (")
        printer.print_list(
            zip(self.upperBoundMaps.data, self.upper_bound_operands(), strict=False),
            lambda p: _print_bound(printer, p[0], p[1], "min"),
        )
        printer.print_string(")")
        if any(s != 1 for s in self.step_values):
            printer.print_string(" step (")
            printer.print_list(self.step_values, lambda s: printer.print_string(str(s)))
            printer.print_string(")")
        printer.print_string(" ")
        printer.print_region(
            self.body,
            print_entry_block_args=False,
            print_empty_block=False,
            print_block_terminators=False,
        )
        if self.attributes:
            printer.print_op_attributes(self.attributes)


# ---------------------------------------------------------------------------------------------
# Compare and select on scalars and vectors (xDSL 0.74's arith.cmpf/select take scalars only)
# ---------------------------------------------------------------------------------------------

CMPF_PREDICATES: tuple[str, ...] = (
    "false", "oeq", "ogt", "oge", "olt", "ole", "one", "ord",
    "ueq", "ugt", "uge", "ult", "ule", "une", "uno", "true",
)  # fmt: skip
"""`arith.cmpf`'s predicates; a predicate's index is its code in arith and in LLVM's fcmp."""


def _lanes(ty: Attribute) -> int | None:
    """The length of a 1-D vector type, None for a scalar."""
    return ty.get_shape()[0] if isinstance(ty, VectorType) else None


@irdl_op_definition
class CmpfOp(IRDLOperation):
    """Compares two floats, or two 1-D vectors of floats lane by lane, like `arith.cmpf`
    (`o`: ordered, false when either operand is NaN; `u`: unordered, true then); the result
    is an `i1`, or a vector of `i1` of the operands' length.

    Example: `%m = zloop.cmpf "olt" %a, %b : vector<16xf32> -> vector<16xi1>`
    """

    name = "zloop.cmpf"

    T: ClassVar = VarConstraint("T", AnyAttr())
    predicate = prop_def(StringAttr)
    lhs = operand_def(T)
    rhs = operand_def(T)
    result = result_def()
    traits = traits_def(Pure())

    assembly_format = "$predicate $lhs `,` $rhs attr-dict `:` type($lhs) `->` type($result)"

    def __init__(self, lhs: SSAValue | Operation, rhs: SSAValue | Operation, predicate: str):
        ty = SSAValue.get(lhs).type
        n = _lanes(ty)
        super().__init__(
            operands=[lhs, rhs],
            result_types=[i1 if n is None else VectorType(i1, [n])],
            properties={"predicate": StringAttr(predicate)},
        )

    @property
    def code(self) -> int:
        """The predicate's code (its index in `CMPF_PREDICATES`)."""
        return CMPF_PREDICATES.index(self.predicate.data)

    def verify_(self) -> None:
        if self.predicate.data not in CMPF_PREDICATES:
            raise VerifyException(
                f"'{self.name}' op predicate must be one of {', '.join(CMPF_PREDICATES)}, "
                f'got "{self.predicate.data}"'
            )
        ty = self.lhs.type
        elt = ty.element_type if isinstance(ty, VectorType) else ty
        if not isinstance(elt, AnyFloat) or (isinstance(ty, VectorType) and ty.get_num_dims() != 1):
            raise VerifyException(
                f"'{self.name}' op expects float or 1-D float vector operands, got {ty}"
            )
        n = _lanes(ty)
        expected = i1 if n is None else VectorType(i1, [n])
        if self.result.type != expected:
            raise VerifyException(
                f"'{self.name}' op expects result type {expected}, got {self.result.type}"
            )


@irdl_op_definition
class SelectOp(IRDLOperation):
    """Chooses `lhs` where `cond` is true and `rhs` elsewhere, like `arith.select`: a scalar
    `i1` condition chooses whole values, a vector of `i1` chooses lane by lane among vectors
    of its length.

    Example: `%r = zloop.select %m, %a, %b : vector<16xi1>, vector<16xf32>`
    """

    name = "zloop.select"

    T: ClassVar = VarConstraint("T", AnyAttr())
    cond = operand_def()
    lhs = operand_def(T)
    rhs = operand_def(T)
    result = result_def(T)
    traits = traits_def(Pure())

    assembly_format = "$cond `,` $lhs `,` $rhs attr-dict `:` type($cond) `,` type($result)"

    def __init__(
        self, cond: SSAValue | Operation, lhs: SSAValue | Operation, rhs: SSAValue | Operation
    ):
        super().__init__(operands=[cond, lhs, rhs], result_types=[SSAValue.get(lhs).type])

    def verify_(self) -> None:
        ty = self.result.type
        cond, n = self.cond.type, _lanes(self.cond.type)
        expected = i1 if n is None else VectorType(i1, [n])
        if cond != expected or (n is not None and _lanes(ty) != n):
            raise VerifyException(
                f"'{self.name}' op expects an i1 condition, or a vector of i1 as long as the "
                f"vector choices, got {cond} for {ty}"
            )


ZLoop = Dialect("zloop", [ForOp, ParallelOp, YieldOp, CmpfOp, SelectOp], [])
