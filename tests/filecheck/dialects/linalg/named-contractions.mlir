// MLIR's linalg.batch_matmul and linalg.matvec, which xDSL 0.74 lacks
// (dialects/linalg_named.py): they print as they parse, and linalg-to-ztensor raises them.
// RUN: ziggurat-opt %s --split-input-file | filecheck %s
// RUN: ziggurat-opt %s --split-input-file -p linalg-to-ztensor,canonicalize | filecheck %s --check-prefix=RAISED
// RUN: not ziggurat-opt %S/Inputs/bad-contraction.mlir 2>&1 | filecheck %s --check-prefix=BAD
// RUN: not ziggurat-opt %S/Inputs/too-few-operands.mlir 2>&1 | filecheck %s --check-prefix=FEW

// CHECK-LABEL: func.func @bmm
// CHECK:         linalg.batch_matmul ins(%a, %b : tensor<2x3x4xf32>, tensor<2x4x5xf32>) outs(%{{.*}} : tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
// RAISED-LABEL: func.func @bmm
// RAISED-NEXT:    %0 = ztensor.matmul %a, %b : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
// RAISED-NEXT:    func.return %0
func.func @bmm(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<2x3x5xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
  %2 = linalg.batch_matmul ins(%a, %b : tensor<2x3x4xf32>, tensor<2x4x5xf32>) outs(%1 : tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
  return %2 : tensor<2x3x5xf32>
}

// -----

// CHECK-LABEL: func.func @mv
// CHECK:         linalg.matvec ins(%a, %x : tensor<6x5xf32>, tensor<5xf32>) outs(%y : tensor<6xf32>) -> tensor<6xf32>
// RAISED-LABEL: func.func @mv
// RAISED:         ztensor.reshape %x : tensor<5xf32> -> tensor<5x1xf32>
// RAISED:         ztensor.matmul %a, %{{.*}} : (tensor<6x5xf32>, tensor<5x1xf32>) -> tensor<6x1xf32>
// RAISED:         ztensor.reshape %{{.*}} : tensor<6x1xf32> -> tensor<6xf32>
// RAISED:         ztensor.add %y, %{{.*}} : (tensor<6xf32>, tensor<6xf32>) -> tensor<6xf32>
func.func @mv(%a: tensor<6x5xf32>, %x: tensor<5xf32>, %y: tensor<6xf32>) -> tensor<6xf32> {
  %0 = linalg.matvec ins(%a, %x : tensor<6x5xf32>, tensor<5xf32>) outs(%y : tensor<6xf32>) -> tensor<6xf32>
  func.return %0 : tensor<6xf32>
}

// BAD: bad-contraction.mlir:3:8: error: 'linalg.batch_matmul' op rhs dimension of size 3 does not match size 2 of the same loop in another operand
// FEW: too-few-operands.mlir:4:22: error: 'linalg.matmul' has too few operands for its body: write ins(...) and outs(...) with every input and output
// FEW-NOT: internal error
