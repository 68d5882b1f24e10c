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

// x + -0, -0 + x, x - 0, x * 1, 1 * x, x / 1, x ** 1 -> x (splat constants; IEEE-exact)
// CHECK-LABEL: func.func @neutral_elements
// CHECK-NOT: ztensor.add
// CHECK-NOT: ztensor.sub
// CHECK-NOT: ztensor.mul
// CHECK-NOT: ztensor.div
// CHECK-NOT: ztensor.pow
// CHECK: func.return %a
func.func @neutral_elements(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %n = ztensor.constant dense<-0.0> : tensor<8xf32>
  %z = ztensor.constant dense<0.0> : tensor<8xf32>
  %o = ztensor.constant dense<1.0> : tensor<f32>
  %0 = ztensor.add %a, %n : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %1 = ztensor.add %n, %0 : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = ztensor.sub %1, %z : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %3 = ztensor.mul %2, %o : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %4 = ztensor.mul %o, %3 : (tensor<f32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %5 = ztensor.div %4, %o : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %6 = ztensor.pow %5, %o : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  func.return %6 : tensor<4x8xf32>
}

// -----

// x + 0.0, 0.0 + x and x - -0.0 are not x when x is -0.0 (IEEE gives +0.0): they stay
// CHECK-LABEL: func.func @signed_zero_stays
// CHECK: ztensor.add
// CHECK: ztensor.add
// CHECK: ztensor.sub
// CHECK: func.return
func.func @signed_zero_stays(%a: tensor<8xf32>) -> tensor<8xf32> {
  %z = ztensor.constant dense<0.0> : tensor<8xf32>
  %n = ztensor.constant dense<-0.0> : tensor<f32>
  %0 = ztensor.add %a, %z : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %1 = ztensor.add %z, %0 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %2 = ztensor.sub %1, %n : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  func.return %2 : tensor<8xf32>
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

// large non-splat results are not folded
// CHECK-LABEL: func.func @no_fold_large
// CHECK: ztensor.broadcast_to
func.func @no_fold_large() -> tensor<100x2xf32> {
  %a = ztensor.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = ztensor.broadcast_to %a : tensor<2xf32> -> tensor<100x2xf32>
  func.return %b : tensor<100x2xf32>
}

// -----

// elementwise ops on splats fold to a splat whatever the size, computed once on the scalars
// CHECK-LABEL: func.func @fold_large_splats
// CHECK-NEXT: %{{.*}} = ztensor.constant dense<1.000000e+00> : tensor<1099511627776xf32>
// CHECK-NEXT: %{{.*}} = ztensor.constant dense<7.500000e+00> : tensor<1024x1073741824xf32>
// CHECK-NEXT: func.return
func.func @fold_large_splats() -> (tensor<1099511627776xf32>, tensor<1024x1073741824xf32>) {
  %z = ztensor.constant dense<0.0> : tensor<1099511627776xf32>
  %e = ztensor.exp %z : tensor<1099511627776xf32>
  %a = ztensor.constant dense<2.5> : tensor<1073741824xf32>
  %b = ztensor.constant dense<3.0> : tensor<1024x1xf32>
  %c = ztensor.mul %a, %b : (tensor<1073741824xf32>, tensor<1024x1xf32>) -> tensor<1024x1073741824xf32>
  func.return %e, %c : tensor<1099511627776xf32>, tensor<1024x1073741824xf32>
}

// -----

// folds give IEEE results in the result's type: 1/0 is inf, MAX + MAX overflows to inf
// CHECK-LABEL: func.func @fold_nonfinite_splat
// CHECK-NEXT: %[[D:.*]] = ztensor.constant dense<0x7f800000> : tensor<1000000xf32>
// CHECK-NEXT: %[[S:.*]] = ztensor.constant dense<0x7f800000> : tensor<f32>
// CHECK-NEXT: func.return %[[D]], %[[S]]
func.func @fold_nonfinite_splat() -> (tensor<1000000xf32>, tensor<f32>) {
  %a = ztensor.constant dense<1.0> : tensor<1000000xf32>
  %z = ztensor.constant dense<0.0> : tensor<1000000xf32>
  %d = ztensor.div %a, %z : (tensor<1000000xf32>, tensor<1000000xf32>) -> tensor<1000000xf32>
  %m = ztensor.constant dense<3.4028235e38> : tensor<f32>
  %s = ztensor.add %m, %m : (tensor<f32>, tensor<f32>) -> tensor<f32>
  func.return %d, %s : tensor<1000000xf32>, tensor<f32>
}

// -----

// an empty constant does not crash the folders
// CHECK-LABEL: func.func @empty_constant
// CHECK: ztensor.add
func.func @empty_constant(%x: tensor<0xf32>) -> tensor<0xf32> {
  %c = ztensor.constant dense<> : tensor<0xf32>
  %a = ztensor.add %x, %c : (tensor<0xf32>, tensor<0xf32>) -> tensor<0xf32>
  func.return %a : tensor<0xf32>
}
