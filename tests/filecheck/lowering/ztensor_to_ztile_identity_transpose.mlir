// An identity transpose (here the empty permutation of a rank-0 value, which eqsat's
// reduce-of-transpose rule can leave) computes nothing: ztensor-to-ztile drops it.
// RUN: ziggurat-opt %s -p ztensor-to-ztile | filecheck %s

// CHECK-LABEL: func.func @rank0
// CHECK-NOT:     ztile.transpose
// CHECK:         ztile.exp
// CHECK-NOT:     ztile.transpose
func.func @rank0(%x: tensor<f32>) -> tensor<f32> {
  %t = ztensor.transpose %x {permutation = array<i64>} : tensor<f32> -> tensor<f32>
  %e = ztensor.exp %t : tensor<f32>
  func.return %e : tensor<f32>
}

// CHECK-LABEL: func.func @identity
// CHECK-NOT:     ztile.transpose
// CHECK:         func.return
func.func @identity(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %t = ztensor.transpose %x {permutation = array<i64: 0, 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  %e = ztensor.exp %t : tensor<4x8xf32>
  func.return %e : tensor<4x8xf32>
}
