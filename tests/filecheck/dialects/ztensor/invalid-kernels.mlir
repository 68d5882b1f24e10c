// Bodies of ztensor.fused that are not one kernel: the verifier names the op and the rule
// (dialects/ztensor_kernels.py). The last case holds bodies that are kernels.
// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @two_results(%a: tensor<4xf32>) {
  // expected-error@+1 {{'ztensor.fused' op body is not one kernel: it yields 2 values (a kernel computes one result)}}
  %0, %1 = ztensor.fused "elementwise" (%a) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%x: tensor<4xf32>):
    %e = ztensor.exp %x : tensor<4xf32>
    %n = ztensor.neg %x : tensor<4xf32>
    ztensor.yield %e, %n : tensor<4xf32>, tensor<4xf32>
  }
  func.return
}

// -----

func.func @reshape_inside(%a: tensor<4x8xf32>) {
  // expected-error@+1 {{'ztensor.fused' op body is not one kernel: 'ztensor.reshape' (body op #1) is a copy, which is a kernel of its own}}
  %0 = ztensor.fused "elementwise" (%a) : (tensor<4x8xf32>) -> tensor<32xf32> {
  ^bb0(%x: tensor<4x8xf32>):
    %r = ztensor.reshape %x : tensor<4x8xf32> -> tensor<32xf32>
    %e = ztensor.exp %r : tensor<32xf32>
    ztensor.yield %e : tensor<32xf32>
  }
  func.return
}

// -----

func.func @two_matmuls(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>) {
  // expected-error@+1 {{'ztensor.fused' op body is not one kernel: 'ztensor.matmul' (body op #2) is a second matmul (a kernel holds one)}}
  %0 = ztensor.fused "matmul_epilogue" (%a, %b) : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32> {
  ^bb0(%x: tensor<4x8xf32>, %y: tensor<8x4xf32>):
    %m = ztensor.matmul %x, %y : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
    %n = ztensor.matmul %x, %y : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
    %s = ztensor.add %m, %n : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    ztensor.yield %s : tensor<4x4xf32>
  }
  func.return
}

// -----

