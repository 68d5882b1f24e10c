// RUN: ziggurat-opt %S/Inputs/zloop_nests.mlir -p 'zloop-interchange{order=1,0 remarks=true}' 2>%t.remarks | filecheck %s
// RUN: filecheck %s --check-prefix=REMARK < %t.remarks
// RUN: ziggurat-opt %S/Inputs/zloop_nests.mlir -p 'zloop-interchange{order=2,0,1}' | filecheck %s --check-prefix=KIJ

// Swapping i and j of the matmul is legal (the only carried dependence is k's).
// CHECK-LABEL: func.func @matmul
// CHECK-NEXT:    zloop.for %j = 0 to 19 {
// CHECK-NEXT:      zloop.for %i = 0 to 21 {
// CHECK-NEXT:        zloop.for %k = 0 to 13 {

// The stencil's (1, -1) would become (-1, 1): refused.
// CHECK-LABEL: func.func @stencil
// CHECK:         zloop.for %i = 1 to 50 {
// CHECK-NEXT:      zloop.for %j = 1 to 60 {
// REMARK: remark: zloop-interchange: @stencil: nest not interchanged: the interchange would reverse the RAW dependence from 'memref.store' to 'memref.load' on a (distance { C[1, -1] })

// The row reduction's (0, 1) becomes (1, 0): legal, column by column.
// CHECK-LABEL: func.func @rowsum
// CHECK-NEXT:    zloop.for %j = 0 to 70 {
// CHECK-NEXT:      zloop.for %i = 0 to 37 {

// k outermost: the accumulation's (0, 0, 1) becomes (1, 0, 0).
// KIJ-LABEL: func.func @matmul
// KIJ-NEXT:    zloop.for %k = 0 to 13 {
// KIJ-NEXT:      zloop.for %i = 0 to 21 {
// KIJ-NEXT:        zloop.for %j = 0 to 19 {
// KIJ-NEXT:          %x = memref.load %a[%i, %k]
