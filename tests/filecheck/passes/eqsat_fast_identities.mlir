// Identities of the reals that floats break at the edges (overflow, NaN, the sign of zero,
// rounding): the cancellation and inverse-functions sets, under fast-math flags only.
// RUN: ziggurat-opt %s -p 'eqsat{rules=cancellation,inverse-functions fast-math=fast}' | filecheck %s
// RUN: ziggurat-opt %s -p 'eqsat{rules=distributivity,cancellation fast-math=reassoc,nnan,ninf,nsz}' | filecheck %s --check-prefix=FACTOR
// RUN: ziggurat-opt %s -p 'eqsat' | filecheck %s --check-prefix=EXACT

// CHECK-LABEL: func.func @log_exp
// CHECK-NEXT:    func.return %x
// EXACT-LABEL: func.func @log_exp
// EXACT:         ztensor.log
func.func @log_exp(%x: tensor<64xf32>) -> tensor<64xf32> {
  %e = ztensor.exp %x : tensor<64xf32>
  %l = ztensor.log %e : tensor<64xf32>
  func.return %l : tensor<64xf32>
}

// CHECK-LABEL: func.func @exp_of_log_sum
// CHECK-NEXT:    %[[P:.*]] = ztensor.mul %x, %y
// CHECK-NEXT:    func.return %[[P]]
func.func @exp_of_log_sum(%x: tensor<64xf32>, %y: tensor<64xf32>) -> tensor<64xf32> {
  %lx = ztensor.log %x : tensor<64xf32>
  %ly = ztensor.log %y : tensor<64xf32>
  %s = ztensor.add %lx, %ly : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  %e = ztensor.exp %s : tensor<64xf32>
  func.return %e : tensor<64xf32>
}

// CHECK-LABEL: func.func @sqrt_square
// CHECK-NEXT:    %[[A:.*]] = ztensor.abs %x
// CHECK-NEXT:    func.return %[[A]]
func.func @sqrt_square(%x: tensor<64xf32>) -> tensor<64xf32> {
  %m = ztensor.mul %x, %x : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  %s = ztensor.sqrt %m : tensor<64xf32>
  func.return %s : tensor<64xf32>
}

// The result keeps the broadcast: x + y - y with a broadcast x is not x.
// CHECK-LABEL: func.func @cancel_keeps_shape
// CHECK:         ztensor.sub
func.func @cancel_keeps_shape(%x: tensor<64xf32>, %y: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %a = ztensor.add %x, %y : (tensor<64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  %s = ztensor.sub %a, %y : (tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  func.return %s : tensor<8x64xf32>
}

// (A+B)C - BC = AC: distributing, then cancelling.
// FACTOR-LABEL: func.func @factor
// FACTOR-NEXT:    %[[M:.*]] = ztensor.matmul %a, %c
// FACTOR-NEXT:    func.return %[[M]]
// EXACT-LABEL: func.func @factor
// EXACT:         ztensor.sub
func.func @factor(%a: tensor<128x128xf32>, %b: tensor<128x128xf32>, %c: tensor<128x128xf32>) -> tensor<128x128xf32> {
  %s = ztensor.add %a, %b : (tensor<128x128xf32>, tensor<128x128xf32>) -> tensor<128x128xf32>
  %m = ztensor.matmul %s, %c : (tensor<128x128xf32>, tensor<128x128xf32>) -> tensor<128x128xf32>
  %n = ztensor.matmul %b, %c : (tensor<128x128xf32>, tensor<128x128xf32>) -> tensor<128x128xf32>
  %r = ztensor.sub %m, %n : (tensor<128x128xf32>, tensor<128x128xf32>) -> tensor<128x128xf32>
  func.return %r : tensor<128x128xf32>
}
