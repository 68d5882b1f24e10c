// linalg-to-zloop: linalg ops on tensors become zloop.for nests over their loop dims that load
// through the indexing maps, run the cloned body and store what it yields, between
// bufferization.to_buffer of the inputs and bufferization.to_tensor of fresh result buffers.
// RUN: ziggurat-opt %s --split-input-file -p linalg-to-zloop | filecheck %s
// RUN: ziggurat-opt %s --split-input-file -p linalg-to-zloop,bufferize | filecheck %s --check-prefix=BUF

// A max + argmax (torch's softmax): reduction loops, linalg.index, two results; each fill
// init read only by this op is filled into the result buffer itself (no copy).
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @argmax(%x: tensor<4x8xf32>) -> (tensor<4xf32>, tensor<4xi64>) {
  %c0 = arith.constant 0 : i64
  %ninf = arith.constant 0xFF800000 : f32
  %e0 = tensor.empty() : tensor<4xi64>
  %i0 = linalg.fill ins(%c0 : i64) outs(%e0 : tensor<4xi64>) -> tensor<4xi64>
  %e1 = tensor.empty() : tensor<4xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %r:2 = linalg.generic {indexing_maps = [#id, #row, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%m0, %i0 : tensor<4xf32>, tensor<4xi64>) {
  ^bb0(%in: f32, %out: f32, %out_1: i64):
    %j = linalg.index 1 : index
    %j64 = arith.index_cast %j : index to i64
    %max = arith.maximumf %in, %out : f32
    %gt = arith.cmpf ogt, %in, %out : f32
    %arg = arith.select %gt, %j64, %out_1 : i64
    linalg.yield %max, %arg : f32, i64
  } -> (tensor<4xf32>, tensor<4xi64>)
  return %r#0, %r#1 : tensor<4xf32>, tensor<4xi64>
}
// CHECK-LABEL: func.func @argmax(%x: tensor<4x8xf32>)
// CHECK-NEXT:    %c0 = arith.constant 0 : i64
// CHECK-NEXT:    %ninf = arith.constant 0xff800000 : f32
// CHECK-NEXT:    %[[X:.*]] = bufferization.to_buffer %x : tensor<4x8xf32> to memref<4x8xf32>
// CHECK-NEXT:    %[[MAX:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NEXT:    %[[ARG:.*]] = memref.alloc() : memref<4xi64>
// CHECK-NEXT:    zloop.for %[[I:.*]] = 0 to 4 {
// CHECK-NEXT:      memref.store %ninf, %[[MAX]][%[[I]]] : memref<4xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    zloop.for %[[I:.*]] = 0 to 4 {
// CHECK-NEXT:      memref.store %c0, %[[ARG]][%[[I]]] : memref<4xi64>
// CHECK-NEXT:    }
// CHECK-NEXT:    zloop.for %[[I:.*]] = 0 to 4 {
// CHECK-NEXT:      zloop.for %[[J:.*]] = 0 to 8 {
// CHECK-NEXT:        %[[IN:.*]] = memref.load %[[X]][%[[I]], %[[J]]] : memref<4x8xf32>
// CHECK-NEXT:        %[[OUT:.*]] = memref.load %[[MAX]][%[[I]]] : memref<4xf32>
// CHECK-NEXT:        %[[OUT1:.*]] = memref.load %[[ARG]][%[[I]]] : memref<4xi64>
// CHECK-NEXT:        %j64 = arith.index_cast %[[J]] : index to i64
// CHECK-NEXT:        %max = arith.maximumf %[[IN]], %[[OUT]] : f32
// CHECK-NEXT:        %gt = arith.cmpf ogt, %[[IN]], %[[OUT]] : f32
// CHECK-NEXT:        %arg = arith.select %gt, %j64, %[[OUT1]] : i64
// CHECK-NEXT:        memref.store %max, %[[MAX]][%[[I]]] : memref<4xf32>
// CHECK-NEXT:        memref.store %arg, %[[ARG]][%[[I]]] : memref<4xi64>
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NEXT:    %r = bufferization.to_tensor %[[MAX]] : memref<4xf32> to tensor<4xf32>
// CHECK-NEXT:    %r_1 = bufferization.to_tensor %[[ARG]] : memref<4xi64> to tensor<4xi64>
// CHECK-NEXT:    func.return %r, %r_1 : tensor<4xf32>, tensor<4xi64>

// bufferize takes this form: the result buffers become the output arguments.
// BUF-LABEL: func.func @argmax(%x: memref<4x8xf32>, %{{.*}}: memref<4xf32>, %{{.*}}: memref<4xi64>)
// BUF-NOT:     memref.alloc
// BUF-NOT:     bufferization
// BUF:         func.return

// -----

// An init that is an argument, read as the accumulator: copied into the result buffer first.
// Map results beyond plain dims become index arithmetic.
func.func @window(%x: tensor<12xf32>, %z: tensor<8xf32>, %w: tensor<6xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0 * 2 + d1)>, affine_map<(d0, d1) -> ((d0 + d1 * 3) mod 8)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %z, %w : tensor<12xf32>, tensor<8xf32>, tensor<6xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %acc: f32):
    %p = arith.mulf %b, %c : f32
    %s = arith.addf %a, %p : f32
    %t = arith.addf %s, %acc : f32
    linalg.yield %t : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}
