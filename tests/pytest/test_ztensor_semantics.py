"""The interpreter runs every ztensor op and agrees with numpy."""

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import Builtin
from xdsl.dialects.func import Func
from xdsl.parser import Parser

from ziggurat.dialects.ztensor import ZTensor
from ziggurat.interpreter import run_function


def _parse(text: str):
    ctx = Context()
    for d in (Builtin, Func, ZTensor):
        ctx.load_dialect(d)
    module = Parser(ctx, text).parse_module()
    module.verify()
    return module


def test_add_broadcast() -> None:
    m = _parse(
        """
        func.func @f(%a: tensor<4x1xf32>, %b: tensor<3xf32>) -> tensor<4x3xf32> {
          %0 = ztensor.add %a, %b : (tensor<4x1xf32>, tensor<3xf32>) -> tensor<4x3xf32>
          func.return %0 : tensor<4x3xf32>
        }
        """
    )
    a = np.random.rand(4, 1).astype(np.float32)
    b = np.random.rand(3).astype(np.float32)
    (r,) = run_function(m, "f", a, b)
    np.testing.assert_allclose(r, a + b, rtol=1e-6)
