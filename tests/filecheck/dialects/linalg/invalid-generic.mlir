// Malformed linalg.generic syntax gets a located parse error (core/parsing.py,
// parse_linalg_generic), never a traceback.
// RUN: not ziggurat-opt %s --split-input-file 2>&1 | filecheck %s
// RUN: not ziggurat-opt %s --split-input-file 2>&1 | filecheck %s --check-prefix=NOTRACE
// NOTRACE-NOT: Traceback

func.func @bad_iterator(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["sideways"]} ins(%x : tensor<4xf32>) outs(%x : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4xf32>
  return %a : tensor<4xf32>
}
// CHECK: invalid-generic.mlir:[[# @LINE - 6]]:23: error: Unknown iterator type "sideways"

// -----

func.func @no_maps(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = linalg.generic {iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%x : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4xf32>
  return %a : tensor<4xf32>
}
// CHECK: invalid-generic.mlir:[[# @LINE - 6]]:23: error: Expected indexing_maps for linalg.generic

// -----

func.func @unclosed_results(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%x : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> (tensor<4xf32>
  return %a : tensor<4xf32>
}
// CHECK: invalid-generic.mlir:[[# @LINE - 2]]:3: error: Expected ')'

// -----

func.func @too_few_names(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%x, %x : tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32, %out2: f32):
    linalg.yield %in, %in : f32, f32
  } -> (tensor<4xf32>, tensor<4xf32>)
  return %a : tensor<4xf32>
}
// CHECK: invalid-generic.mlir:[[# @LINE - 6]]:3: error: Operation has 2 results, but was given 1 to bind.

// -----

func.func @fine() {
  return
}
// NOTRACE: func.func @fine
