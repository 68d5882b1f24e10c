// RUN: ziggurat-opt %s -p ztile-widen | filecheck %s --check-prefix=WIDEN
// RUN: ziggurat-opt %s -p ztile-to-zloop | filecheck %s --check-prefix=LOOPS
// RUN: ziggurat-opt %s -p ztile-to-zloop,convert-to-llvm -t llvm | filecheck %s --check-prefix=LLVM

// f16 and bf16 tiles compute in f32 between casts: each op rounds its result once.

func.func @chain(%a: memref<7x13xf16>, %b: memref<7x13xf16>, %c: memref<7x13xf16>) {
  ztile.grid [1] {
    %c0 = arith.constant 0 : index
    %ta = ztile.load %a[%c0, %c0] {padding = 0.0 : f16} : memref<7x13xf16> -> !ztile.tile<8x16xf16>
    %tb = ztile.load %b[%c0, %c0] {padding = 0.0 : f16} : memref<7x13xf16> -> !ztile.tile<8x16xf16>
    %m = ztile.mul %ta, %tb : !ztile.tile<8x16xf16>
    %s = ztile.add %m, %ta : !ztile.tile<8x16xf16>
    %e = ztile.exp %s : !ztile.tile<8x16xf16>
    ztile.store %e, %c[%c0, %c0] : !ztile.tile<8x16xf16>, memref<7x13xf16>
  }
  func.return
}

// WIDEN-LABEL: func.func @chain
// WIDEN:         %[[A:.*]] = ztile.load %{{.*}} -> !ztile.tile<8x16xf16>
// WIDEN:         %[[B:.*]] = ztile.load %{{.*}} -> !ztile.tile<8x16xf16>
// WIDEN-NEXT:    %[[A32:.*]] = ztile.cast %[[A]] : !ztile.tile<8x16xf16> -> !ztile.tile<8x16xf32>
// WIDEN-NEXT:    %[[B32:.*]] = ztile.cast %[[B]] : !ztile.tile<8x16xf16> -> !ztile.tile<8x16xf32>
// WIDEN-NEXT:    %[[M32:.*]] = ztile.mul %[[A32]], %[[B32]] : !ztile.tile<8x16xf32>
// WIDEN-NEXT:    %[[M:.*]] = ztile.cast %[[M32]] : !ztile.tile<8x16xf32> -> !ztile.tile<8x16xf16>
// WIDEN-NEXT:    %[[M2:.*]] = ztile.cast %[[M]] : !ztile.tile<8x16xf16> -> !ztile.tile<8x16xf32>
// WIDEN-NEXT:    %[[A2:.*]] = ztile.cast %[[A]] : !ztile.tile<8x16xf16> -> !ztile.tile<8x16xf32>
// WIDEN-NEXT:    %[[S32:.*]] = ztile.add %[[M2]], %[[A2]] : !ztile.tile<8x16xf32>
// WIDEN-NEXT:    %[[S:.*]] = ztile.cast %[[S32]] : !ztile.tile<8x16xf32> -> !ztile.tile<8x16xf16>
// WIDEN-NEXT:    %[[S2:.*]] = ztile.cast %[[S]] : !ztile.tile<8x16xf16> -> !ztile.tile<8x16xf32>
// WIDEN-NEXT:    %[[E32:.*]] = ztile.exp %[[S2]] : !ztile.tile<8x16xf32>
// WIDEN-NEXT:    %[[E:.*]] = ztile.cast %[[E32]] : !ztile.tile<8x16xf32> -> !ztile.tile<8x16xf16>
// WIDEN-NEXT:    ztile.store %[[E]], %{{.*}} : !ztile.tile<8x16xf16>, memref<7x13xf16>

// LOOPS-LABEL: func.func @chain
// LOOPS:         vector.maskedload %{{.*}} : memref<7x13xf16>, vector<16xi1>, vector<16xf16> into vector<16xf16>
// LOOPS:         %[[X:.*]] = vector.load %{{.*}} : memref<8x16xf16>, vector<16xf16>
// LOOPS-NEXT:    %[[X32:.*]] = arith.extf %[[X]] : vector<16xf16> to vector<16xf32>
// LOOPS-NEXT:    %[[Y:.*]] = vector.load %{{.*}} : memref<8x16xf16>, vector<16xf16>
// LOOPS-NEXT:    %[[Y32:.*]] = arith.extf %[[Y]] : vector<16xf16> to vector<16xf32>
// LOOPS-NEXT:    %[[P:.*]] = arith.mulf %[[X32]], %[[Y32]] : vector<16xf32>
// LOOPS-NEXT:    %[[P16:.*]] = arith.truncf %[[P]] : vector<16xf32> to vector<16xf16>
// LOOPS-NEXT:    %[[P32:.*]] = arith.extf %[[P16]] : vector<16xf16> to vector<16xf32>
// LOOPS:         arith.addf %[[P32]], %{{.*}} : vector<16xf32>
// LOOPS:         math.exp %{{.*}} : vector<16xf32>
// LOOPS:         arith.truncf %{{.*}} : vector<16xf32> to vector<16xf16>
// LOOPS:         vector.maskedstore %{{.*}} : memref<7x13xf16>, vector<16xi1>, vector<16xf16>

// LLVM-LABEL: define void @"chain"
// LLVM:         call <16 x half> @"llvm.masked.load.v16f16.p0"
// LLVM:         fpext <16 x half> %{{.*}} to <16 x float>
// LLVM:         fmul contract <16 x float>
// LLVM-NEXT:    fptrunc <16 x float> %{{.*}} to <16 x half>
// LLVM-NEXT:    fpext <16 x half> %{{.*}} to <16 x float>
// LLVM:         fadd contract <16 x float>
// LLVM:         call void @"llvm.masked.store.v16f16.p0"(<16 x half>