func.func @matmul_broadcast_into_larger(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<2x4x16xf32>) {
  // expected-error@+1 {{'ztensor.fused' op body is not one kernel: 'ztensor.matmul' (body op #1) is a matmul of shape 4x16, which joins only a kernel of its own shape (2x4x16)}}
  %0 = ztensor.fused "matmul_epilogue" (%a, %b, %c) : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32> {
  ^bb0(%x: tensor<4x8xf32>, %y: tensor<8x16xf32>, %z: tensor<2x4x16xf32>):
    %m = ztensor.matmul %x, %y : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
    %s = ztensor.add %m, %z : (tensor<4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
    ztensor.yield %s : tensor<2x4x16xf32>
  }
  func.return
}

// -----

func.func @transpose_with_matmul(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %c: tensor<4x4xf32>) {
  // expected-error@+1 {{'ztensor.fused' op body is not one kernel: 'ztensor.transpose' (body op #2) is a transpose, which joins only kernels of rank 1 to 3 without a matmul}}
  %0 = ztensor.fused "matmul_epilogue" (%a, %b, %c) : (tensor<4x8xf32>, tensor<8x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32> {
  ^bb0(%x: tensor<4x8xf32>, %y: tensor<8x4xf32>, %z: tensor<4x4xf32>):
    %m = ztensor.matmul %x, %y : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
    %t = ztensor.transpose %z {permutation = array<i64: 1, 0>} : tensor<4x4xf32> -> tensor<4x4xf32>
    %s = ztensor.add %m, %t : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    ztensor.yield %s : tensor<4x4xf32>
  }
  func.return
}

// -----

func.func @matmul_into_reduction(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>) {
  // expected-error@+1 {{'ztensor.fused' op body is not one kernel: 'ztensor.matmul' (body op #1) is a matmul, which cannot join a reduction kernel}}
  %0 = ztensor.fused "reduction" (%a, %b) : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32> {
  ^bb0(%x: tensor<4x8xf32>, %y: tensor<8x4xf32>):
    %m = ztensor.matmul %x, %y : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
    %s = ztensor.softmax %m {axis = 1 : i64} : tensor<4x4xf32>
    ztensor.yield %s : tensor<4x4xf32>
  }
  func.return
}

// -----

func.func @padded_prologue(%a: tensor<4x10000xf32>) {
  // expected-error@+1 {{'ztensor.fused' op body is not one kernel: 'ztensor.exp' (body op #1) is a prologue of 'ztensor.reduce_sum', which takes none here: axis 1 (10000 elements) is reduced in chunks of 4096, the last one padded}}
  %0 = ztensor.fused "reduction" (%a) : (tensor<4x10000xf32>) -> tensor<4x1xf32> {
  ^bb0(%x: tensor<4x10000xf32>):
    %e = ztensor.exp %x : tensor<4x10000xf32>
    %s = ztensor.reduce_sum %e {axes = array<i64: 1>, keepdims = true} : tensor<4x10000xf32> -> tensor<4x1xf32>
    ztensor.yield %s : tensor<4x1xf32>
  }
  func.return
}

// -----

func.func @mixed_broadcast(%a: tensor<2x3x4x5xf32>, %b: tensor<3x1x5xf32>) {
  // expected-error@+1 {{'ztensor.fused' op body is not one kernel: 'ztensor.exp' (body op #1) has shape 3x1x5, which mixes broadcast and full dims in one dim of the kernel's view 6x4x5}}
  %0 = ztensor.fused "elementwise" (%a, %b) : (tensor<2x3x4x5xf32>, tensor<3x1x5xf32>) -> tensor<2x3x4x5xf32> {
  ^bb0(%x: tensor<2x3x4x5xf32>, %y: tensor<3x1x5xf32>):
    %e = ztensor.exp %y : tensor<3x1x5xf32>
    %s = ztensor.add %x, %e : (tensor<2x3x4x5xf32>, tensor<3x1x5xf32>) -> tensor<2x3x4x5xf32>
    ztensor.yield %s : tensor<2x3x4x5xf32>
  }
  func.return
}

// -----

func.func @matmul_operand_in_body(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>) {
  // expected-error@+1 {{'ztensor.fused' op body is not one kernel: 'ztensor.exp' (body op #1) computes an operand of the kernel's matmul, which reads its operands from memory}}
  %0 = ztensor.fused "matmul_epilogue" (%a, %b) : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32> {
  ^bb0(%x: tensor<4x8xf32>, %y: tensor<8x4xf32>):
    %e = ztensor.exp %x : tensor<4x8xf32>
    %m = ztensor.matmul %e, %y : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
    %r = ztensor.relu %m : tensor<4x4xf32>
    ztensor.yield %r : tensor<4x4xf32>
  }
  func.return
}

// -----

func.func @dead_op(%a: tensor<4xf32>) {
  // expected-error@+1 {{'ztensor.fused' op body is not one kernel: 'ztensor.tanh' (body op #1) computes a value that nothing uses}}
  %0 = ztensor.fused "elementwise" (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %d = ztensor.tanh %x : tensor<4xf32>
    %e = ztensor.exp %x : tensor<4xf32>
    ztensor.yield %e : tensor<4xf32>
  }
  func.return
}

// -----

func.func @yields_operand(%a: tensor<4xf32>) {
  // expected-error@+1 {{'ztensor.fused' op body is not one kernel: 'ztensor.tanh' (body op #1) does not contribute to the yielded value}}
  %0 = ztensor.fused "elementwise" (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %d = ztensor.tanh %x : tensor<4xf32>
    ztensor.yield %x : tensor<4xf32>
  }
  func.return
}

// -----

func.func @copy_root(%a: tensor<4x8xf32>) {
  // expected-error@+1 {{'ztensor.fused' op body is not one kernel: 'ztensor.exp' (body op #1) cannot join 'ztensor.reshape', a kernel of its own}}
  %0 = ztensor.fused "generic" (%a) : (tensor<4x8xf32>) -> tensor<32xf32> {
  ^bb0(%x: tensor<4x8xf32>):
    %e = ztensor.exp %x : tensor<4x8xf32>
    %r = ztensor.reshape %e : tensor<4x8xf32> -> tensor<32xf32>
    ztensor.yield %r : tensor<32xf32>
  }
  func.return
}

// -----

func.func @transpose_rank4(%a: tensor<2x2x2x2xf32>) {
  // expected-error@+1 {{'ztensor.fused' op body is not one kernel: 'ztensor.transpose' (body op #1) is a transpose, which joins only kernels of rank 1 to 3 without a matmul}}
  %0 = ztensor.fused "elementwise" (%a) : (tensor<2x2x2x2xf32>) -> tensor<2x2x2x2xf32> {
  ^bb0(%x: tensor<2x2x2x2xf32>):
    %t = ztensor.transpose %x {permutation = array<i64: 3, 2, 1, 0>} : tensor<2x2x2x2xf32> -> tensor<2x2x2x2xf32>
    %e = ztensor.exp %t : tensor<2x2x2x2xf32>
    ztensor.yield %e : tensor<2x2x2x2xf32>
  }
  func.return
}

// -----

func.func @batched_mix(%a: tensor<2x8x16xf32>, %b: tensor<2x16x8xf32>, %c: tensor<8x8xf32>) {
  // expected-error@+1 {{'ztensor.fused' op body is not one kernel: 'ztensor.tanh' (body op #2) has shape 8x8, which mixes broadcast and full dims in the (batch x M) dim of the matmul kernel's view}}
  %0 = ztensor.fused "matmul_epilogue" (%a, %b, %c) : (tensor<2x8x16xf32>, tensor<2x16x8xf32>, tensor<8x8xf32>) -> tensor<2x8x8xf32> {
  ^bb0(%x: tensor<2x8x16xf32>, %y: tensor<2x16x8xf32>, %z: tensor<8x8xf32>):
    %m = ztensor.matmul %x, %y : (tensor<2x8x16xf32>, tensor<2x16x8xf32>) -> tensor<2x8x8xf32>
    %t = ztensor.tanh %z : tensor<8x8xf32>
    %s = ztensor.add %m, %t : (tensor<2x8x8xf32>, tensor<8x8xf32>) -> tensor<2x8x8xf32>
    ztensor.yield %s : tensor<2x8x8xf32>
  }
  func.return
}

// -----

func.func @dense_constant_inside(%a: tensor<4xf32>) {
  // expected-error@+1 {{'ztensor.fused' op body is not one kernel: 'ztensor.constant' (body op #1) is a non-splat constant, which a kernel reads from memory: make it an operand}}
  %0 = ztensor.fused "elementwise" (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %c = ztensor.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
    %e = ztensor.mul %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    ztensor.yield %e : tensor<4xf32>
  }
  func.return
}

// -----

func.func @ok_cases(%a: tensor<4xf32>, %b: tensor<4x8xf32>) {
  %0 = ztensor.fused "elementwise" (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    ztensor.yield %x : tensor<4xf32>
  }
  %1 = ztensor.fused "elementwise" (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %c = ztensor.constant dense<2.0> : tensor<4xf32>
    ztensor.yield %c : tensor<4xf32>
  }
  %2 = ztensor.fused "generic" (%b) : (tensor<4x8xf32>) -> tensor<32xf32> {
  ^bb0(%x: tensor<4x8xf32>):
    %r = ztensor.reshape %x : tensor<4x8xf32> -> tensor<32xf32>
    ztensor.yield %r : tensor<32xf32>
  }
  %3 = ztensor.fused "elementwise" (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %c = ztensor.constant dense<2.0> : tensor<f32>
    %e = ztensor.exp %x : tensor<4xf32>
    %m = ztensor.mul %e, %c : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    %s = ztensor.add %m, %e : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    ztensor.yield %s : tensor<4xf32>
  }
  func.return
}
