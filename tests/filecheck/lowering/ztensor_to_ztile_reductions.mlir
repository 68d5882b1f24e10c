// RUN: ziggurat-opt %s -p ztensor-to-ztile | filecheck %s

// Softmax along the last axis: one row-blocked program, the row reduced inside it.

func.func @softmax(%x: tensor<64x1024xf32>) -> tensor<64x1024xf32> {
  %s = ztensor.softmax %x {axis = -1 : i64} : tensor<64x1024xf32>
  func.return %s : tensor<64x1024xf32>
}

// CHECK-LABEL: func.func @softmax
// CHECK:         ztile.grid [8] {
// CHECK:           %[[X:.*]] = ztile.load {{.*}} -> !ztile.tile<8x1024xf32>
// CHECK:           %[[M:.*]] = ztile.reduce "max" %[[X]] {axis = 1 : i64} : !ztile.tile<8x1024xf32> -> !ztile.tile<8x1xf32>
// CHECK:           ztile.exp
// CHECK:           ztile.reduce "sum" {{.*}} -> !ztile.tile<8x1xf32>
// CHECK:           ztile.div
// CHECK:           ztile.store
// CHECK-NOT:     ztile.grid

// A row longer than the tile budget is reduced in chunks carried by scf.for; the padded
// tail reads -inf so that it does not change the maximum.

func.func @long_max(%x: tensor<2x10000xf32>) -> tensor<2xf32> {
  %m = ztensor.reduce_max %x {axes = array<i64: 1>} : tensor<2x10000xf32> -> tensor<2xf32>
  func.return %m : tensor<2xf32>
}

// CHECK-LABEL: func.func @long_max
// CHECK:         ztile.grid [1] {
// CHECK:           %[[INIT:.*]] = ztile.splat {{.*}} -> !ztile.tile<2x1xf32>
// CHECK:           scf.for {{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (!ztile.tile<2x1xf32>) {
// CHECK:             %[[T:.*]] = ztile.load {{.*}} {padding = 0xff800000 : f32} : memref<2x10000xf32> -> !ztile.tile<2x4096xf32>
// CHECK:             %[[R:.*]] = ztile.reduce "max" %[[T]]
// CHECK:             ztile.maximum %[[ACC]], %[[R]]
// CHECK:         memref.alloc() : memref<2xf32>
// CHECK:         scf.for
// CHECK:           memref.load {{.*}} : memref<2x1xf32>
// CHECK:           memref.store {{.*}} : memref<2xf32>
