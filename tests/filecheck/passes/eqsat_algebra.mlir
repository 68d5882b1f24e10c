// RUN: ziggurat-opt %s -p 'eqsat{rules=algebra,constant-folding,broadcast}' | filecheck %s
// RUN: ziggurat-opt %s -p 'eqsat{rules=algebra,algebra-nsz,constant-folding,constant-reassoc,broadcast fast-math=reassoc,nsz}' | filecheck %s --check-prefix=FAST

// x * 1 and -(-x) vanish.
// CHECK-LABEL: func.func @identities
// CHECK-NEXT:    func.return %x
func.func @identities(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %one = ztensor.constant dense<1.0> : tensor<f32>
  %m = ztensor.mul %x, %one : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %n = ztensor.neg %m : tensor<4x8xf32>
  %nn = ztensor.neg %n : tensor<4x8xf32>
  func.return %nn : tensor<4x8xf32>
}

// (x * 2) * 3 = x * 6 only under fast-math=reassoc (x * 2 may overflow where x * 6 does not).
// CHECK-LABEL: func.func @fold
// CHECK:         ztensor.mul
// CHECK:         ztensor.mul
// CHECK:         func.return
// FAST-LABEL: func.func @fold
// FAST-NEXT:    %[[C:.*]] = ztensor.constant dense<6.000000e+00> : tensor<f32>
// FAST-NEXT:    %{{.*}} = ztensor.mul %x, %[[C]]
// FAST-NEXT:    func.return
func.func @fold(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %a = ztensor.constant dense<2.0> : tensor<f32>
  %b = ztensor.constant dense<3.0> : tensor<f32>
  %m1 = ztensor.mul %x, %a : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %m2 = ztensor.mul %m1, %b : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  func.return %m2 : tensor<4x8xf32>
}

// x + -0.0 is x for every x; x + 0.0 is not (-0.0 + 0.0 is +0.0), except under nsz.
// CHECK-LABEL: func.func @signed_zeros
// CHECK-NEXT:    %[[Z:.*]] = ztensor.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT:    %[[A:.*]] = ztensor.add %x, %[[Z]]
// CHECK-NEXT:    func.return %[[A]]
// FAST-LABEL: func.func @signed_zeros
// FAST-NEXT:    func.return %x
func.func @signed_zeros(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %nz = ztensor.constant dense<-0.0> : tensor<f32>
  %z = ztensor.constant dense<0.0> : tensor<f32>
  %a = ztensor.add %x, %nz : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %b = ztensor.add %a, %z : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  func.return %b : tensor<4x8xf32>
}

// x * 0 * 3 stays (x * 0 is -0 for negative x and NaN for infinite x); no rule loops on it.
// CHECK-LABEL: func.func @times_zero
// CHECK:         ztensor.mul
// CHECK:         ztensor.mul
// CHECK:         func.return
// FAST-LABEL: func.func @times_zero
// FAST:         ztensor.mul
// FAST:         func.return
func.func @times_zero(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %z = ztensor.constant dense<0.0> : tensor<f32>
  %t = ztensor.constant dense<3.0> : tensor<f32>
  %a = ztensor.mul %x, %z : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %b = ztensor.mul %a, %t : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  func.return %b : tensor<4x8xf32>
}

// An explicit broadcast_to before an add is redundant.
// CHECK-LABEL: func.func @broadcast
// CHECK-NEXT:    %{{.*}} = ztensor.add %x, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    func.return
func.func @broadcast(%x: tensor<4x8xf32>, %y: tensor<8xf32>) -> tensor<4x8xf32> {
  %b = ztensor.broadcast_to %y : tensor<8xf32> -> tensor<4x8xf32>
  %r = ztensor.add %x, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %r : tensor<4x8xf32>
}

// Ops eqsat does not model stay where they are; their results are leaves.
// CHECK-LABEL: func.func @opaque
// CHECK-NEXT:    %[[F:.*]] = func.call @identities(%x)
// CHECK-NEXT:    func.return %[[F]]
func.func @opaque(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %f = func.call @identities(%x) : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %one = ztensor.constant dense<1.0> : tensor<f32>
  %m = ztensor.mul %f, %one : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  func.return %m : tensor<4x8xf32>
}
