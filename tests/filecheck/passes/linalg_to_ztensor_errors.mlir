// What linalg-to-ztensor cannot raise stays, with a located remark naming the op and what is
// missing; cpu-pipeline then compiles it as loops (linalg-to-zloop). What the fallback cannot
// lower either is a located "not supported" error of cpu-pipeline, never an internal error or
// a traceback (tests/filecheck/lowering/linalg_to_zloop_errors.mlir: of the pass alone).
// RUN: ziggurat-opt %s --split-input-file -p linalg-to-ztensor 2>&1 | filecheck %s
// RUN: not ziggurat-opt %s --split-input-file -p cpu-pipeline 2>&1 | filecheck %s --check-prefix=PIPE
// RUN: not ziggurat-opt %s --split-input-file -p cpu-pipeline 2>&1 | filecheck %s --check-prefix=NOBUG
// NOBUG-NOT: internal error
// NOBUG-NOT: Traceback

// An argmax that is used: its body reads linalg.index and it makes i64 tensors.
#id = affine_map<(d0, d1) -> (d0, d1)>
#vec = affine_map<(d0, d1) -> (d0)>
func.func @argmax(%x: tensor<4x8xf32>) -> tensor<4xf32> {
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
  %e2 = tensor.empty() : tensor<4xf32>
  %f = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%r#1 : tensor<4xi64>) outs(%e2 : tensor<4xf32>) {
  ^bb0(%in: i64, %out: f32):
    %v = arith.sitofp %in : i64 to f32
    linalg.yield %v : f32
  } -> tensor<4xf32>
  return %f : tensor<4xf32>
}
// CHECK: linalg_to_ztensor_errors.mlir:[[# @LINE - 17]]:{{[0-9]+}}: remark: 'linalg.generic' op is not raised by linalg-to-ztensor, left for linalg-to-zloop: tensor<4xi64> does not hold f32, f64 or i1 elements
// CHECK: linalg_to_ztensor_errors.mlir:[[# @LINE - 8]]:{{[0-9]+}}: remark: 'linalg.generic' op is not raised by linalg-to-ztensor, left for linalg-to-zloop: the body op 'arith.sitofp' has no ztensor form
// CHECK-NOT: remark
// CHECK: func.func @argmax
// PIPE: llvm.func @argmax

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#vec = affine_map<(d0, d1) -> (d0)>
func.func @index_in_body(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %j = linalg.index 1 : index
    %j64 = arith.index_cast %j : index to i64
    %f = arith.sitofp %j64 : i64 to f32
    %s = arith.addf %in, %f : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}
// CHECK: linalg_to_ztensor_errors.mlir:[[# @LINE - 10]]:{{[0-9]+}}: remark: 'linalg.generic' op is not raised by linalg-to-ztensor, left for linalg-to-zloop: the body op 'arith.sitofp' has no ztensor form
// PIPE: llvm.func @index_in_body

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#vec = affine_map<(d0, d1) -> (d0)>
func.func @fpowi(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %two = arith.constant 2 : i32
  %e = tensor.empty() : tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %p = math.fpowi %in, %two : f32, i32
    linalg.yield %p : f32
  } -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}
// CHECK: linalg_to_ztensor_errors.mlir:[[# @LINE - 7]]:{{[0-9]+}}: remark: 'linalg.generic' op is not raised by linalg-to-ztensor, left for linalg-to-zloop: the body op 'math.fpowi' has no ztensor form
// PIPE: llvm.func @fpowi

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#vec = affine_map<(d0, d1) -> (d0)>
func.func @product(%x: tensor<4x8xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  %r = linalg.generic {indexing_maps = [#id, #vec], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %p = arith.mulf %in, %out : f32
    linalg.yield %p : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}
// CHECK: linalg_to_ztensor_errors.mlir:[[# @LINE - 7]]:{{[0-9]+}}: remark: 'linalg.generic' op is not raised by linalg-to-ztensor, left for linalg-to-zloop: a reduction body must yield arith.addf or arith.maximumf of its accumulator and a value of the inputs
// PIPE: llvm.func @product

// -----

func.func @named_op(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %r = linalg.add ins(%x, %y : tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}
// CHECK: linalg_to_ztensor_errors.mlir:[[# @LINE - 3]]:{{[0-9]+}}: remark: 'linalg.add' op is not raised by linalg-to-ztensor, left for linalg-to-zloop: 'linalg.add' has no ztensor form
// PIPE: llvm.func @named_op

// -----

func.func @uninitialized() -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  return %e : tensor<4xf32>
}
// CHECK: linalg_to_ztensor_errors.mlir:[[# @LINE - 3]]:{{[0-9]+}}: remark: 'tensor.empty' op is not raised by linalg-to-ztensor, left for linalg-to-zloop: an uninitialized tensor
// PIPE: linalg_to_ztensor_errors.mlir:[[# @LINE - 4]]:{{[0-9]+}}: error: 'tensor.empty' op is not supported by cpu-pipeline: an uninitialized tensor is only compiled as the init of a linalg op that overwrites it, not read by 'func.return'

// -----

func.func @on_memrefs(%x: memref<4xf32>, %y: memref<4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : memref<4xf32>) outs(%y : memref<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}
// CHECK: linalg_to_ztensor_errors.mlir:[[# @LINE - 6]]:{{[0-9]+}}: remark: 'linalg.generic' op is not raised by linalg-to-ztensor, left for linalg-to-zloop: it works on memrefs
// PIPE: linalg_to_ztensor_errors.mlir:[[# @LINE - 7]]:{{[0-9]+}}: error: 'linalg.generic' op is not supported by cpu-pipeline: it works on memrefs

// -----

func.func @bad_blob() -> tensor<4xf32> {
  %c = arith.constant dense_resource<short_blob> : tensor<4xf32>
  return %c : tensor<4xf32>
}
{-#
  dialect_resources: {
    builtin: {
      short_blob: "0x040000000000803F"
    }
  }
#-}
// CHECK: linalg_to_ztensor_errors.mlir:[[# @LINE - 10]]:{{[0-9]+}}: remark: 'arith.constant' op is not raised by linalg-to-ztensor, left for linalg-to-zloop: dense_resource<short_blob{{.*}}>: the blob holds 4 bytes, but tensor<4xf32> takes 16
// PIPE: linalg_to_ztensor_errors.mlir:[[# @LINE - 11]]:{{[0-9]+}}: error: 'arith.constant' op is not supported by cpu-pipeline: dense_resource<short_blob{{.*}}>: the blob holds 4 bytes, but tensor<4xf32> takes 16
