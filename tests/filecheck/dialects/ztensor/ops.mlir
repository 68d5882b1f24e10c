// Round trip of every ztensor op, in the custom and in the generic form.
// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC

// CHECK-LABEL: func.func @elementwise_binary
// GENERIC-LABEL: "func.func"() <{sym_name = "elementwise_binary"
func.func @elementwise_binary(%a: tensor<4x8xf32>, %b: tensor<8xf32>, %c: tensor<4x1xf32>) -> tensor<4x8xf32> {
  // CHECK-NEXT: %0 = ztensor.add %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // GENERIC: %0 = "ztensor.add"(%a, %b) : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %0 = ztensor.add %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK-NEXT: %1 = ztensor.sub %0, %c : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  // GENERIC: "ztensor.sub"
  %1 = ztensor.sub %0, %c : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  // CHECK-NEXT: %2 = ztensor.mul %c, %b : (tensor<4x1xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // GENERIC: "ztensor.mul"
  %2 = ztensor.mul %c, %b : (tensor<4x1xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK-NEXT: %3 = ztensor.div %1, %2 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // GENERIC: "ztensor.div"
  %3 = ztensor.div %1, %2 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK-NEXT: %4 = ztensor.maximum %3, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // GENERIC: "ztensor.maximum"
  %4 = ztensor.maximum %3, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK-NEXT: %5 = ztensor.minimum %4, %c : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  // GENERIC: "ztensor.minimum"
  %5 = ztensor.minimum %4, %c : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  // CHECK-NEXT: %6 = ztensor.pow %5, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // GENERIC: "ztensor.pow"
  %6 = ztensor.pow %5, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK-NEXT: func.return %6 : tensor<4x8xf32>
  func.return %6 : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @elementwise_unary
func.func @elementwise_unary(%x: tensor<3x5xf32>) -> tensor<3x5xf32> {
  // CHECK-NEXT: %0 = ztensor.neg %x : tensor<3x5xf32>
  // GENERIC: %0 = "ztensor.neg"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  %0 = ztensor.neg %x : tensor<3x5xf32>
  // CHECK-NEXT: %1 = ztensor.exp %0 : tensor<3x5xf32>
  // GENERIC: "ztensor.exp"
  %1 = ztensor.exp %0 : tensor<3x5xf32>
  // CHECK-NEXT: %2 = ztensor.log %1 : tensor<3x5xf32>
  // GENERIC: "ztensor.log"
  %2 = ztensor.log %1 : tensor<3x5xf32>
  // CHECK-NEXT: %3 = ztensor.tanh %2 : tensor<3x5xf32>
  // GENERIC: "ztensor.tanh"
  %3 = ztensor.tanh %2 : tensor<3x5xf32>
  // CHECK-NEXT: %4 = ztensor.sigmoid %3 : tensor<3x5xf32>
  // GENERIC: "ztensor.sigmoid"
  %4 = ztensor.sigmoid %3 : tensor<3x5xf32>
  // CHECK-NEXT: %5 = ztensor.relu %4 : tensor<3x5xf32>
  // GENERIC: "ztensor.relu"
  %5 = ztensor.relu %4 : tensor<3x5xf32>
  // CHECK-NEXT: %6 = ztensor.gelu %5 : tensor<3x5xf32>
  // GENERIC: "ztensor.gelu"
  %6 = ztensor.gelu %5 : tensor<3x5xf32>
  // CHECK-NEXT: %7 = ztensor.sqrt %6 : tensor<3x5xf32>
  // GENERIC: "ztensor.sqrt"
  %7 = ztensor.sqrt %6 : tensor<3x5xf32>
  // CHECK-NEXT: %8 = ztensor.rsqrt %7 : tensor<3x5xf32>
  // GENERIC: "ztensor.rsqrt"
  %8 = ztensor.rsqrt %7 : tensor<3x5xf32>
  // CHECK-NEXT: %9 = ztensor.abs %8 : tensor<3x5xf32>
  // GENERIC: "ztensor.abs"
  %9 = ztensor.abs %8 : tensor<3x5xf32>
  // CHECK-NEXT: %10 = ztensor.erf %9 : tensor<3x5xf32>
  // GENERIC: "ztensor.erf"
  %10 = ztensor.erf %9 : tensor<3x5xf32>
  // CHECK-NEXT: %11 = ztensor.floor %10 : tensor<3x5xf32>
  // GENERIC: "ztensor.floor"
  %11 = ztensor.floor %10 : tensor<3x5xf32>
  // CHECK-NEXT: %12 = ztensor.ceil %11 : tensor<3x5xf32>
  // GENERIC: "ztensor.ceil"
  %12 = ztensor.ceil %11 : tensor<3x5xf32>
  // CHECK-NEXT: func.return %12 : tensor<3x5xf32>
  func.return %12 : tensor<3x5xf32>
}

// CHECK-LABEL: func.func @compare
func.func @compare(%a: tensor<4x8xf32>, %b: tensor<8xf32>) -> (tensor<4x8xi1>, tensor<4x8xi1>) {
  // CHECK-NEXT: %0 = ztensor.cmp "olt" %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xi1>
  // GENERIC: %0 = "ztensor.cmp"(%a, %b) <{predicate = "olt"}> : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xi1>
  %0 = ztensor.cmp "olt" %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xi1>
  // CHECK-NEXT: %1 = ztensor.cmp "une" %b, %a : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xi1>
  %1 = ztensor.cmp "une" %b, %a : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xi1>
  // CHECK-NEXT: %2 = ztensor.select %0, %a, %b : (tensor<4x8xi1>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // GENERIC: "ztensor.select"(%0, %a, %b) : (tensor<4x8xi1>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %2 = ztensor.select %0, %a, %b : (tensor<4x8xi1>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK-NEXT: func.return %0, %1 : tensor<4x8xi1>, tensor<4x8xi1>
  func.return %0, %1 : tensor<4x8xi1>, tensor<4x8xi1>
}

// CHECK-LABEL: func.func @matmul
func.func @matmul(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %ba: tensor<2x1x4x8xf32>, %bb: tensor<3x8x16xf32>) -> (tensor<4x16xf32>, tensor<2x3x4x16xf32>) {
  // CHECK-NEXT: %0 = ztensor.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  // GENERIC: "ztensor.matmul"(%a, %b) : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %0 = ztensor.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  // CHECK-NEXT: %1 = ztensor.matmul %ba, %bb : (tensor<2x1x4x8xf32>, tensor<3x8x16xf32>) -> tensor<2x3x4x16xf32>
  %1 = ztensor.matmul %ba, %bb : (tensor<2x1x4x8xf32>, tensor<3x8x16xf32>) -> tensor<2x3x4x16xf32>
  func.return %0, %1 : tensor<4x16xf32>, tensor<2x3x4x16xf32>
}

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%x: tensor<2x3x4xf32>, %v: tensor<4xf32>) -> (tensor<4x2x3xf32>, tensor<6x4xf32>, tensor<5x2x4xf32>) {
  // CHECK-NEXT: %0 = ztensor.transpose %x {permutation = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  // GENERIC: "ztensor.transpose"(%x) {permutation = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %0 = ztensor.transpose %x {permutation = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  // CHECK-NEXT: %1 = ztensor.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  // GENERIC: "ztensor.reshape"(%x) : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %1 = ztensor.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  // CHECK-NEXT: %2 = ztensor.broadcast_to %v : tensor<4xf32> -> tensor<5x2x4xf32>
  // GENERIC: "ztensor.broadcast_to"(%v) : (tensor<4xf32>) -> tensor<5x2x4xf32>
  %2 = ztensor.broadcast_to %v : tensor<4xf32> -> tensor<5x2x4xf32>
  func.return %0, %1, %2 : tensor<4x2x3xf32>, tensor<6x4xf32>, tensor<5x2x4xf32>
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<4x8xf32>) -> (tensor<4x1xf32>, tensor<8xf32>, tensor<f32>) {
  // CHECK-NEXT: %0 = ztensor.reduce_sum %x {axes = array<i64: 1>, keepdims = true} : tensor<4x8xf32> -> tensor<4x1xf32>
  // GENERIC: "ztensor.reduce_sum"(%x) {axes = array<i64: 1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
  %0 = ztensor.reduce_sum %x {axes = array<i64: 1>, keepdims = true} : tensor<4x8xf32> -> tensor<4x1xf32>
  // CHECK-NEXT: %1 = ztensor.reduce_max %x {axes = array<i64: 0>, keepdims = false} : tensor<4x8xf32> -> tensor<8xf32>
  // GENERIC: "ztensor.reduce_max"
  %1 = ztensor.reduce_max %x {axes = array<i64: 0>, keepdims = false} : tensor<4x8xf32> -> tensor<8xf32>
  // CHECK-NEXT: %2 = ztensor.reduce_mean %x {axes = array<i64: 0, -1>} : tensor<4x8xf32> -> tensor<f32>
  // GENERIC: "ztensor.reduce_mean"(%x) {axes = array<i64: 0, -1>} : (tensor<4x8xf32>) -> tensor<f32>
  %2 = ztensor.reduce_mean %x {axes = array<i64: 0, -1>} : tensor<4x8xf32> -> tensor<f32>
  func.return %0, %1, %2 : tensor<4x1xf32>, tensor<8xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @normalizations
func.func @normalizations(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  // CHECK-NEXT: %0 = ztensor.softmax %x {axis = -1 : i64} : tensor<4x8xf32>
  // GENERIC: "ztensor.softmax"(%x) {axis = -1 : i64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %0 = ztensor.softmax %x {axis = -1 : i64} : tensor<4x8xf32>
  // CHECK-NEXT: %1 = ztensor.layernorm %0 {axis = 1 : i64, epsilon = 1.000000e-05 : f32} : tensor<4x8xf32>
  // GENERIC: "ztensor.layernorm"(%0) {axis = 1 : i64, epsilon = 1.000000e-05 : f32} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = ztensor.layernorm %0 {axis = 1 : i64, epsilon = 1.0e-05 : f32} : tensor<4x8xf32>
  func.return %0, %1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// CHECK-LABEL: func.func @constants_and_casts
func.func @constants_and_casts() -> (tensor<2x2xf32>, tensor<3xf32>, tensor<2x2xf64>) {
  // CHECK-NEXT: %0 = ztensor.constant dense<[[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  // GENERIC: "ztensor.constant"() {value = dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>} : () -> tensor<2x2xf32>
  %0 = ztensor.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // CHECK-NEXT: %1 = ztensor.constant dense<5.000000e-01> : tensor<3xf32>
  %1 = ztensor.constant dense<0.5> : tensor<3xf32>
  // CHECK-NEXT: %2 = ztensor.cast %0 : tensor<2x2xf32> -> tensor<2x2xf64>
  // GENERIC: "ztensor.cast"(%0) : (tensor<2x2xf32>) -> tensor<2x2xf64>
  %2 = ztensor.cast %0 : tensor<2x2xf32> -> tensor<2x2xf64>
  func.return %0, %1, %2 : tensor<2x2xf32>, tensor<3xf32>, tensor<2x2xf64>
}

// Other element types: f64 everywhere, f16 and bf16 parse and verify.
// CHECK-LABEL: func.func @element_types
func.func @element_types(%d: tensor<4x8xf64>, %h: tensor<4x8xf16>, %g: tensor<8x2xbf16>) -> (tensor<4x8xf64>, tensor<4x8xf16>, tensor<8x4xbf16>) {
  // CHECK-NEXT: %0 = ztensor.add %d, %d : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
  %0 = ztensor.add %d, %d : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
  // CHECK-NEXT: %1 = ztensor.softmax %0 {axis = 0 : i64} : tensor<4x8xf64>
  %1 = ztensor.softmax %0 {axis = 0 : i64} : tensor<4x8xf64>
  // CHECK-NEXT: %2 = ztensor.constant dense<2.500000e-01> : tensor<4x8xf64>
  %2 = ztensor.constant dense<0.25> : tensor<4x8xf64>
  // CHECK-NEXT: %3 = ztensor.mul %1, %2 : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
  %3 = ztensor.mul %1, %2 : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
  // CHECK-NEXT: %4 = ztensor.gelu %h : tensor<4x8xf16>
  %4 = ztensor.gelu %h : tensor<4x8xf16>
  // CHECK-NEXT: %5 = ztensor.reduce_sum %4 {axes = array<i64: 1>, keepdims = true} : tensor<4x8xf16> -> tensor<4x1xf16>
  %5 = ztensor.reduce_sum %4 {axes = array<i64: 1>, keepdims = true} : tensor<4x8xf16> -> tensor<4x1xf16>
  // CHECK-NEXT: %6 = ztensor.sub %4, %5 : (tensor<4x8xf16>, tensor<4x1xf16>) -> tensor<4x8xf16>
  %6 = ztensor.sub %4, %5 : (tensor<4x8xf16>, tensor<4x1xf16>) -> tensor<4x8xf16>
  // CHECK-NEXT: %7 = ztensor.transpose %g {permutation = array<i64: 1, 0>} : tensor<8x2xbf16> -> tensor<2x8xbf16>
  %7 = ztensor.transpose %g {permutation = array<i64: 1, 0>} : tensor<8x2xbf16> -> tensor<2x8xbf16>
  // CHECK-NEXT: %8 = ztensor.matmul %g, %7 : (tensor<8x2xbf16>, tensor<2x8xbf16>) -> tensor<8x8xbf16>
  %8 = ztensor.matmul %g, %7 : (tensor<8x2xbf16>, tensor<2x8xbf16>) -> tensor<8x8xbf16>
  // CHECK-NEXT: %9 = ztensor.reshape %8 : tensor<8x8xbf16> -> tensor<8x4x2xbf16>
  %9 = ztensor.reshape %8 : tensor<8x8xbf16> -> tensor<8x4x2xbf16>
  // CHECK-NEXT: %10 = ztensor.reduce_max %9 {axes = array<i64: 2>} : tensor<8x4x2xbf16> -> tensor<8x4xbf16>
  %10 = ztensor.reduce_max %9 {axes = array<i64: 2>} : tensor<8x4x2xbf16> -> tensor<8x4xbf16>
  // CHECK-NEXT: %11 = ztensor.cast %3 : tensor<4x8xf64> -> tensor<4x8xf16>
  %11 = ztensor.cast %3 : tensor<4x8xf64> -> tensor<4x8xf16>
  // CHECK-NEXT: %12 = ztensor.layernorm %11 {axis = -1 : i64, epsilon = 1.000000e-05 : f32} : tensor<4x8xf16>
  %12 = ztensor.layernorm %11 {axis = -1 : i64, epsilon = 1.0e-05 : f32} : tensor<4x8xf16>
  func.return %3, %12, %10 : tensor<4x8xf64>, tensor<4x8xf16>, tensor<8x4xbf16>
}

// CHECK-LABEL: func.func @fused
func.func @fused(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  // CHECK-NEXT: %0 = ztensor.fused "matmul_epilogue"(%a, %b, %c) : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<4x16xf32> {
  // CHECK-NEXT: ^bb0(%x: tensor<4x8xf32>, %y: tensor<8x16xf32>, %z: tensor<16xf32>):
  // CHECK-NEXT:   %m = ztensor.matmul %x, %y : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  // CHECK-NEXT:   %s = ztensor.add %m, %z : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  // CHECK-NEXT:   %t = ztensor.relu %s : tensor<4x16xf32>
  // CHECK-NEXT:   ztensor.yield %t : tensor<4x16xf32>
  // CHECK-NEXT: }
  // GENERIC: %0 = "ztensor.fused"(%a, %b, %c) ({
  // GENERIC: "ztensor.yield"(%t) : (tensor<4x16xf32>) -> ()
  // GENERIC: }) {kind = "matmul_epilogue"} : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %0 = ztensor.fused "matmul_epilogue" (%a, %b, %c) : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<4x16xf32> {
  ^bb0(%x: tensor<4x8xf32>, %y: tensor<8x16xf32>, %z: tensor<16xf32>):
    %m = ztensor.matmul %x, %y : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
    %s = ztensor.add %m, %z : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
    %t = ztensor.relu %s : tensor<4x16xf32>
    ztensor.yield %t : tensor<4x16xf32>
  }
  // CHECK: %1 = ztensor.fused "elementwise"(%0, %c) : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32> {
  // CHECK: ztensor.yield %{{.*}} : tensor<4x16xf32>
  %1 = ztensor.fused "elementwise" (%0, %c) : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32> {
  ^bb0(%u: tensor<4x16xf32>, %v: tensor<16xf32>):
    %e = ztensor.exp %u : tensor<4x16xf32>
    %n = ztensor.sub %v, %e : (tensor<16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
    ztensor.yield %n : tensor<4x16xf32>
  }
  // CHECK: %2 = ztensor.fused "reduction"(%1) : (tensor<4x16xf32>) -> tensor<4x16xf32> {
  // CHECK: ztensor.softmax
  %2 = ztensor.fused "reduction" (%1) : (tensor<4x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%w: tensor<4x16xf32>):
    %g = ztensor.gelu %w : tensor<4x16xf32>
    %r = ztensor.softmax %g {axis = 0 : i64} : tensor<4x16xf32>
    ztensor.yield %r : tensor<4x16xf32>
  }
  func.return %1, %2 : tensor<4x16xf32>, tensor<4x16xf32>
}
