// RUN: ziggurat-opt %s -p ztensor-to-linalg | filecheck %s

// Each ztensor op as linalg on tensors: elementwise ops are all-parallel generics with
// broadcasting maps, a fused elementwise body is one generic, matrices use linalg.matmul,
// batched products are contraction generics, reductions accumulate into fills.

// CHECK-LABEL: func.func @bias_gelu
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK-NEXT:    %[[G:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %b : tensor<4x8xf32>, tensor<8xf32>) outs(%[[E]] : tensor<4x8xf32>) {
// CHECK:           arith.addf
// CHECK:           math.erf
// CHECK:           linalg.yield
// CHECK-NOT:     linalg.generic
// CHECK:         func.return %[[G]]
func.func @bias_gelu(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %r = ztensor.fused "elementwise" (%x, %b) : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32> {
  ^bb0(%a: tensor<4x8xf32>, %c: tensor<8xf32>):
    %s = ztensor.add %a, %c : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    %e = ztensor.erf %s : tensor<4x8xf32>
    ztensor.yield %e : tensor<4x8xf32>
  }
  func.return %r : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @outer
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>]
// CHECK:           arith.cmpf olt
// CHECK:         linalg.generic
// CHECK:           arith.select
func.func @outer(%a: tensor<4x1xf32>, %b: tensor<1x8xf32>) -> tensor<4x8xf32> {
  %c = ztensor.cmp "olt" %a, %b : (tensor<4x1xf32>, tensor<1x8xf32>) -> tensor<4x8xi1>
  %r = ztensor.select %c, %a, %b : (tensor<4x8xi1>, tensor<4x1xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
  func.return %r : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @matmul_relu
// CHECK:         %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[F:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%{{.*}} : tensor<4x5xf32>)
// CHECK:         linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x5xf32>) outs(%[[F]] : tensor<4x5xf32>)
// CHECK:         linalg.generic
// CHECK:           arith.maximumf
func.func @matmul_relu(%a: tensor<4x8xf32>, %b: tensor<8x5xf32>) -> tensor<4x5xf32> {
  %m = ztensor.matmul %a, %b : (tensor<4x8xf32>, tensor<8x5xf32>) -> tensor<4x5xf32>
  %r = ztensor.relu %m : tensor<4x5xf32>
  func.return %r : tensor<4x5xf32>
}

// CHECK-LABEL: func.func @batched
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK:           arith.mulf
// CHECK:           arith.addf
func.func @batched(%a: tensor<2x4x8xf32>, %b: tensor<8x5xf32>) -> tensor<2x4x5xf32> {
  %m = ztensor.matmul %a, %b : (tensor<2x4x8xf32>, tensor<8x5xf32>) -> tensor<2x4x5xf32>
  func.return %m : tensor<2x4x5xf32>
}

// CHECK-LABEL: func.func @mean_keepdims
// CHECK:         linalg.fill
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]}
// CHECK:           arith.addf
// CHECK:         linalg.generic
// CHECK:           arith.constant 8.000000e+00 : f32
// CHECK:           arith.divf
// CHECK:         tensor.expand_shape %{{.*}} {{\[\[}}0 : i64, 1 : i64]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
func.func @mean_keepdims(%a: tensor<4x8xf32>) -> tensor<4x1xf32> {
  %r = ztensor.reduce_mean %a {axes = array<i64: 1>, keepdims = true} : tensor<4x8xf32> -> tensor<4x1xf32>
  func.return %r : tensor<4x1xf32>
}

// CHECK-LABEL: func.func @reshapes
// CHECK:         tensor.collapse_shape %a {{\[\[}}0 : i64, 1 : i64]] : tensor<4x6xf32> into tensor<24xf32>
// CHECK:         tensor.expand_shape %{{.*}} {{\[\[}}0 : i64, 1 : i64]] output_shape [3, 8] : tensor<24xf32> into tensor<3x8xf32>
// CHECK:         linalg.transpose ins(%{{.*}}tensor<3x8xf32>) outs(%{{.*}}tensor<8x3xf32>) permutation = [1, 0]
func.func @reshapes(%a: tensor<4x6xf32>) -> tensor<8x3xf32> {
  %r = ztensor.reshape %a : tensor<4x6xf32> -> tensor<3x8xf32>
  %t = ztensor.transpose %r {permutation = array<i64: 1, 0>} : tensor<3x8xf32> -> tensor<8x3xf32>
  func.return %t : tensor<8x3xf32>
}

// CHECK-LABEL: func.func @softmax
// CHECK:         arith.constant 0xff800000 : f32
// CHECK:         arith.maximumf
// CHECK:         arith.subf
// CHECK:         math.exp
// CHECK:         arith.addf
// CHECK:         arith.divf
// CHECK-NOT:     ztensor
func.func @softmax(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = ztensor.softmax %a {axis = 1 : i64} : tensor<4x8xf32>
  func.return %r : tensor<4x8xf32>
}
