// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s

// A linalg.generic with two results (row max and its argmax, as torch-mlir exports softmax),
// written `-> (T1, T2)` as MLIR and xDSL's printer write it: xDSL 0.74's own parser rejects
// that (core/parsing.py, parse_linalg_generic).

#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d0)>
func.func @max_argmax(%x: tensor<4x8xf32>, %m: tensor<4xf32>, %i: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xi64>) {
  %r:2 = linalg.generic {indexing_maps = [#map, #map1, #map1], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%m, %i : tensor<4xf32>, tensor<4xi64>) {
  ^bb0(%in: f32, %out: f32, %out_1: i64):
    %j = linalg.index 1 : index
    %j64 = arith.index_cast %j : index to i64
    %max = arith.maximumf %in, %out : f32
    %gt = arith.cmpf ogt, %in, %out : f32
    %arg = arith.select %gt, %j64, %out_1 : i64
    linalg.yield %max, %arg : f32, i64
  } -> (tensor<4xf32>, tensor<4xi64>)
  return %r#0, %r#1 : tensor<4xf32>, tensor<4xi64>
}

// CHECK-LABEL: func.func @max_argmax
// CHECK:         %[[M:.*]], %[[I:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<4x8xf32>) outs(%{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xi64>) {
// CHECK:           linalg.yield %{{.*}}, %{{.*}} : f32, i64
// CHECK-NEXT:    } -> (tensor<4xf32>, tensor<4xi64>)
// CHECK-NEXT:    func.return %[[M]], %[[I]] : tensor<4xf32>, tensor<4xi64>

// One result, with and without parentheses, and none.
func.func @one(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%x : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> (tensor<4xf32>)
  %b = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%a : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4xf32>
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @one
// CHECK:         } -> tensor<4xf32>
// CHECK:         } -> tensor<4xf32>

func.func @on_memrefs(%x: memref<4xf32>, %y: memref<4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : memref<4xf32>) outs(%y : memref<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}

// CHECK-LABEL: func.func @on_memrefs
// CHECK:         linalg.generic
// CHECK:           linalg.yield %{{.*}} : f32
// CHECK-NEXT:    }{{$}}
// CHECK-NEXT:    func.return
