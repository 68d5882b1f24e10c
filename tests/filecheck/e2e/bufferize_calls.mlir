// Calls of tensor functions follow the calling convention: the caller passes buffers of its
// operands and a fresh buffer per result (freed after its last use, or replaced by the
// caller's own output when returned); the callee gets one output argument per result.
// RUN: ziggurat-opt %s -p canonicalize,ztensor-to-ztile,bufferize | filecheck %s

// CHECK-LABEL: func.func @caller(
// CHECK-SAME:      %x: memref<4x17xf32>, %[[OUT:.*]]: memref<4x17xf32>) {
// CHECK:         %[[TMP:.*]] = memref.alloc() : memref<4x17xf32>
// CHECK-NEXT:    func.call @helper(%x, %[[TMP]]) : (memref<4x17xf32>, memref<4x17xf32>) -> ()
// CHECK-NEXT:    func.call @helper(%[[TMP]], %[[OUT]]) : (memref<4x17xf32>, memref<4x17xf32>) -> ()
// CHECK-NEXT:    memref.dealloc %[[TMP]] : memref<4x17xf32>
// CHECK-NEXT:    func.return
func.func @caller(%x: tensor<4x17xf32>) -> tensor<4x17xf32> {
  %0 = func.call @helper(%x) : (tensor<4x17xf32>) -> tensor<4x17xf32>
  %1 = func.call @helper(%0) : (tensor<4x17xf32>) -> tensor<4x17xf32>
  func.return %1 : tensor<4x17xf32>
}

// CHECK-LABEL: func.func private @helper(
// CHECK-SAME:      %x: memref<4x17xf32>, %{{.*}}: memref<4x17xf32>) {
// CHECK:         ztile.grid
// CHECK-NOT:     memref.alloc
// CHECK:         func.return
func.func private @helper(%x: tensor<4x17xf32>) -> tensor<4x17xf32> {
  %0 = ztensor.sigmoid %x : tensor<4x17xf32>
  func.return %0 : tensor<4x17xf32>
}
