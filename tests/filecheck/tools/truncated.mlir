// A file cut off in the middle of an op: a located error at the end, exit 1.
// RUN: not ziggurat-opt %s 2>&1 | filecheck %s
// CHECK-NOT: Traceback
// CHECK: truncated.mlir:[[# @LINE + 3]]:37: error: Expected shape type.

func.func @cut(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = ztensor.relu %a : tensor<4x8x