// CHECK-LABEL: func.func @window
// CHECK:         %[[OUT:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NEXT:    %[[INIT:.*]] = bufferization.to_buffer %init : tensor<4xf32> to memref<4xf32>
// CHECK-NEXT:    zloop.for %[[I:.*]] = 0 to 4 {
// CHECK-NEXT:      %[[V:.*]] = memref.load %[[INIT]][%[[I]]] : memref<4xf32>
// CHECK-NEXT:      memref.store %[[V]], %[[OUT]][%[[I]]] : memref<4xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    zloop.for %[[D0:.*]] = 0 to 4 {
// CHECK-NEXT:      zloop.for %[[D1:.*]] = 0 to 6 {
// CHECK:             %[[TWICE:.*]] = arith.muli %[[D0]], %{{.*}} : index
// CHECK-NEXT:        %[[XI:.*]] = arith.addi %[[TWICE]], %[[D1]] : index
// CHECK-NEXT:        memref.load %{{.*}}[%[[XI]]] : memref<12xf32>
// CHECK:             %[[ZI:.*]] = arith.remsi %{{.*}}, %{{.*}} : index
// CHECK-NEXT:        memref.load %{{.*}}[%[[ZI]]] : memref<8xf32>
// CHECK-NEXT:        memref.load %{{.*}}[%[[D1]]] : memref<6xf32>
// CHECK-NEXT:        memref.load %[[OUT]][%[[D0]]] : memref<4xf32>
// CHECK:             memref.store %t, %[[OUT]][%[[D0]]] : memref<4xf32>
// BUF-LABEL: func.func @window

// -----

// Named ops: their maps and hidden bodies; linalg.reduce over its dimensions.
func.func @named(%x: tensor<3x5xi32>, %y: tensor<3x5xi32>) -> tensor<3xi32> {
  %e = tensor.empty() : tensor<3x5xi32>
  %a = linalg.add ins(%x, %y : tensor<3x5xi32>, tensor<3x5xi32>) outs(%e : tensor<3x5xi32>) -> tensor<3x5xi32>
  %c0 = arith.constant 0 : i32
  %e2 = tensor.empty() : tensor<3xi32>
  %z = linalg.fill ins(%c0 : i32) outs(%e2 : tensor<3xi32>) -> tensor<3xi32>
  %r = linalg.reduce ins(%a : tensor<3x5xi32>) outs(%z : tensor<3xi32>) dimensions = [1]
    (%in: i32, %acc: i32) {
      %m = arith.maxsi %in, %acc : i32
      linalg.yield %m : i32
    }
  return %r : tensor<3xi32>
}
// CHECK-LABEL: func.func @named
// CHECK:         zloop.for %[[I:.*]] = 0 to 3 {
// CHECK-NEXT:      zloop.for %[[J:.*]] = 0 to 5 {
// CHECK:             arith.addi %{{.*}}, %{{.*}} : i32
// CHECK:         %[[R:.*]] = memref.alloc() : memref<3xi32>
// CHECK:         zloop.for %[[I:.*]] = 0 to 3 {
// CHECK-NEXT:      memref.store %c0, %[[R]][%[[I]]] : memref<3xi32>
// CHECK:         zloop.for %[[I:.*]] = 0 to 3 {
// CHECK-NEXT:      zloop.for %[[J:.*]] = 0 to 5 {
// CHECK:             arith.maxsi %{{.*}}, %{{.*}} : i32
// CHECK-NEXT:        memref.store %{{.*}}, %[[R]][%[[I]]] : memref<3xi32>
// CHECK-NOT:     linalg.
// BUF-LABEL: func.func @named

// -----

// Integer tensor constants and reshapes: stores of each element, a row-major copy.
func.func @constant_and_reshape() -> tensor<2x2xi64> {
  %c = arith.constant dense<[1, 2, 3, 4]> : tensor<4xi64>
  %r = tensor.expand_shape %c [[0, 1]] output_shape [2, 2] : tensor<4xi64> into tensor<2x2xi64>
  return %r : tensor<2x2xi64>
}
// CHECK-LABEL: func.func @constant_and_reshape
// CHECK:         %[[C:.*]] = memref.alloc() : memref<4xi64>
// CHECK:         memref.store %{{.*}}, %[[C]][%{{.*}}] : memref<4xi64>
// CHECK-COUNT-3: memref.store %{{.*}}, %[[C]][%{{.*}}] : memref<4xi64>
// CHECK:         %[[R:.*]] = memref.alloc() : memref<2x2xi64>
// CHECK:         zloop.for
// CHECK:           memref.store %{{.*}}, %[[R]][%{{.*}}, %{{.*}}] : memref<2x2xi64>
// CHECK-NOT:     tensor.
// BUF-LABEL: func.func @constant_and_reshape
