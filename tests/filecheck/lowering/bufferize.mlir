// RUN: ziggurat-opt %s -p ztensor-to-ztile,bufferize | filecheck %s

// Inputs then one output buffer per result; the last kernel writes into the output in place,
// temporaries are freed after their last use, a returned argument is copied.

func.func @f(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %s = ztensor.softmax %x {axis = -1 : i64} : tensor<4x8xf32>
  %m = ztensor.matmul %s, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  func.return %m, %x : tensor<4x8xf32>, tensor<4x8xf32>
}

// CHECK-LABEL: func.func @f(%x: memref<4x8xf32>, %w: memref<8x8xf32>, %{{.*}}: memref<4x8xf32>, %{{.*}}: memref<4x8xf32>) {
// CHECK-NOT:     bufferization.
// CHECK:         %[[TMP:.*]] = memref.alloc() : memref<4x8xf32>
// CHECK:         ztile.grid
// CHECK:           ztile.store {{.*}}, %[[TMP]]
// CHECK:         ztile.grid
// CHECK:           ztile.load %[[TMP]]
// CHECK:           ztile.store {{.*}}, %[[OUT0:[^\[]*]][
// CHECK:         memref.dealloc %[[TMP]] : memref<4x8xf32>
// CHECK:         ztile.grid
// CHECK:           ztile.load %x
// CHECK:           ztile.store {{.*}}, %[[OUT1:[^\[]*]][
// CHECK:         func.return
// CHECK-NEXT:  }
