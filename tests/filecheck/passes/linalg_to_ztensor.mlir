// RUN: ziggurat-opt %s -p linalg-to-ztensor | filecheck %s
// RUN: ziggurat-opt %s -p linalg-to-ztensor,canonicalize | filecheck %s --check-prefix=CANON

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
#col = affine_map<(d0, d1) -> (d0, 0)>
#vec = affine_map<(d0, d1) -> (d0)>
#tr = affine_map<(d0, d1) -> (d1, d0)>

// Broadcasts through indexing maps: a row vector as it is, a column (d0, 0) as it is, a
// (d0) vector reshaped to a column, a transposed operand transposed; a scalar from outside.
// CHECK-LABEL: func.func @elementwise
// CHECK-SAME:    (%[[X:.*]]: tensor<4x8xf32>, %[[R:.*]]: tensor<8xf32>, %[[C:.*]]: tensor<4x1xf32>, %[[V:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<8x4xf32>)
// CHECK:         %[[A:.*]] = ztensor.add %[[X]], %[[R]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK:         %[[M:.*]] = ztensor.mul %[[A]], %[[C]] : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
// CHECK:         %[[VC:.*]] = ztensor.reshape %[[V]] : tensor<4xf32> -> tensor<4x1xf32>
// CHECK:         %[[S:.*]] = ztensor.sub %[[M]], %[[VC]]
// CHECK:         %[[TT:.*]] = ztensor.transpose %[[T]] {permutation = array<i64: 1, 0>} : tensor<8x4xf32> -> tensor<4x8xf32>
// CHECK:         %[[D:.*]] = ztensor.div %[[S]], %[[TT]]
// CHECK:         %[[K:.*]] = ztensor.constant dense<2.500000e+00> : tensor<1x1xf32>
// CHECK:         %[[E:.*]] = ztensor.maximum %[[D]], %[[K]]
// CHECK:         func.return %[[E]] : tensor<4x8xf32>
// CHECK-NOT:     linalg.
func.func @elementwise(%x: tensor<4x8xf32>, %r: tensor<8xf32>, %c: tensor<4x1xf32>, %v: tensor<4xf32>, %t: tensor<8x4xf32>) -> tensor<4x8xf32> {
  %k = arith.constant 2.5 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %0 = linalg.generic {indexing_maps = [#id, #row, #col, #vec, #tr, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %r, %c, %v, %t : tensor<4x8xf32>, tensor<8xf32>, tensor<4x1xf32>, tensor<4xf32>, tensor<8x4xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %cc: f32, %d: f32, %tt: f32, %out: f32):
    %1 = arith.addf %a, %b : f32
    %2 = arith.mulf %1, %cc : f32
    %3 = arith.subf %2, %d : f32
    %4 = arith.divf %3, %tt : f32
    %5 = arith.maximumf %4, %k : f32
    linalg.yield %5 : f32
  } -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// torch's relu (cmpf ugt + select with +0.0), an unordered comparison as the negated
// ordered one with the branches swapped, exact GELU's erf, and f32 <-> f64 casts.
// CHECK-LABEL: func.func @idioms
// CHECK:         %[[RELU:.*]] = ztensor.relu %{{.*}} : tensor<4x8xf32>
// CHECK:         %[[NOT:.*]] = ztensor.cmp "oge" %[[RELU]], %{{.*}}
// CHECK:         %[[SEL:.*]] = ztensor.select %[[NOT]], %{{.*}}, %[[RELU]]
// CHECK:         %[[ERF:.*]] = ztensor.erf %[[SEL]]
// CHECK:         %[[W:.*]] = ztensor.cast %[[ERF]] : tensor<4x8xf32> -> tensor<4x8xf64>
// CHECK:         %[[N:.*]] = ztensor.cast %{{.*}} : tensor<4x8xf64> -> tensor<4x8xf32>
// CHECK:         func.return %[[N]]
func.func @idioms(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %y : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %gt = arith.cmpf ugt, %a, %zero : f32
    %relu = arith.select %gt, %a, %zero : f32
    %lt = arith.cmpf ult, %relu, %b : f32
    %min = arith.select %lt, %relu, %b : f32
    %erf = math.erf %min : f32
    %wide = arith.extf %erf : f32 to f64
    %sq = arith.mulf %wide, %wide : f64
    %back = arith.truncf %sq : f64 to f32
    linalg.yield %back : f32
  } -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// Reductions: a sum into a zero fill, kept as (d0, 0); a max into a -inf fill as (d0); a sum
// into an init that is not the identity folds it in.
// CHECK-LABEL: func.func @reductions
// CHECK:         %[[S:.*]] = ztensor.reduce_sum %[[X:.*]] {axes = array<i64: 1>, keepdims = true} : tensor<4x8xf32> -> tensor<4x1xf32>
// CHECK:         %[[M:.*]] = ztensor.reduce_max %[[X]] {axes = array<i64: 1>, keepdims = true} : tensor<4x8xf32> -> tensor<4x1xf32>
// CHECK:         %[[MV:.*]] = ztensor.reshape %[[M]] : tensor<4x1xf32> -> tensor<4xf32>
// CHECK:         %[[E:.*]] = ztensor.exp %[[X]]
// CHECK:         %[[T:.*]] = ztensor.reduce_sum %[[E]] {axes = array<i64: 1>, keepdims = true}
// CHECK:         %[[TV:.*]] = ztensor.reshape %[[T]] : tensor<4x1xf32> -> tensor<4xf32>
// CHECK:         %[[F:.*]] = ztensor.add %[[INIT:.*]], %[[TV]] : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK:         func.return %[[S]], %[[MV]], %[[F]]
func.func @reductions(%x: tensor<4x8xf32>, %init: tensor<4xf32>) -> (tensor<4x1xf32>, tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e1 = tensor.empty() : tensor<4x1xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4x1xf32>) -> tensor<4x1xf32>
  %s = linalg.generic {indexing_maps = [#id, #col], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%z : tensor<4x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %out : f32
    linalg.yield %r : f32
  } -> tensor<4x1xf32>
  %e2 = tensor.empty() : tensor<4xf32>
  %n = linalg.fill ins(%ninf : f32) outs(%e2 : tensor<4xf32>) -> tensor<4xf32>
  %m = linalg.generic {indexing_maps = [#id, #vec], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%n : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %out : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %t = linalg.generic {indexing_maps = [#id, #vec], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %ex = math.exp %in : f32
    %r = arith.addf %out, %ex : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  return %s, %m, %t : tensor<4x1xf32>, tensor<4xf32>, tensor<4xf32>
}

// Named ops: matmul into a zero fill, matmul into an init, transpose, reshapes, constants.
// CHECK-LABEL: func.func @named
// CHECK:         %[[K:.*]] = ztensor.constant dense<{{\[}}[1.000000e+00, 2.000000e+00]]> : tensor<1x2xf32>
// CHECK:         %[[TR:.*]] = ztensor.transpose %[[B:.*]] {permutation = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
// CHECK:         %[[MM:.*]] = ztensor.matmul %[[A:.*]], %[[TR]] : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
// CHECK:         %[[MM2:.*]] = ztensor.matmul %[[A]], %[[TR]]
// CHECK:         %[[ACC:.*]] = ztensor.add %[[MM]], %[[MM2]] : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
// CHECK:         %[[EX:.*]] = ztensor.reshape %[[ACC]] : tensor<4x2xf32> -> tensor<4x1x2xf32>
// CHECK:         %[[CO:.*]] = ztensor.reshape %[[EX]] : tensor<4x1x2xf32> -> tensor<4x2xf32>
// CHECK:         func.return %[[CO]], %[[K]]
// canonicalize folds the reshape pair and drops the scalar constants.
// CANON-LABEL:   func.func @named
// CANON-NOT:     arith.constant
// CANON-NOT:     ztensor.reshape
// CANON:         %[[SUM:.*]] = ztensor.add
// CANON-NEXT:    func.return %[[SUM]]
func.func @named(%a: tensor<4x3xf32>, %b: tensor<2x3xf32>) -> (tensor<4x2xf32>, tensor<1x2xf32>) {
  %zero = arith.constant 0.0 : f32
  %k = arith.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %e0 = tensor.empty() : tensor<3x2xf32>
  %bt = linalg.transpose ins(%b : tensor<2x3xf32>) outs(%e0 : tensor<3x2xf32>) permutation = [1, 0]
  %e = tensor.empty() : tensor<4x2xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x2xf32>) -> tensor<4x2xf32>
  %m = linalg.matmul ins(%a, %bt : tensor<4x3xf32>, tensor<3x2xf32>) outs(%z : tensor<4x2xf32>) -> tensor<4x2xf32>
  %m2 = linalg.matmul ins(%a, %bt : tensor<4x3xf32>, tensor<3x2xf32>) outs(%m : tensor<4x2xf32>) -> tensor<4x2xf32>
  %x = tensor.expand_shape %m2 [[0], [1, 2]] output_shape [4, 1, 2] : tensor<4x2xf32> into tensor<4x1x2xf32>
  %y = tensor.collapse_shape %x [[0], [1, 2]] : tensor<4x1x2xf32> into tensor<4x2xf32>
  return %y, %k : tensor<4x2xf32>, tensor<1x2xf32>
}

// A two-result generic whose second result (an i64 argmax) is unused: only the max is raised.
// CHECK-LABEL: func.func @unused_argmax
// CHECK:         ztensor.reduce_max
// CHECK-NOT:     linalg.
// CHECK-NOT:     xi64>
// CHECK:         func.return
func.func @unused_argmax(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  %c0 = arith.constant 0 : i64
  %ninf = arith.constant 0xFF800000 : f32
  %e0 = tensor.empty() : tensor<4xi64>
  %i0 = linalg.fill ins(%c0 : i64) outs(%e0 : tensor<4xi64>) -> tensor<4xi64>
  %e1 = tensor.empty() : tensor<4xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %r:2 = linalg.generic {indexing_maps = [#id, #vec, #vec], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%m0, %i0 : tensor<4xf32>, tensor<4xi64>) {
  ^bb0(%in: f32, %out: f32, %out_1: i64):
    %j = linalg.index 1 : index
    %j64 = arith.index_cast %j : index to i64
    %max = arith.maximumf %in, %out : f32
    %gt = arith.cmpf ogt, %in, %out : f32
    %arg = arith.select %gt, %j64, %out_1 : i64
    linalg.yield %max, %arg : f32, i64
  } -> (tensor<4xf32>, tensor<4xi64>)
  return %r#0 : tensor<4xf32>
}

// linalg.broadcast: a reshape with size-1 added dims, then broadcast_to; linalg.reduce: a
// ztensor reduction over its dimensions (a zero-fill init of a sum needs no add).
// CHECK-LABEL: func.func @named_broadcast_reduce
// CHECK-NEXT:    %[[R:.*]] = ztensor.reshape %x : tensor<3x5xf32> -> tensor<3x1x5xf32>
// CHECK-NEXT:    %[[B:.*]] = ztensor.broadcast_to %[[R]] : tensor<3x1x5xf32> -> tensor<3x4x5xf32>
// CHECK:         %[[S:.*]] = ztensor.reduce_sum %[[B]] {axes = array<i64: 1>, keepdims = false} : tensor<3x4x5xf32> -> tensor<3x5xf32>
// CHECK-NOT:     linalg.
// CHECK:         func.return %[[S]] : tensor<3x5xf32>
func.func @named_broadcast_reduce(%x: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %e = tensor.empty() : tensor<3x4x5xf32>
  %b = linalg.broadcast ins(%x : tensor<3x5xf32>) outs(%e : tensor<3x4x5xf32>) dimensions = [1]
  %zero = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<3x5xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e2 : tensor<3x5xf32>) -> tensor<3x5xf32>
  %s = linalg.reduce ins(%b : tensor<3x4x5xf32>) outs(%z : tensor<3x5xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %p = arith.addf %in, %acc : f32
      linalg.yield %p : f32
    }
  func.return %s : tensor<3x5xf32>
}
