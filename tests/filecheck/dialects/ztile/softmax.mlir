// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// Row-wise softmax of a 33x17 matrix: one program per block of 16 rows, the whole row in a
// 16x32 tile whose padding (-inf) leaves max and sum unchanged.

// CHECK-LABEL: func.func @softmax
func.func @softmax(%x: memref<33x17xf32>, %y: memref<33x17xf32>) {
  ztile.grid [3] {
    %p = ztile.program_id 0 : index
    %c16 = arith.constant 16 : index
    %c0 = arith.constant 0 : index
    %i = arith.muli %p, %c16 : index
    // CHECK: ztile.load %{{.*}}[%{{.*}}, %{{.*}}] {padding = 0xff800000 : f32} : memref<33x17xf32> -> !ztile.tile<16x32xf32>
    %t = ztile.load %x[%i, %c0] {padding = 0xff800000 : f32} : memref<33x17xf32> -> !ztile.tile<16x32xf32>
    // CHECK: ztile.reduce "max" %{{.*}} {axis = 1 : i64} : !ztile.tile<16x32xf32> -> !ztile.tile<16x1xf32>
    %m = ztile.reduce "max" %t {axis = 1 : i64} : !ztile.tile<16x32xf32> -> !ztile.tile<16x1xf32>
    %mb = ztile.broadcast %m : !ztile.tile<16x1xf32> -> !ztile.tile<16x32xf32>
    // CHECK: ztile.sub %{{.*}}, %{{.*}} : !ztile.tile<16x32xf32>
    %d = ztile.sub %t, %mb : !ztile.tile<16x32xf32>
    // CHECK: ztile.exp %{{.*}} : !ztile.tile<16x32xf32>
    %e = ztile.exp %d : !ztile.tile<16x32xf32>
    // CHECK: ztile.reduce "sum" %{{.*}} {axis = 1 : i64} : !ztile.tile<16x32xf32> -> !ztile.tile<16x1xf32>
    %s = ztile.reduce "sum" %e {axis = 1 : i64} : !ztile.tile<16x32xf32> -> !ztile.tile<16x1xf32>
    %sb = ztile.broadcast %s : !ztile.tile<16x1xf32> -> !ztile.tile<16x32xf32>
    // CHECK: ztile.div %{{.*}}, %{{.*}} : !ztile.tile<16x32xf32>
    %r = ztile.div %e, %sb : !ztile.tile<16x32xf32>
    ztile.store %r, %y[%i, %c0] : !ztile.tile<16x32xf32>, memref<33x17xf32>
  }
  func.return
}

// CHECK-LABEL: func.func @all_ops
func.func @all_ops(%x: memref<8x8xf64>, %v: memref<64xf32>, %w: memref<2x4x8xf32>) {
  // CHECK: ztile.grid [2, 1, 1] {
  ztile.grid [2, 1, 1] {
    %p = ztile.program_id 2 : index
    %c0 = arith.constant 0 : index
    %a = ztile.load %x[%c0, %p] {padding = 1.0 : f64} : memref<8x8xf64> -> !ztile.tile<4x8xf64>
    %b = ztile.transpose %a {permutation = array<i64: 1, 0>} : !ztile.tile<4x8xf64> -> !ztile.tile<8x4xf64>
    // CHECK: ztile.transpose %{{.*}} {permutation = array<i64: 1, 0>} : !ztile.tile<4x8xf64> -> !ztile.tile<8x4xf64>
    %one = arith.constant 1.0 : f64
    %b2 = ztile.splat %one : f64 -> !ztile.tile<8x8xf64>
    // CHECK: ztile.dot
    %c = ztile.dot %b, %a, %b2 : !ztile.tile<8x4xf64>, !ztile.tile<4x8xf64>, !ztile.tile<8x8xf64> -> !ztile.tile<8x8xf64>
    %u = ztile.load %v[%p] : memref<64xf32> -> !ztile.tile<16xf32>
    // CHECK-COUNT-17: ztile.{{add|sub|mul|div|maximum|minimum|pow|neg|exp|log|tanh|sigmoid|relu|gelu|sqrt|rsqrt|abs}} %{{.*}} : !ztile.tile<16xf32>
    %o1 = ztile.add %u, %u : !ztile.tile<16xf32>
    %o2 = ztile.sub %o1, %u : !ztile.tile<16xf32>
    %o3 = ztile.mul %o2, %u : !ztile.tile<16xf32>
    %o4 = ztile.div %o3, %u : !ztile.tile<16xf32>
    %o5 = ztile.maximum %o4, %u : !ztile.tile<16xf32>
    %o6 = ztile.minimum %o5, %u : !ztile.tile<16xf32>
    %o7 = ztile.pow %o6, %u : !ztile.tile<16xf32>
    %o8 = ztile.neg %o7 : !ztile.tile<16xf32>
    %o9 = ztile.exp %o8 : !ztile.tile<16xf32>
    %o10 = ztile.log %o9 : !ztile.tile<16xf32>
    %o11 = ztile.tanh %o10 : !ztile.tile<16xf32>
    %o12 = ztile.sigmoid %o11 : !ztile.tile<16xf32>
    %o13 = ztile.relu %o12 : !ztile.tile<16xf32>
    %o14 = ztile.gelu %o13 : !ztile.tile<16xf32>
    %o15 = ztile.sqrt %o14 : !ztile.tile<16xf32>
    %o16 = ztile.rsqrt %o15 : !ztile.tile<16xf32>
    %o17 = ztile.abs %o16 : !ztile.tile<16xf32>
    ztile.store %o17, %v[%p] : !ztile.tile<16xf32>, memref<64xf32>
    %t3 = ztile.load %w[%c0, %c0, %c0] : memref<2x4x8xf32> -> !ztile.tile<2x4x8xf32>
    // CHECK: ztile.reduce "sum" %{{.*}} {axis = 0 : i64} : !ztile.tile<2x4x8xf32> -> !ztile.tile<1x4x8xf32>
    %r3 = ztile.reduce "sum" %t3 {axis = 0 : i64} : !ztile.tile<2x4x8xf32> -> !ztile.tile<1x4x8xf32>
    ztile.yield
  }
  func.return
}
