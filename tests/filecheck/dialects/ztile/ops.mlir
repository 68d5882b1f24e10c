// RUN: ziggurat-opt %s | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// CHECK-LABEL: func.func @matmul_bias_relu
func.func @matmul_bias_relu(%a: memref<33x17xf32>, %b: memref<17x20xf32>, %bias: memref<1x20xf32>, %c: memref<33x20xf32>) {
  // CHECK: ztile.grid [3, 2] {
  ztile.grid [3, 2] {
    // CHECK-NEXT: %{{.*}} = ztile.program_id 0 : index
    // CHECK-NEXT: %{{.*}} = ztile.program_id 1 : index
    %pi = ztile.program_id 0 : index
    %pj = ztile.program_id 1 : index
    %c16 = arith.constant 16 : index
    %i = arith.muli %pi, %c16 : index
    %j = arith.muli %pj, %c16 : index
    %c0 = arith.constant 0 : index
    %c17 = arith.constant 17 : index
    %zero = arith.constant 0.0 : f32
    // CHECK: ztile.splat %{{.*}} : f32 -> !ztile.tile<16x16xf32>
    %init = ztile.splat %zero : f32 -> !ztile.tile<16x16xf32>
    %acc = scf.for %k = %c0 to %c17 step %c16 iter_args(%t = %init) -> (!ztile.tile<16x16xf32>) {
      // CHECK: ztile.load %{{.*}}[%{{.*}}, %{{.*}}] {padding = 0.000000e+00 : f32} : memref<33x17xf32> -> !ztile.tile<16x16xf32>
      %ta = ztile.load %a[%i, %k] {padding = 0.0 : f32} : memref<33x17xf32> -> !ztile.tile<16x16xf32>
      %tb = ztile.load %b[%k, %j] : memref<17x20xf32> -> !ztile.tile<16x16xf32>
      // CHECK: ztile.dot %{{.*}}, %{{.*}}, %{{.*}} : !ztile.tile<16x16xf32>, !ztile.tile<16x16xf32>, !ztile.tile<16x16xf32> -> !ztile.tile<16x16xf32>
      %n = ztile.dot %ta, %tb, %t : !ztile.tile<16x16xf32>, !ztile.tile<16x16xf32>, !ztile.tile<16x16xf32> -> !ztile.tile<16x16xf32>
      scf.yield %n : !ztile.tile<16x16xf32>
    }
    %tbias = ztile.load %bias[%c0, %j] : memref<1x20xf32> -> !ztile.tile<1x16xf32>
    // CHECK: ztile.broadcast %{{.*}} : !ztile.tile<1x16xf32> -> !ztile.tile<16x16xf32>
    %bb = ztile.broadcast %tbias : !ztile.tile<1x16xf32> -> !ztile.tile<16x16xf32>
    // CHECK: ztile.add %{{.*}}, %{{.*}} : !ztile.tile<16x16xf32>
    %s = ztile.add %acc, %bb : !ztile.tile<16x16xf32>
    // CHECK: ztile.relu %{{.*}} : !ztile.tile<16x16xf32>
    %r = ztile.relu %s : !ztile.tile<16x16xf32>
    // CHECK: ztile.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : !ztile.tile<16x16xf32>, memref<33x20xf32>
    ztile.store %r, %c[%i, %j] : !ztile.tile<16x16xf32>, memref<33x20xf32>
    // CHECK: ztile.yield
    ztile.yield
  }
  func.return
}