func.func @reduce_dot(%x: memref<8x40xbf16>, %w: memref<40x16xbf16>, %s: memref<8x1xbf16>, %y: memref<8x16xbf16>) {
  ztile.grid [1] {
    %c0 = arith.constant 0 : index
    %t = ztile.load %x[%c0, %c0] : memref<8x40xbf16> -> !ztile.tile<8x40xbf16>
    %r = ztile.reduce "sum" %t {axis = 1 : i64} : !ztile.tile<8x40xbf16> -> !ztile.tile<8x1xbf16>
    ztile.store %r, %s[%c0, %c0] : !ztile.tile<8x1xbf16>, memref<8x1xbf16>
    %u = ztile.load %w[%c0, %c0] : memref<40x16xbf16> -> !ztile.tile<40x16xbf16>
    %zero = arith.constant 0.0 : bf16
    %acc = ztile.splat %zero : bf16 -> !ztile.tile<8x16xbf16>
    %d = ztile.dot %t, %u, %acc : !ztile.tile<8x40xbf16>, !ztile.tile<40x16xbf16>, !ztile.tile<8x16xbf16> -> !ztile.tile<8x16xbf16>
    ztile.store %d, %y[%c0, %c0] : !ztile.tile<8x16xbf16>, memref<8x16xbf16>
  }
  func.return
}

// WIDEN-LABEL: func.func @reduce_dot
// WIDEN:         %[[T:.*]] = ztile.load %{{.*}} -> !ztile.tile<8x40xbf16>
// WIDEN-NEXT:    %[[T32:.*]] = ztile.cast %[[T]] : !ztile.tile<8x40xbf16> -> !ztile.tile<8x40xf32>
// WIDEN-NEXT:    %[[R32:.*]] = ztile.reduce "sum" %[[T32]] {axis = 1 : i64} : !ztile.tile<8x40xf32> -> !ztile.tile<8x1xf32>
// WIDEN-NEXT:    %[[R:.*]] = ztile.cast %[[R32]] : !ztile.tile<8x1xf32> -> !ztile.tile<8x1xbf16>
// WIDEN:         %[[Z:.*]] = arith.extf %{{.*}} : bf16 to f32
// WIDEN-NEXT:    %[[ACC32:.*]] = ztile.splat %[[Z]] : f32 -> !ztile.tile<8x16xf32>
// WIDEN-NEXT:    %[[ACC:.*]] = ztile.cast %[[ACC32]] : !ztile.tile<8x16xf32> -> !ztile.tile<8x16xbf16>
// WIDEN:         %[[D32:.*]] = ztile.dot %{{.*}}, %{{.*}}, %{{.*}} : !ztile.tile<8x40xf32>, !ztile.tile<40x16xf32>, !ztile.tile<8x16xf32> -> !ztile.tile<8x16xf32>
// WIDEN-NEXT:    %[[D:.*]] = ztile.cast %[[D32]] : !ztile.tile<8x16xf32> -> !ztile.tile<8x16xbf16>
// WIDEN-NEXT:    ztile.store %[[D]]

// LLVM-LABEL: define void @"reduce_dot"
// LLVM:         fpext <16 x bfloat> %{{.*}} to <16 x float>
// LLVM:         float @"llvm.vector.reduce.fadd.v16f32"
// LLVM:         fptrunc float %{{.*}} to bfloat
// LLVM:         call <16 x float> @"llvm.fma.v16f32"
// LLVM:         fptrunc <16 x float> %{{.*}} to <16 x bfloat>

func.func @casts(%x: memref<4x16xf64>, %y: memref<4x16xf16>, %z: memref<4x16xbf16>) {
  ztile.grid [1] {
    %c0 = arith.constant 0 : index
    %t = ztile.load %x[%c0, %c0] : memref<4x16xf64> -> !ztile.tile<4x16xf64>
    %h = ztile.cast %t : !ztile.tile<4x16xf64> -> !ztile.tile<4x16xf16>
    ztile.store %h, %y[%c0, %c0] : !ztile.tile<4x16xf16>, memref<4x16xf16>
    %b = ztile.cast %h : !ztile.tile<4x16xf16> -> !ztile.tile<4x16xbf16>
    ztile.store %b, %z[%c0, %c0] : !ztile.tile<4x16xbf16>, memref<4x16xbf16>
  }
  func.return
}

// WIDEN-LABEL: func.func @casts
// WIDEN:         %[[H:.*]] = ztile.cast %{{.*}} : !ztile.tile<4x16xf64> -> !ztile.tile<4x16xf16>
// WIDEN:         %[[H32:.*]] = ztile.cast %[[H]] : !ztile.tile<4x16xf16> -> !ztile.tile<4x16xf32>
// WIDEN-NEXT:    ztile.cast %[[H32]] : !ztile.tile<4x16xf32> -> !ztile.tile<4x16xbf16>

// f64 -> f16 rounds once: to f32 rounded to odd (the last bit set when inexact), then to f16.
// LLVM-LABEL: define void @"casts"
// LLVM:         %[[N:.*]] = fptrunc <16 x double> %{{.*}} to <16 x float>
// LLVM:         bitcast <16 x float> %[[N]] to <16 x i32>
// LLVM:         fptrunc <16 x float> %{{.*}} to <16 x half>
// LLVM:         fpext <16 x half> %{{.*}} to <16 x float>
// LLVM-NEXT:    fptrunc <16 x float> %{{.*}} to <16 x bfloat>
