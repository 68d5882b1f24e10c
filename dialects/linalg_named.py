"""Named linalg contractions that MLIR has and xDSL 0.74 lacks: `linalg.batch_matmul` and
`linalg.matvec`, in MLIR's syntax (what torch-mlir and IREE print), so that files using them
parse. `LINALG` is xDSL's `linalg` dialect with these two ops added; Ziggurat's parser
(`ziggurat.parsing`) loads it in place of xDSL's. xDSL's own op classes are unchanged and
shared.

Like xDSL's `linalg.matmul`, each op carries its default `indexing_maps` as a property and a
hidden region (`mul` then `add` into the output, the element type's float or integer ops);
the verifier checks the ranks and extents the maps imply:

- `linalg.batch_matmul ins(%a, %b : tensor<BxMxKxf32>, tensor<BxKxNxf32>) outs(%c : tensor<BxMxNxf32>)`:
  `c[b, m, n] += a[b, m, k] * b[b, k, n]`;
- `linalg.matvec ins(%a, %x : tensor<MxKxf32>, tensor<Kxf32>) outs(%y : tensor<Mxf32>)`:
  `y[m] += a[m, k] * x[k]`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, cast

from xdsl.dialects.builtin import AffineMapAttr, ArrayAttr, ShapedType, TensorType
from xdsl.dialects.linalg import Linalg
from xdsl.dialects.linalg import attrs as linalg_attrs
from xdsl.dialects.linalg import ops as linalg
from xdsl.dialects.linalg.abstract_ops import NamedOperation
from xdsl.ir import Attribute, Dialect, Region, SSAValue
from xdsl.ir.affine import AffineMap
from xdsl.irdl import irdl_op_definition, prop_def
from xdsl.utils.exceptions import VerifyException


def _maps(*maps: AffineMap) -> ArrayAttr[AffineMapAttr]:
    return ArrayAttr([AffineMapAttr(m) for m in maps])


class _Contraction(NamedOperation):
    """A named contraction over `LOOPS` (p/r per loop: parallel or reduction) with the maps
    of its `indexing_maps` property and `linalg.matmul`'s body."""

    PRINT_ATTRS_IN_FRONT: ClassVar[bool] = True
    LOOPS: ClassVar[str] = "ppr"

    def __init__(
        self,
        inputs: Sequence[SSAValue],
        outputs: Sequence[SSAValue],
        attributes: dict[str, Attribute] | None = None,
    ):
        super().__init__(
            ins=inputs,
            outs=outputs,
            result_types=[tuple(o.type for o in outputs if isinstance(o.type, TensorType))],
            attributes=attributes,
            hidden_region=self.get_hidden_region(inputs, outputs),
        )

    @classmethod
    def get_hidden_region(cls, inputs: Sequence[SSAValue], outputs: Sequence[SSAValue]) -> Region:
        return linalg.MatmulOp.get_hidden_region(inputs, outputs)

    def get_indexing_maps(self) -> ArrayAttr[AffineMapAttr]:
        maps = self.properties["indexing_maps"]
        assert isinstance(maps, ArrayAttr)
        return cast(ArrayAttr[AffineMapAttr], maps)

    def get_default_indexing_maps(self) -> Sequence[AffineMap]:
        return tuple(m.data for m in self.get_indexing_maps().data)

    def get_iterator_types(self) -> ArrayAttr[linalg_attrs.IteratorTypeAttr]:
        return ArrayAttr(
            [
                linalg_attrs.IteratorTypeAttr.parallel()
                if kind == "p"
                else linalg_attrs.IteratorTypeAttr.reduction()
                for kind in self.LOOPS
            ]
        )

    def verify_(self) -> None:
        if len(self.inputs) != 2 or len(self.outputs) != 1:
            raise VerifyException(f"'{self.name}' op takes two inputs and one output")
        maps = [m.data for m in self.get_indexing_maps().data]
        if len(maps) != 3 or any(m.num_dims != len(self.LOOPS) for m in maps):
            raise VerifyException(
                f"'{self.name}' op expects 3 indexing maps over {len(self.LOOPS)} loops"
            )
        extents: dict[int, int] = {}
        for value, amap, role in zip(
            (*self.inputs, *self.outputs), maps, ("lhs", "rhs", "output"), strict=True
        ):
            ty = value.type
            if not isinstance(ty, ShapedType):
                raise VerifyException(f"'{self.name}' op {role} must be a tensor or memref")
            shape: Sequence[int] = ty.get_shape()
            if len(shape) != len(amap.results):
                raise VerifyException(
                    f"'{self.name}' op {role} has rank {len(shape)}, expected {len(amap.results)}"
                )
            for expr, extent in zip(amap.results, shape, strict=True):
                position = getattr(expr, "position", None)
                if position is None or extent < 0:
                    continue
                known = extents.setdefault(position, extent)
                if known != extent:
                    raise VerifyException(
                        f"'{self.name}' op {role} dimension of size {extent} does not match "
                        f"size {known} of the same loop in another operand"
                    )


@irdl_op_definition
class BatchMatmulOp(_Contraction):
    """`c[b, m, n] += a[b, m, k] * b[b, k, n]` (MLIR's `linalg.batch_matmul`)."""

    name = "linalg.batch_matmul"
    LOOPS: ClassVar[str] = "pppr"

    indexing_maps = prop_def(
        ArrayAttr[AffineMapAttr],
        default_value=_maps(
            AffineMap.from_callable(lambda b, m, n, k: (b, m, k)),
            AffineMap.from_callable(lambda b, m, n, k: (b, k, n)),
            AffineMap.from_callable(lambda b, m, n, k: (b, m, n)),
        ),
    )


@irdl_op_definition
class MatvecOp(_Contraction):
    """`y[m] += a[m, k] * x[k]` (MLIR's `linalg.matvec`)."""

    name = "linalg.matvec"
    LOOPS: ClassVar[str] = "pr"

    indexing_maps = prop_def(
        ArrayAttr[AffineMapAttr],
        default_value=_maps(
            AffineMap.from_callable(lambda m, k: (m, k)),
            AffineMap.from_callable(lambda m, k: (k,)),
            AffineMap.from_callable(lambda m, k: (m,)),
        ),
    )


NAMED_CONTRACTIONS = (BatchMatmulOp, MatvecOp)

LINALG = Dialect(
    "linalg",
    [*Linalg.operations, *NAMED_CONTRACTIONS],
    [*Linalg.attributes],
)
"""xDSL's `linalg` dialect plus `NAMED_CONTRACTIONS`."""
