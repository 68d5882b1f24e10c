// RUN: ziggurat-opt %s -p 'eqsat{rules=algebra,constant-folding,broadcast}' | filecheck %s

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

// (x * 2) * 3 = x * 6.
// CHECK-LABEL: func.func @fold
// CHECK-NEXT:    %[[C:.*]] = ztensor.constant dense<6.000000e+00> : tensor<f32>
// CHECK-NEXT:    %{{.*}} = ztensor.mul %x, %[[C]]
// CHECK-NEXT:    func.return
func.func @fold(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %a = ztensor.constant dense<2.0> : tensor<f32>
  %b = ztensor.constant dense<3.0> : tensor<f32>
  %m1 = ztensor.mul %x, %a : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %m2 = ztensor.mul %m1, %b : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  func.return %m2 : tensor<4x8xf32>
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
