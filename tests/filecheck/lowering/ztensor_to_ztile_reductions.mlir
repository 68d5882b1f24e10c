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

// A full mean of 2^17 elements is split so that every core takes part: 8 programs each sum
// an equal run of 64 rows into a partial, then one program sums the 8 partials in order and
// divides. The split depends on the shape only (results do not depend on the thread count).

func.func @full_mean(%x: tensor<512x256xf32>) -> tensor<f32> {
  %m = ztensor.reduce_mean %x {axes = array<i64: 0, 1>} : tensor<512x256xf32> -> tensor<f32>
  func.return %m : tensor<f32>
}

// CHECK-LABEL: func.func @full_mean
// CHECK:         %[[PARTS:.*]] = memref.alloc() : memref<8x1xf32>
// CHECK:         ztile.grid [8] {
// CHECK:           %[[P:.*]] = ztile.program_id 0 : index
// CHECK:           scf.for
// CHECK:             ztile.reduce "sum"
// CHECK:           ztile.store %{{.*}}, %[[PARTS]][%[[P]], %{{.*}}] : !ztile.tile<1x1xf32>, memref<8x1xf32>
// CHECK:         ztile.grid [1] {
// CHECK:           %[[T:.*]] = ztile.load %[[PARTS]]{{.*}} -> !ztile.tile<8x1xf32>
// CHECK:           ztile.reduce "sum" %[[T]] {axis = 0 : i64} : !ztile.tile<8x1xf32> -> !ztile.tile<1x1xf32>
// CHECK:           ztile.div
// CHECK:           ztile.store