// CHECK-LABEL: func.func @compare
func.func @compare(%a: memref<8x16xf32>, %m: memref<8x16xi1>) {
  ztile.grid [1] {
    %c0 = arith.constant 0 : index
    %t = ztile.load %a[%c0, %c0] : memref<8x16xf32> -> !ztile.tile<8x16xf32>
    // CHECK: %{{.*}} = ztile.cmp "oge" %{{.*}}, %{{.*}} : !ztile.tile<8x16xf32> -> !ztile.tile<8x16xi1>
    %c = ztile.cmp "oge" %t, %t : !ztile.tile<8x16xf32> -> !ztile.tile<8x16xi1>
    ztile.store %c, %m[%c0, %c0] : !ztile.tile<8x16xi1>, memref<8x16xi1>
    // CHECK: %{{.*}} = ztile.select %{{.*}}, %{{.*}}, %{{.*}} : !ztile.tile<8x16xi1>, !ztile.tile<8x16xf32>
    %s = ztile.select %c, %t, %t : !ztile.tile<8x16xi1>, !ztile.tile<8x16xf32>
    ztile.store %s, %a[%c0, %c0] : !ztile.tile<8x16xf32>, memref<8x16xf32>
  }
  func.return
}

// CHECK-LABEL: func.func @cast_f32_f64
func.func @cast_f32_f64(%x: memref<8x32xf32>, %y: memref<8x1xf32>) {
  ztile.grid [1] {
    %c0 = arith.constant 0 : index
    %t = ztile.load %x[%c0, %c0] : memref<8x32xf32> -> !ztile.tile<8x32xf32>
    // CHECK: ztile.cast %{{.*}} : !ztile.tile<8x32xf32> -> !ztile.tile<8x32xf64>
    %w = ztile.cast %t : !ztile.tile<8x32xf32> -> !ztile.tile<8x32xf64>
    %s = ztile.reduce "sum" %w {axis = 1 : i64} : !ztile.tile<8x32xf64> -> !ztile.tile<8x1xf64>
    // CHECK: ztile.cast %{{.*}} : !ztile.tile<8x1xf64> -> !ztile.tile<8x1xf32>
    %n = ztile.cast %s : !ztile.tile<8x1xf64> -> !ztile.tile<8x1xf32>
    ztile.store %n, %y[%c0, %c0] : !ztile.tile<8x1xf32>, memref<8x1xf32>
  }
  func.return
}

// CHECK-LABEL: func.func @narrow_floats
func.func @narrow_floats(%h: memref<8x32xf16>, %b: memref<32x16xbf16>, %y: memref<8x16xf32>) {
  ztile.grid [1] {
    %c0 = arith.constant 0 : index
    // CHECK: ztile.load %{{.*}}[%{{.*}}, %{{.*}}] {padding = 0.000000e+00 : f16} : memref<8x32xf16> -> !ztile.tile<8x32xf16>
    %t = ztile.load %h[%c0, %c0] {padding = 0.0 : f16} : memref<8x32xf16> -> !ztile.tile<8x32xf16>
    // CHECK: ztile.exp %{{.*}} : !ztile.tile<8x32xf16>
    %e = ztile.exp %t : !ztile.tile<8x32xf16>
    // CHECK: ztile.cast %{{.*}} : !ztile.tile<8x32xf16> -> !ztile.tile<8x32xbf16>
    %w = ztile.cast %e : !ztile.tile<8x32xf16> -> !ztile.tile<8x32xbf16>
    %u = ztile.load %b[%c0, %c0] : memref<32x16xbf16> -> !ztile.tile<32x16xbf16>
    %zero = arith.constant 0.0 : f32
    %acc = ztile.splat %zero : f32 -> !ztile.tile<8x16xf32>
    // CHECK: ztile.dot %{{.*}}, %{{.*}}, %{{.*}} : !ztile.tile<8x32xbf16>, !ztile.tile<32x16xbf16>, !ztile.tile<8x16xf32> -> !ztile.tile<8x16xf32>
    %d = ztile.dot %w, %u, %acc : !ztile.tile<8x32xbf16>, !ztile.tile<32x16xbf16>, !ztile.tile<8x16xf32> -> !ztile.tile<8x16xf32>
    ztile.store %d, %y[%c0, %c0] : !ztile.tile<8x16xf32>, memref<8x16xf32>
  }
  func.return
}
