// RUN: ziggurat-opt %s -p canonicalize --split-input-file | filecheck %s

// transpose(transpose(x, p), p^-1) -> x
// CHECK-LABEL: func.func @transpose_twice
// CHECK-NOT: ztensor.transpose
// CHECK: func.return %a
func.func @transpose_twice(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = ztensor.transpose %a {permutation = array<i64: 1, 0>} : tensor<4x8xf32> -> tensor<8x4xf32>
  %1 = ztensor.transpose %0 {permutation = array<i64: 1, 0>} : tensor<8x4xf32> -> tensor<4x8xf32>
  func.return %1 : tensor<4x8xf32>
}

// -----

// transpose(transpose(x, p), q) -> transpose(x, p∘q)
// CHECK-LABEL: func.func @transpose_compose
// CHECK-NEXT: %0 = ztensor.transpose %a {permutation = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// CHECK-NEXT: func.return %0
func.func @transpose_compose(%a: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = ztensor.transpose %a {permutation = array<i64: 1, 0, 2>} : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %1 = ztensor.transpose %0 {permutation = array<i64: 2, 1, 0>} : tensor<3x2x4xf32> -> tensor<4x2x3xf32>
  func.return %1 : tensor<4x2x3xf32>
}

// -----

// identity transpose, reshape, broadcast_to and cast fold away
// CHECK-LABEL: func.func @identities
// CHECK-NEXT: func.return %a
func.func @identities(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = ztensor.transpose %a {permutation = array<i64: 0, 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  %1 = ztensor.reshape %0 : tensor<4x8xf32> -> tensor<4x8xf32>
  %2 = ztensor.broadcast_to %1 : tensor<4x8xf32> -> tensor<4x8xf32>
  %3 = ztensor.cast %2 : tensor<4x8xf32> -> tensor<4x8xf32>
  func.return %3 : tensor<4x8xf32>
}

// -----

// reshape(reshape(x)) -> reshape(x)
// CHECK-LABEL: func.func @reshape_twice
// CHECK-NEXT: %0 = ztensor.reshape %a : tensor<4x8xf32> -> tensor<2x16xf32>
// CHECK-NEXT: func.return %0
func.func @reshape_twice(%a: tensor<4x8xf32>) -> tensor<2x16xf32> {
  %0 = ztensor.reshape %a : tensor<4x8xf32> -> tensor<32xf32>
  %1 = ztensor.reshape %0 : tensor<32xf32> -> tensor<2x16xf32>
  func.return %1 : tensor<2x16xf32>
}

// -----

// x + 0, 0 + x, x - 0, x * 1, 1 * x, x / 1, x ** 1 -> x (splat constants)
// CHECK-LABEL: func.func @neutral_elements
// CHECK-NOT: ztensor.add
// CHECK-NOT: ztensor.sub
// CHECK-NOT: ztensor.mul
// CHECK-NOT: ztensor.div
// CHECK-NOT: ztensor.pow
// CHECK: func.return %a
func.func @neutral_elements(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %z = ztensor.constant dense<0.0> : tensor<8xf32>
  %o = ztensor.constant dense<1.0> : tensor<f32>
  %0 = ztensor.add %a, %z : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %1 = ztensor.add %z, %0 : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = ztensor.sub %1, %z : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %3 = ztensor.mul %2, %o : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %4 = ztensor.mul %o, %3 : (tensor<f32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %5 = ztensor.div %4, %o : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %6 = ztensor.pow %5, %o : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  func.return %6 : tensor<4x8xf32>
}

// -----

// a neutral element that broadcasts x to a larger shape must stay
// CHECK-LABEL: func.func @broadcasting_zero_stays
// CHECK: ztensor.add
func.func @broadcasting_zero_stays(%a: tensor<8xf32>) -> tensor<4x8xf32> {
  %z = ztensor.constant dense<0.0> : tensor<4x8xf32>
  %0 = ztensor.add %a, %z : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %0 : tensor<4x8xf32>
}

// -----

// ops on small constants fold through the reference semantics
// CHECK-LABEL: func.func @fold_constants
// CHECK-NEXT: %{{.*}} = ztensor.constant dense<[4.000000e+00, 6.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: func.return
func.func @fold_constants() -> tensor<2xf32> {
  %a = ztensor.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = ztensor.constant dense<3.0> : tensor<f32>
  %c = ztensor.add %a, %b : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  %d = ztensor.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %e = ztensor.add %c, %d : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  func.return %e : tensor<2xf32>
}

// -----

// large constants are not folded
// CHECK-LABEL: func.func @no_fold_large
// CHECK: ztensor.exp
func.func @no_fold_large() -> tensor<100xf32> {
  %a = ztensor.constant dense<1.0> : tensor<100xf32>
  %b = ztensor.exp %a : tensor<100xf32>
  func.return %b : tensor<100xf32>
}
