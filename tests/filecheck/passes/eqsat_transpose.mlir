// RUN: ziggurat-opt %s -p 'eqsat{rules=transpose,reduce}' | filecheck %s

// transpose(transpose(a)) = a; the outer transpose stays (it is the cheapest form).
// CHECK-LABEL: func.func @transpose_pair
// CHECK-NEXT:    %[[M:.*]] = ztensor.matmul %a, %b
// CHECK-NEXT:    %{{.*}} = ztensor.transpose %[[M]]
// CHECK-NEXT:    func.return
func.func @transpose_pair(%a: tensor<64x32xf32>, %b: tensor<32x16xf32>) -> tensor<16x64xf32> {
  %t = ztensor.transpose %a {permutation = array<i64: 1, 0>} : tensor<64x32xf32> -> tensor<32x64xf32>
  %tt = ztensor.transpose %t {permutation = array<i64: 1, 0>} : tensor<32x64xf32> -> tensor<64x32xf32>
  %m = ztensor.matmul %tt, %b : (tensor<64x32xf32>, tensor<32x16xf32>) -> tensor<64x16xf32>
  %r = ztensor.transpose %m {permutation = array<i64: 1, 0>} : tensor<64x16xf32> -> tensor<16x64xf32>
  func.return %r : tensor<16x64xf32>
}

// (B^T A^T) = (AB)^T: two transposes become one.
// CHECK-LABEL: func.func @matmul_transposes
// CHECK-NEXT:    %[[M:.*]] = ztensor.matmul %a, %b
// CHECK-NEXT:    %{{.*}} = ztensor.transpose %[[M]] {permutation = array<i64: 1, 0>}
// CHECK-NEXT:    func.return
func.func @matmul_transposes(%a: tensor<64x32xf32>, %b: tensor<32x16xf32>) -> tensor<16x64xf32> {
  %bt = ztensor.transpose %b {permutation = array<i64: 1, 0>} : tensor<32x16xf32> -> tensor<16x32xf32>
  %at = ztensor.transpose %a {permutation = array<i64: 1, 0>} : tensor<64x32xf32> -> tensor<32x64xf32>
  %m = ztensor.matmul %bt, %at : (tensor<16x32xf32>, tensor<32x64xf32>) -> tensor<16x64xf32>
  func.return %m : tensor<16x64xf32>
}

// Reducing a transpose reduces the matching axis of the operand.
// CHECK-LABEL: func.func @reduce_transpose
// CHECK-NEXT:    %{{.*}} = ztensor.reduce_sum %x {axes = array<i64: 1>, keepdims = false} : tensor<64x32xf32> -> tensor<64xf32>
// CHECK-NEXT:    func.return
func.func @reduce_transpose(%x: tensor<64x32xf32>) -> tensor<64xf32> {
  %t = ztensor.transpose %x {permutation = array<i64: 1, 0>} : tensor<64x32xf32> -> tensor<32x64xf32>
  %s = ztensor.reduce_sum %t {axes = array<i64: 0>} : tensor<32x64xf32> -> tensor<64xf32>
  func.return %s : tensor<64xf32>
}
