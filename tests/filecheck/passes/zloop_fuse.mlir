// RUN: ziggurat-opt %S/Inputs/zloop_nests.mlir -p 'zloop-fuse{remarks=true}' 2>%t.remarks | filecheck %s
// RUN: filecheck %s --check-prefix=REMARK < %t.remarks

// The transpose nest and the add nest that reads its result become one nest, at both levels:
// each element of t is read right after it is written.
// CHECK-LABEL: func.func @transpose_add
// CHECK-NEXT:    zloop.for %i = 0 to 24 {
// CHECK-NEXT:      zloop.for %j = 0 to 40 {
// CHECK-NEXT:        %x = memref.load %a[%j, %i]
// CHECK-NEXT:        memref.store %x, %t[%i, %j]
// CHECK-NEXT:        %x_1 = memref.load %t[%i, %j]
// CHECK-NEXT:        %y = memref.load %b[%i, %j]
// CHECK-NEXT:        %s = arith.addf %x_1, %y : f32
// CHECK-NEXT:        memref.store %s, %c[%i, %j]
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return

// The consumer reads t[i + 1], written one producer iteration later: not fused.
// CHECK-LABEL: func.func @shifted
// CHECK:         zloop.for %i = 0 to 32 {
// CHECK:         zloop.for %i_1 = 0 to 32 {
// REMARK: remark: zloop-fuse: @shifted: loops not fused: fusion would reverse the WAR dependence from 'memref.load' to 'memref.store' on t (distance { C[1] })
