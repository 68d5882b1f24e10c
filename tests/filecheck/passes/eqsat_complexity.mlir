// Rewrites that change a program's complexity. They reassociate sums or assume finite, non-NaN
// values, so they run under fast-math flags only; without them the program is kept.
// RUN: ziggurat-opt %s -p 'eqsat{rules=reduce-matmul fast-math=reassoc,nnan,ninf,nsz}' | filecheck %s
// RUN: ziggurat-opt %s -p 'eqsat{fast-math=fast}' | filecheck %s
// RUN: ziggurat-opt %s -p 'eqsat' | filecheck %s --check-prefix=EXACT

// sum(AB) = colsum(A) . rowsum(B): O(MK + KN) instead of O(MKN).
// CHECK-LABEL: func.func @sum_of_product
// CHECK-DAG:     %[[CA:.*]] = ztensor.reduce_sum %a {axes = array<i64: 0>, keepdims = true} : tensor<512x256xf32> -> tensor<1x256xf32>
// CHECK-DAG:     %[[RB:.*]] = ztensor.reduce_sum %b {axes = array<i64: 1>, keepdims = true} : tensor<256x384xf32> -> tensor<256x1xf32>
// CHECK:         %[[D:.*]] = ztensor.matmul %[[CA]], %[[RB]] : (tensor<1x256xf32>, tensor<256x1xf32>) -> tensor<1x1xf32>
// CHECK:         ztensor.reduce_sum %[[D]] {axes = array<i64: 0, 1>, keepdims = false}
// EXACT-LABEL: func.func @sum_of_product
// EXACT:         ztensor.matmul %a, %b : (tensor<512x256xf32>, tensor<256x384xf32>) -> tensor<512x384xf32>
func.func @sum_of_product(%a: tensor<512x256xf32>, %b: tensor<256x384xf32>) -> tensor<f32> {
  %m = ztensor.matmul %a, %b : (tensor<512x256xf32>, tensor<256x384xf32>) -> tensor<512x384xf32>
  %s = ztensor.reduce_sum %m {axes = array<i64: 0, 1>, keepdims = false} : tensor<512x384xf32> -> tensor<f32>
  func.return %s : tensor<f32>
}

// Row sums of AB are A times the row sums of B (a matrix-vector product).
// CHECK-LABEL: func.func @row_sums
// CHECK:         %[[RB:.*]] = ztensor.reduce_sum %b {axes = array<i64: 1>, keepdims = true} : tensor<256x384xf32> -> tensor<256x1xf32>
// CHECK-NEXT:    %{{.*}} = ztensor.matmul %a, %[[RB]] : (tensor<512x256xf32>, tensor<256x1xf32>) -> tensor<512x1xf32>
// CHECK-NEXT:    func.return
func.func @row_sums(%a: tensor<512x256xf32>, %b: tensor<256x384xf32>) -> tensor<512x1xf32> {
  %m = ztensor.matmul %a, %b : (tensor<512x256xf32>, tensor<256x384xf32>) -> tensor<512x384xf32>
  %s = ztensor.reduce_sum %m {axes = array<i64: 1>, keepdims = true} : tensor<512x384xf32> -> tensor<512x1xf32>
  func.return %s : tensor<512x1xf32>
}

// Column means of AB are the column means of A times B.
// CHECK-LABEL: func.func @column_means
// CHECK:         %[[CA:.*]] = ztensor.reduce_mean %a {axes = array<i64: 0>, keepdims = true} : tensor<512x256xf32> -> tensor<1x256xf32>
// CHECK-NEXT:    %[[P:.*]] = ztensor.matmul %[[CA]], %b : (tensor<1x256xf32>, tensor<256x384xf32>) -> tensor<1x384xf32>
// CHECK-NEXT:    %{{.*}} = ztensor.reduce_mean %[[P]] {axes = array<i64: 0>, keepdims = false} : tensor<1x384xf32> -> tensor<384xf32>
func.func @column_means(%a: tensor<512x256xf32>, %b: tensor<256x384xf32>) -> tensor<384xf32> {
  %m = ztensor.matmul %a, %b : (tensor<512x256xf32>, tensor<256x384xf32>) -> tensor<512x384xf32>
  %s = ztensor.reduce_mean %m {axes = array<i64: 0>, keepdims = false} : tensor<512x384xf32> -> tensor<384xf32>
  func.return %s : tensor<384xf32>
}

// A batched product is not a matrix product: axis 1 of the result is a row axis, not the
// last one, so the rules (conditioned on rank 2) leave it alone.
// CHECK-LABEL: func.func @batched
// CHECK:         ztensor.matmul %a, %b : (tensor<8x64x32xf32>, tensor<8x32x48xf32>) -> tensor<8x64x48xf32>
func.func @batched(%a: tensor<8x64x32xf32>, %b: tensor<8x32x48xf32>) -> tensor<8x1x48xf32> {
  %m = ztensor.matmul %a, %b : (tensor<8x64x32xf32>, tensor<8x32x48xf32>) -> tensor<8x64x48xf32>
  %s = ztensor.reduce_sum %m {axes = array<i64: 1>, keepdims = true} : tensor<8x64x48xf32> -> tensor<8x1x48xf32>
  func.return %s : tensor<8x1x48xf32>
}
