// A two-layer MLP block on a batch of 64 rows: relu(x @ W1 + b1) @ W2 + b2, then softmax.
// Run: ziggurat-opt examples/mlp.mlir -p canonicalize
func.func @mlp(%x: tensor<64x128xf32>, %w1: tensor<128x256xf32>, %b1: tensor<256xf32>,
               %w2: tensor<256x10xf32>, %b2: tensor<10xf32>) -> tensor<64x10xf32> {
  %h = ztensor.matmul %x, %w1 : (tensor<64x128xf32>, tensor<128x256xf32>) -> tensor<64x256xf32>
  %hb = ztensor.add %h, %b1 : (tensor<64x256xf32>, tensor<256xf32>) -> tensor<64x256xf32>
  %one = ztensor.constant dense<1.0> : tensor<256xf32>
  %hs = ztensor.mul %hb, %one : (tensor<64x256xf32>, tensor<256xf32>) -> tensor<64x256xf32>
  %a = ztensor.relu %hs : tensor<64x256xf32>
  %o = ztensor.matmul %a, %w2 : (tensor<64x256xf32>, tensor<256x10xf32>) -> tensor<64x10xf32>
  %ob = ztensor.add %o, %b2 : (tensor<64x10xf32>, tensor<10xf32>) -> tensor<64x10xf32>
  %p = ztensor.softmax %ob {axis = -1 : i64} : tensor<64x10xf32>
  func.return %p : tensor<64x10xf32>
}
