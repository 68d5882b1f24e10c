// RUN: ziggurat-opt %s -p 'eqsat{rules=recompose}' | filecheck %s

// A hand-written softmax is recognized.
// CHECK-LABEL: func.func @softmax
// CHECK-NEXT:    %{{.*}} = ztensor.softmax %x {axis = 1 : i64} : tensor<8x128xf32>
// CHECK-NEXT:    func.return
func.func @softmax(%x: tensor<8x128xf32>) -> tensor<8x128xf32> {
  %mx = ztensor.reduce_max %x {axes = array<i64: 1>, keepdims = true} : tensor<8x128xf32> -> tensor<8x1xf32>
  %s = ztensor.sub %x, %mx : (tensor<8x128xf32>, tensor<8x1xf32>) -> tensor<8x128xf32>
  %e = ztensor.exp %s : tensor<8x128xf32>
  %sum = ztensor.reduce_sum %e {axes = array<i64: 1>, keepdims = true} : tensor<8x128xf32> -> tensor<8x1xf32>
  %r = ztensor.div %e, %sum : (tensor<8x128xf32>, tensor<8x1xf32>) -> tensor<8x128xf32>
  func.return %r : tensor<8x128xf32>
}

// A hand-written layernorm is recognized.
// CHECK-LABEL: func.func @layernorm
// CHECK-NEXT:    %{{.*}} = ztensor.layernorm %x {axis = 1 : i64, epsilon = 1.000000e-05 : f32} : tensor<8x128xf32>
// CHECK-NEXT:    func.return
func.func @layernorm(%x: tensor<8x128xf32>) -> tensor<8x128xf32> {
  %m = ztensor.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : tensor<8x128xf32> -> tensor<8x1xf32>
  %c = ztensor.sub %x, %m : (tensor<8x128xf32>, tensor<8x1xf32>) -> tensor<8x128xf32>
  %sq = ztensor.mul %c, %c : (tensor<8x128xf32>, tensor<8x128xf32>) -> tensor<8x128xf32>
  %v = ztensor.reduce_mean %sq {axes = array<i64: 1>, keepdims = true} : tensor<8x128xf32> -> tensor<8x1xf32>
  %eps = ztensor.constant dense<1.0e-05> : tensor<f32>
  %ve = ztensor.add %v, %eps : (tensor<8x1xf32>, tensor<f32>) -> tensor<8x1xf32>
  %sd = ztensor.sqrt %ve : tensor<8x1xf32>
  %r = ztensor.div %c, %sd : (tensor<8x128xf32>, tensor<8x1xf32>) -> tensor<8x128xf32>
  func.return %r : tensor<8x128xf32>
}
