// RUN: ziggurat-opt %s -p ztensor-to-ztile | filecheck %s
// RUN: ziggurat-opt %s -p 'ztensor-to-ztile{tile-sizes=16,16,8}' | filecheck %s --check-prefix=TILED

// relu(a @ b + c) is one program: the matmul accumulates over K, the bias add and the relu
// are applied to the accumulator tile before the single store.

func.func @mlp(%a: tensor<64x32xf32>, %b: tensor<32x48xf32>, %c: tensor<1x48xf32>) -> tensor<64x48xf32> {
  %m = ztensor.matmul %a, %b : (tensor<64x32xf32>, tensor<32x48xf32>) -> tensor<64x48xf32>
  %s = ztensor.add %m, %c : (tensor<64x48xf32>, tensor<1x48xf32>) -> tensor<64x48xf32>
  %r = ztensor.relu %s : tensor<64x48xf32>
  func.return %r : tensor<64x48xf32>
}

// CHECK-LABEL: func.func @mlp
// CHECK-NOT:     ztensor.
// CHECK:         %[[A:.*]] = bufferization.to_buffer %a
// CHECK:         %[[B:.*]] = bufferization.to_buffer %b
// CHECK:         %[[C:.*]] = bufferization.to_buffer %c
// CHECK:         %[[OUT:.*]] = memref.alloc() : memref<64x48xf32>
// CHECK:         ztile.grid [1, 1] {
// CHECK:           ztile.load %[[A]]{{.*}} -> !ztile.tile<64x32xf32>
// CHECK:           ztile.load %[[B]]{{.*}} -> !ztile.tile<32x48xf32>
// CHECK:           %[[ACC:.*]] = ztile.dot
// CHECK:           %[[BIAS:.*]] = ztile.load %[[C]]{{.*}} -> !ztile.tile<1x48xf32>
// CHECK:           %[[BB:.*]] = ztile.broadcast %[[BIAS]] : !ztile.tile<1x48xf32> -> !ztile.tile<64x48xf32>
// CHECK:           %[[SUM:.*]] = ztile.add %[[ACC]], %[[BB]]
// CHECK:           %[[RELU:.*]] = ztile.relu %[[SUM]]
// CHECK:           ztile.store %[[RELU]], %[[OUT]]
// CHECK:           ztile.yield
// CHECK-NEXT:    }
// CHECK-NOT:     ztile.grid
// CHECK:         %[[R:.*]] = bufferization.to_tensor %[[OUT]]
// CHECK:         func.return %[[R]]

// TILED-LABEL: func.func @mlp
// TILED:         ztile.grid [4, 3] {
// TILED:           %[[PI:.*]] = ztile.program_id 0 : index
// TILED:           %[[PJ:.*]] = ztile.program_id 1 : index
// TILED:           %[[INIT:.*]] = ztile.splat {{.*}} : f32 -> !ztile.tile<16x16xf32>
// TILED:           %[[ACC:.*]] = scf.for {{.*}} iter_args(%[[T:.*]] = %[[INIT]]) -> (!ztile.tile<16x16xf32>) {
// TILED:             ztile.load {{.*}} -> !ztile.tile<16x8xf32>
// TILED:             ztile.load {{.*}} -> !ztile.tile<8x16xf32>
// TILED:             %[[D:.*]] = ztile.dot {{.*}}, %[[T]]
// TILED:             scf.yield %[[D]]
// TILED:           ztile.add %[[ACC]]
// TILED:           ztile.relu
// TILED:           ztile.store
// TILED-NOT:     ztile.grid

// tanh(2x + 1) * x is one program; x is loaded once, the constants become splats.

func.func @chain(%x: tensor<128x256xf32>) -> tensor<128x256xf32> {
  %two = ztensor.constant dense<2.0> : tensor<f32>
  %one = ztensor.constant dense<1.0> : tensor<f32>
  %a = ztensor.mul %two, %x : (tensor<f32>, tensor<128x256xf32>) -> tensor<128x256xf32>
  %b = ztensor.add %a, %one : (tensor<128x256xf32>, tensor<f32>) -> tensor<128x256xf32>
  %t = ztensor.tanh %b : tensor<128x256xf32>
  %r = ztensor.mul %t, %x : (tensor<128x256xf32>, tensor<128x256xf32>) -> tensor<128x256xf32>
  func.return %r : tensor<128x256xf32>
}

// CHECK-LABEL: func.func @chain
// CHECK-NOT:     ztensor.
// CHECK:         ztile.grid [8, 1] {
// CHECK:           %[[TWO:.*]] = ztile.splat {{.*}} -> !ztile.tile<16x256xf32>
// CHECK:           %[[X:.*]] = ztile.load {{.*}} : memref<128x256xf32> -> !ztile.tile<16x256xf32>
// CHECK:           %[[M:.*]] = ztile.mul %[[TWO]], %[[X]]
// CHECK:           %[[ONE:.*]] = ztile.splat
// CHECK:           %[[S:.*]] = ztile.add %[[M]], %[[ONE]]
// CHECK:           %[[T:.*]] = ztile.tanh %[[S]]
// CHECK:           %[[R:.*]] = ztile.mul %[[T]], %[[X]]
// CHECK:           ztile.store %[[R]]
// CHECK-NOT:     ztile.load
// CHECK:           ztile.yield
// CHECK-NOT:     ztile.grid
// CHECK:         func.return

// TILED-LABEL: func.func @chain
// TILED:         ztile.grid [8, 16] {
// TILED:           ztile.tanh {{.*}} : !ztile.tile<16x16xf32>
// TILED-NOT:     ztile.grid

// A batched matmul reads and writes its batches through row-major views
// (memref.collapse_shape: (B, M, K) -> (B*M, K)), not through copies.
func.func @batched(%a: tensor<8x16x4xf32>, %b: tensor<8x4x12xf32>) -> tensor<8x16x12xf32> {
  %c = ztensor.matmul %a, %b : (tensor<8x16x4xf32>, tensor<8x4x12xf32>) -> tensor<8x16x12xf32>
  func.return %c : tensor<8x16x12xf32>
}

// CHECK-LABEL: func.func @batched
// TILED-LABEL: func.func @batched
// CHECK:         %[[A:.*]] = bufferization.to_buffer %a
// CHECK-NEXT:    %[[AV:.*]] = memref.collapse_shape %[[A]] {{\[\[}}0 : i64, 1 : i64], [2 : i64]] : memref<8x16x4xf32> into memref<128x4xf32>
// CHECK:         %[[BV:.*]] = memref.collapse_shape {{.*}} into memref<32x12xf32>
// CHECK-NEXT:    %[[OUT:.*]] = memref.alloc() : memref<8x16x12xf32>
// CHECK-NEXT:    %[[OV:.*]] = memref.collapse_shape %[[OUT]] {{.*}} into memref<128x12xf32>
// CHECK-NOT:     scf.for
// CHECK:         ztile.grid [8, 1, 1] {
// CHECK:           ztile.load %[[AV]]
// CHECK:           ztile.load %[[BV]]
// CHECK:           ztile.store {{.*}}, %[[OV]]
// CHECK:         bufferization.to_tensor %[[OUT]] : memref<8x16x12xf32>
// CHECK-NOT:     scf.for
// CHECK:         func.return
