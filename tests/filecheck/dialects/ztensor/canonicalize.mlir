// RUN: ziggurat-opt %s -p canonicalize | filecheck %s

// CHECK-LABEL: func.func @transpose_twice
func.func @transpose_twice(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = ztensor.transpose %a {permutation = array<i64: 1, 0>} : tensor<4x8xf32> -> tensor<8x4xf32>
  %1 = ztensor.transpose %0 {permutation = array<i64: 1, 0>} : tensor<8x4xf32> -> tensor<4x8xf32>
  // CHECK-NOT: ztensor.transpose
  // CHECK: func.return %a
  func.return %1 : tensor<4x8xf32>
}
