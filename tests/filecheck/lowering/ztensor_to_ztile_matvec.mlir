// RUN: ziggurat-opt %s -p ztensor-to-ztile | filecheck %s

// A matrix-vector product is lowered as the reduction kernel of the products (memory-bound),
// not as a GEMM whose register tile would be one lane wide: the vector is copied into a row
// (a reshape, K elements), which every program loads contiguously and multiplies in the
// reduction's prologue, in one grid.

// CHECK-LABEL: func.func @mv
// CHECK:         %[[ROWBUF:.*]] = memref.alloc() : memref<1x32xf32>
// CHECK:         scf.for
// CHECK:           memref.store %{{.*}}, %[[ROWBUF]]
// CHECK:         ztile.grid [8]
// CHECK:           %[[A:.*]] = ztile.load %{{.*}} : memref<64x32xf32> -> !ztile.tile<8x32xf32>
// CHECK:           %[[V:.*]] = ztile.load %{{.*}} : memref<1x32xf32> -> !ztile.tile<1x32xf32>
// CHECK:           %[[B:.*]] = ztile.broadcast %[[V]] : !ztile.tile<1x32xf32> -> !ztile.tile<8x32xf32>
// CHECK:           %[[P:.*]] = ztile.mul %[[A]], %[[B]]
// CHECK:           ztile.reduce "sum" %[[P]] {axis = 1 : i64} : !ztile.tile<8x32xf32> -> !ztile.tile<8x1xf32>
// CHECK-NOT:     ztile.grid
// CHECK-NOT:     ztile.dot
// CHECK:         func.return
func.func @mv(%a: tensor<64x32xf32>, %v: tensor<32x1xf32>) -> tensor<64x1xf32> {
  %m = ztensor.matmul %a, %v : (tensor<64x32xf32>, tensor<32x1xf32>) -> tensor<64x1xf32>
  func.return %m : tensor<64x1xf32>
}

// One row times a matrix: column sums of the products, the row copied into a column.
// CHECK-LABEL: func.func @vm
// CHECK:         memref.alloc() : memref<48x1xf64>
// CHECK:         ztile.grid
// CHECK:           ztile.mul
// CHECK:           ztile.reduce "sum" %{{.*}} {axis = 0 : i64}
// CHECK-NOT:     ztile.dot
// CHECK:         func.return
func.func @vm(%u: tensor<1x48xf64>, %b: tensor<48x40xf64>) -> tensor<1x40xf64> {
  %m = ztensor.matmul %u, %b : (tensor<1x48xf64>, tensor<48x40xf64>) -> tensor<1x40xf64>
  func.return %m : tensor<1x40xf64>
}

// A transposed matrix is reduced in its own order: transpose(X) @ v is the column sums of
// X * v, then the 1 x M sums are reshaped to M x 1; the transpose is never materialized.
// CHECK-LABEL: func.func @tmv
// CHECK:         ztile.grid
// CHECK:           ztile.load %{{.*}} : memref<32x64xf32> -> !ztile.tile<32x64xf32>
// CHECK:           ztile.reduce "sum" %{{.*}} {axis = 0 : i64}
// CHECK-NOT:     ztile.grid
// CHECK-NOT:     ztile.transpose
// CHECK:         memref.store %{{.*}} : memref<64x1xf32>
// CHECK:         func.return
func.func @tmv(%x: tensor<32x64xf32>, %v: tensor<32xf32>) -> tensor<64x1xf32> {
  %t = ztensor.transpose %x {permutation = array<i64: 1, 0>} : tensor<32x64xf32> -> tensor<64x32xf32>
  %c = ztensor.reshape %v : tensor<32xf32> -> tensor<32x1xf32>
  %m = ztensor.matmul %t, %c : (tensor<64x32xf32>, tensor<32x1xf32>) -> tensor<64x1xf32>
  func.return %m : tensor<64x1xf32>
}

// u @ transpose(Y): the row sums of Y * u.
// CHECK-LABEL: func.func @vmt
// CHECK:         ztile.grid
// CHECK:           ztile.reduce "sum" %{{.*}} {axis = 1 : i64}
// CHECK-NOT:     ztile.grid
// CHECK:         func.return
func.func @vmt(%u: tensor<1x32xf32>, %y: tensor<40x32xf32>) -> tensor<1x40xf32> {
  %t = ztensor.transpose %y {permutation = array<i64: 1, 0>} : tensor<40x32xf32> -> tensor<32x40xf32>
  %m = ztensor.matmul %u, %t : (tensor<1x32xf32>, tensor<32x40xf32>) -> tensor<1x40xf32>
  func.return %m : tensor<1x40xf32>
}

// A fused matmul kernel around one (what eqsat builds for relu(u@B + c)) is inlined: the
// reduction, then its epilogue as an elementwise kernel.
// CHECK-LABEL: func.func @fused
// CHECK:         ztile.grid
// CHECK:           ztile.reduce "sum"
// CHECK:         ztile.grid
// CHECK:           ztile.add
// CHECK:           ztile.relu
// CHECK-NOT:     ztile.dot
// CHECK:         func.return
func.func @fused(%u: tensor<1x48xf32>, %b: tensor<48x40xf32>, %c: tensor<1x40xf32>) -> tensor<1x40xf32> {
  %0 = "ztensor.fused"(%u, %b, %c) ({
  ^bb0(%x: tensor<1x48xf32>, %y: tensor<48x40xf32>, %z: tensor<1x40xf32>):
    %m = ztensor.matmul %x, %y : (tensor<1x48xf32>, tensor<48x40xf32>) -> tensor<1x40xf32>
    %s = ztensor.add %m, %z : (tensor<1x40xf32>, tensor<1x40xf32>) -> tensor<1x40xf32>
    %r = ztensor.relu %s : tensor<1x40xf32>
    ztensor.yield %r : tensor<1x40xf32>
  }) {kind = "matmul_epilogue"} : (tensor<1x48xf32>, tensor<48x40xf32>, tensor<1x40xf32>) -> tensor<1x40xf32>
  func.return %0 : tensor<1x40xf32>
}

// Not rewritten: f16 products (summed in f32 by the matmul), K = 1 (an outer product), and
// rows longer than a reduction's prologue takes whole (10000 elements, not a multiple of 4096).
// CHECK-LABEL: func.func @kept
// CHECK-COUNT-3: ztile.dot
// CHECK:         func.return
func.func @kept(%a: tensor<16x32xf16>, %v: tensor<32x1xf16>, %p: tensor<16x1xf32>, %q: tensor<1x8xf32>, %l: tensor<4x10000xf32>, %w: tensor<10000x1xf32>) -> (tensor<16x1xf16>, tensor<16x8xf32>, tensor<4x1xf32>) {
  %0 = ztensor.matmul %a, %v : (tensor<16x32xf16>, tensor<32x1xf16>) -> tensor<16x1xf16>
  %1 = ztensor.matmul %p, %q : (tensor<16x1xf32>, tensor<1x8xf32>) -> tensor<16x8xf32>
  %2 = ztensor.matmul %l, %w : (tensor<4x10000xf32>, tensor<10000x1xf32>) -> tensor<4x1xf32>
  func.return %0, %1, %2 : tensor<16x1xf16>, tensor<16x8xf32>, tensor<4x1xf32>
}
