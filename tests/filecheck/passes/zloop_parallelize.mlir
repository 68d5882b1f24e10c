// RUN: ziggurat-opt %s -p 'zloop-parallelize{remarks=true}' 2>/dev/null | filecheck %s
// RUN: ziggurat-opt %s -p 'zloop-parallelize{remarks=true}' 2>&1 >/dev/null | filecheck %s --check-prefix=REMARK

// The i and j loops of a matmul carry no dependence: the outermost becomes parallel; k
// (which carries the accumulation in c) stays inside it.
// CHECK-LABEL: func.func @matmul
// CHECK-NEXT:    zloop.parallel (%{{.*}}) = (0) to (64) {
// CHECK-NEXT:      zloop.for %{{.*}} = 0 to 48 {
// CHECK-NEXT:        zloop.for %{{.*}} = 0 to 32 {
func.func @matmul(%a: memref<64x32xf32>, %b: memref<32x48xf32>, %c: memref<64x48xf32>) {
  zloop.for %i = 0 to 64 {
    zloop.for %j = 0 to 48 {
      zloop.for %k = 0 to 32 {
        %x = memref.load %a[%i, %k] : memref<64x32xf32>
        %y = memref.load %b[%k, %j] : memref<32x48xf32>
        %z = memref.load %c[%i, %j] : memref<64x48xf32>
        %p = arith.mulf %x, %y : f32
        %s = arith.addf %z, %p : f32
        memref.store %s, %c[%i, %j] : memref<64x48xf32>
      }
    }
  }
  func.return
}

// A Gauss-Seidel-style stencil: a[i][j] reads a[i-1][j+1], written one i-iteration earlier
// (distance (1, -1)): the i loop carries it and stays sequential.
// REMARK-NOT: @matmul
// REMARK: remark: zloop-parallelize: @stencil: loop kept sequential: it carries a RAW dependence from 'memref.store' to 'memref.load' on a (distance { C[1, -1] })
// CHECK-LABEL: func.func @stencil
// CHECK:         zloop.for %{{.*}} = 1 to 63 {
// CHECK-NOT:     zloop.parallel
func.func @stencil(%a: memref<64x64xf32>) {
  %c1 = arith.constant 1 : index
  zloop.for %i = 1 to 63 {
    zloop.for %j = 1 to 63 {
      %im = arith.subi %i, %c1 : index
      %jp = arith.addi %j, %c1 : index
      %x = memref.load %a[%im, %jp] : memref<64x64xf32>
      memref.store %x, %a[%i, %j] : memref<64x64xf32>
    }
  }
  func.return
}

// A running sum carries its accumulator: not parallel.
// REMARK: remark: zloop-parallelize: @sum: loop kept sequential: it carries values between iterations (iter_args)
// REMARK-NOT: @transpose_add
// CHECK-LABEL: func.func @sum
// CHECK: zloop.for
func.func @sum(%a: memref<100xf32>) -> f32 {
  %zero = arith.constant 0.0 : f32
  %s = zloop.for %i = 0 to 100 iter_args(%acc = %zero) -> (f32) {
    %x = memref.load %a[%i] : memref<100xf32>
    %t = arith.addf %acc, %x : f32
    zloop.yield %t : f32
  }
  func.return %s : f32
}

// Transpose-then-add with a step and a symbolic bound: independent iterations.
// CHECK-LABEL: func.func @transpose_add
// CHECK-NEXT:    zloop.parallel (%{{.*}}) = (0) to (min affine_map<()[s0] -> (s0, 32)>()[%n]) step (2) {
func.func @transpose_add(%a: memref<32x32xf32>, %b: memref<32x32xf32>, %n: index) {
  zloop.for %i = 0 to min affine_map<()[s0] -> (s0, 32)>()[%n] step 2 {
    zloop.for %j = 0 to 32 {
      %x = memref.load %a[%j, %i] : memref<32x32xf32>
      %y = memref.load %b[%i, %j] : memref<32x32xf32>
      %s = arith.addf %x, %y : f32
      memref.store %s, %b[%i, %j] : memref<32x32xf32>
    }
  }
  func.return
}
