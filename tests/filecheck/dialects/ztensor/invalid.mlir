// A negative verifier test for every ztensor op.
// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @add_not_broadcastable(%a: tensor<4x8xf32>, %b: tensor<5xf32>) {
  // expected-error@+1 {{'ztensor.add' op operand shapes are not broadcast-compatible: 4x8, 5}}
  %0 = ztensor.add %a, %b : (tensor<4x8xf32>, tensor<5xf32>) -> tensor<4x8xf32>
  func.return
}

// -----

func.func @sub_wrong_result_shape(%a: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error@+1 {{'ztensor.sub' op result type should be tensor<4x8xf32>, got tensor<8x4xf32>}}
  %0 = ztensor.sub %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<8x4xf32>
  func.return
}

// -----

func.func @mul_element_types_differ(%a: tensor<4xf32>, %b: tensor<4xf64>) {
  // expected-error@+1 {{'ztensor.mul' op operand element types differ: tensor<4xf32>, tensor<4xf64>}}
  %0 = ztensor.mul %a, %b : (tensor<4xf32>, tensor<4xf64>) -> tensor<4xf32>
  func.return
}

// -----

func.func @div_integer_elements(%a: tensor<4xi32>) {
  // expected-error@+1 {{'ztensor.div' op lhs must have a float element type (f16, bf16, f32, f64), got i32}}
  %0 = ztensor.div %a, %a : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  func.return
}

// -----

func.func @maximum_dynamic_shape(%a: tensor<?xf32>) {
  // expected-error@+1 {{'ztensor.maximum' op lhs must have a static shape, got tensor<?xf32>}}
  %0 = ztensor.maximum %a, %a : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return
}

// -----

func.func @minimum_wrong_result_element(%a: tensor<4xf32>) {
  // expected-error@+1 {{'ztensor.minimum' op result type should be tensor<4xf32>, got tensor<4xf64>}}
  %0 = ztensor.minimum %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf64>
  func.return
}

// -----

func.func @pow_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>) {
  // expected-error@+1 {{'ztensor.pow' op operand shapes are not broadcast-compatible: 2x3, 3x2}}
  %0 = ztensor.pow %a, %b : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x3xf32>
  func.return
}

// -----

func.func @neg_result_type_differs(%a: tensor<4xf32>) {
  // expected-error@+1 {{'ztensor.neg' op result 'result' at position 0 does not verify: attribute tensor<4xf32> expected from variable 'T', but got tensor<5xf32>}}
  %0 = "ztensor.neg"(%a) : (tensor<4xf32>) -> tensor<5xf32>
  func.return
}

// -----

func.func @exp_integer(%a: tensor<4xi32>) {
  // expected-error@+1 {{'ztensor.exp' op operand must have a float element type (f16, bf16, f32, f64), got i32}}
  %0 = ztensor.exp %a : tensor<4xi32>
  func.return
}

// -----

func.func @log_not_a_tensor(%a: f32) {
  // expected-error@+1 {{'ztensor.log' op operand must be a tensor, got f32}}
  %0 = ztensor.log %a : f32
  func.return
}

// -----

func.func @tanh_dynamic(%a: tensor<?x4xf32>) {
  // expected-error@+1 {{'ztensor.tanh' op operand must have a static shape, got tensor<?x4xf32>}}
  %0 = ztensor.tanh %a : tensor<?x4xf32>
  func.return
}

// -----

func.func @sigmoid_integer(%a: tensor<4xi8>) {
  // expected-error@+1 {{'ztensor.sigmoid' op operand must have a float element type}}
  %0 = ztensor.sigmoid %a : tensor<4xi8>
  func.return
}

// -----

func.func @relu_result_type_differs(%a: tensor<4xf32>) {
  // expected-error@+1 {{'ztensor.relu' op result 'result' at position 0 does not verify: attribute tensor<4xf32> expected from variable 'T', but got tensor<4xf64>}}
  %0 = "ztensor.relu"(%a) : (tensor<4xf32>) -> tensor<4xf64>
  func.return
}

// -----

func.func @gelu_index(%a: tensor<4xindex>) {
  // expected-error@+1 {{'ztensor.gelu' op operand must have a float element type}}
  %0 = ztensor.gelu %a : tensor<4xindex>
  func.return
}

// -----

func.func @sqrt_vector(%a: vector<4xf32>) {
  // expected-error@+1 {{'ztensor.sqrt' op operand must be a tensor, got vector<4xf32>}}
  %0 = ztensor.sqrt %a : vector<4xf32>
  func.return
}

// -----

func.func @rsqrt_unranked(%a: tensor<*xf32>) {
  // expected-error@+1 {{'ztensor.rsqrt' op operand must be a ranked tensor, got tensor<*xf32>}}
  %0 = ztensor.rsqrt %a : tensor<*xf32>
  func.return
}

// -----

func.func @erf_integer(%a: tensor<4xi32>) {
  // expected-error@+1 {{'ztensor.erf' op operand must have a float element type (f16, bf16, f32, f64), got i32}}
  %0 = ztensor.erf %a : tensor<4xi32>
  func.return
}

// -----

func.func @floor_result_type_differs(%a: tensor<4xf32>) {
  // expected-error@+1 {{'ztensor.floor' op result 'result' at position 0 does not verify: attribute tensor<4xf32> expected from variable 'T', but got tensor<4xi32>}}
  %0 = "ztensor.floor"(%a) : (tensor<4xf32>) -> tensor<4xi32>
  func.return
}

// -----

func.func @cmp_predicate(%a: tensor<4xf32>) {
  // expected-error@+1 {{'ztensor.cmp' op predicate must be one of olt, ole, ogt, oge, oeq, one, une, got "ult"}}
  %0 = ztensor.cmp "ult" %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  func.return
}

// -----

func.func @cmp_float_result(%a: tensor<4xf32>, %b: tensor<1xf32>) {
  // expected-error@+1 {{'ztensor.cmp' op result type should be tensor<4xi1>, got tensor<4xf32>}}
  %0 = ztensor.cmp "olt" %a, %b : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @cmp_mixed(%a: tensor<4xf32>, %b: tensor<4xf64>) {
  // expected-error@+1 {{'ztensor.cmp' op operand element types differ: tensor<4xf32>, tensor<4xf64>}}
  %0 = ztensor.cmp "oeq" %a, %b : (tensor<4xf32>, tensor<4xf64>) -> tensor<4xi1>
  func.return
}

// -----

func.func @cmp_booleans(%a: tensor<4xi1>) {
  // expected-error@+1 {{'ztensor.cmp' op lhs must have a float element type (f16, bf16, f32, f64), got i1}}
  %0 = ztensor.cmp "oeq" %a, %a : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  func.return
}

// -----

func.func @select_float_condition(%c: tensor<4xf32>, %a: tensor<4xf32>) {
  // expected-error@+1 {{'ztensor.select' op condition must be a tensor of i1, got tensor<4xf32>}}
  %0 = ztensor.select %c, %a, %a : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @select_shapes(%c: tensor<3xi1>, %a: tensor<4xf32>) {
  // expected-error@+1 {{'ztensor.select' op operand shapes are not broadcast-compatible: 3, 4, 4}}
  %0 = ztensor.select %c, %a, %a : (tensor<3xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @select_result(%c: tensor<2x1xi1>, %a: tensor<4xf32>) {
  // expected-error@+1 {{'ztensor.select' op result type should be tensor<2x4xf32>, got tensor<4xf32>}}
  %0 = ztensor.select %c, %a, %a : (tensor<2x1xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @add_booleans(%a: tensor<4xi1>) {
  // expected-error@+1 {{'ztensor.add' op lhs must have a float element type (f16, bf16, f32, f64), got i1}}
  %0 = ztensor.add %a, %a : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  func.return
}

// -----

func.func @ceil_dynamic(%a: tensor<?xf32>) {
  // expected-error@+1 {{'ztensor.ceil' op operand must have a static shape, got tensor<?xf32>}}
  %0 = ztensor.ceil %a : tensor<?xf32>
  func.return
}

// -----

func.func @abs_integer(%a: tensor<2x2xi64>) {
  // expected-error@+1 {{'ztensor.abs' op operand must have a float element type}}
  %0 = ztensor.abs %a : tensor<2x2xi64>
  func.return
}

// -----

func.func @matmul_contraction_mismatch(%a: tensor<4x8xf32>, %b: tensor<7x16xf32>) {
  // expected-error@+1 {{'ztensor.matmul' op contraction dimensions differ: lhs has 8 columns but rhs has 7 rows}}
  %0 = ztensor.matmul %a, %b : (tensor<4x8xf32>, tensor<7x16xf32>) -> tensor<4x16xf32>
  func.return
}

// -----

func.func @matmul_rank_one(%a: tensor<8xf32>, %b: tensor<8x16xf32>) {
  // expected-error@+1 {{'ztensor.matmul' op expects operands of rank >= 2, got ranks 1 and 2}}
  %0 = ztensor.matmul %a, %b : (tensor<8xf32>, tensor<8x16xf32>) -> tensor<16xf32>
  func.return
}

// -----

func.func @matmul_batch_not_broadcastable(%a: tensor<2x4x8xf32>, %b: tensor<3x8x16xf32>) {
  // expected-error@+1 {{'ztensor.matmul' op operand shapes are not broadcast-compatible: 2, 3}}
  %0 = ztensor.matmul %a, %b : (tensor<2x4x8xf32>, tensor<3x8x16xf32>) -> tensor<2x4x16xf32>
  func.return
}

// -----

func.func @matmul_wrong_result(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) {
  // expected-error@+1 {{'ztensor.matmul' op result type should be tensor<4x16xf32>, got tensor<16x4xf32>}}
  %0 = ztensor.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<16x4xf32>
  func.return
}

// -----

func.func @transpose_not_a_permutation(%a: tensor<2x3x4xf32>) {
  // expected-error@+1 {{'ztensor.transpose' op permutation [0, 0, 1] is not a permutation of [0, 3) for an operand of rank 3}}
  %0 = ztensor.transpose %a {permutation = array<i64: 0, 0, 1>} : tensor<2x3x4xf32> -> tensor<2x2x3xf32>
  func.return
}

// -----

func.func @transpose_wrong_rank(%a: tensor<2x3xf32>) {
  // expected-error@+1 {{'ztensor.transpose' op permutation [1, 0, 2] is not a permutation of [0, 2) for an operand of rank 2}}
  %0 = ztensor.transpose %a {permutation = array<i64: 1, 0, 2>} : tensor<2x3xf32> -> tensor<3x2xf32>
  func.return
}

// -----

func.func @transpose_wrong_result(%a: tensor<2x3xf32>) {
  // expected-error@+1 {{'ztensor.transpose' op result type should be tensor<3x2xf32>, got tensor<2x3xf32>}}
  %0 = ztensor.transpose %a {permutation = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<2x3xf32>
  func.return
}

// -----

func.func @transpose_i32_permutation(%a: tensor<2x3xf32>) {
  // expected-error@+1 {{'ztensor.transpose' op permutation must be an array<i64: ...>}}
  %0 = ztensor.transpose %a {permutation = array<i32: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  func.return
}

// -----

func.func @transpose_missing_permutation(%a: tensor<2x3xf32>) {
  // expected-error@+1 {{'ztensor.transpose' op attribute 'permutation' expected}}
  %0 = ztensor.transpose %a : tensor<2x3xf32> -> tensor<3x2xf32>
  func.return
}

// -----

func.func @reshape_element_count(%a: tensor<4x8xf32>) {
  // expected-error@+1 {{'ztensor.reshape' op cannot reshape tensor<4x8xf32> (32 elements) into tensor<5x6xf32> (30 elements)}}
  %0 = ztensor.reshape %a : tensor<4x8xf32> -> tensor<5x6xf32>
  func.return
}

// -----

func.func @reshape_element_type(%a: tensor<4x8xf32>) {
  // expected-error@+1 {{'ztensor.reshape' op result element type f64 differs from the operand's f32}}
  %0 = ztensor.reshape %a : tensor<4x8xf32> -> tensor<32xf64>
  func.return
}

// -----

func.func @broadcast_to_incompatible(%a: tensor<3xf32>) {
  // expected-error@+1 {{'ztensor.broadcast_to' op cannot broadcast tensor<3xf32> to tensor<4x8xf32>}}
  %0 = ztensor.broadcast_to %a : tensor<3xf32> -> tensor<4x8xf32>
  func.return
}

// -----

func.func @broadcast_to_lower_rank(%a: tensor<4x8xf32>) {
  // expected-error@+1 {{'ztensor.broadcast_to' op cannot broadcast tensor<4x8xf32> to tensor<8xf32>}}
  %0 = ztensor.broadcast_to %a : tensor<4x8xf32> -> tensor<8xf32>
  func.return
}

// -----

func.func @broadcast_to_element_type(%a: tensor<8xf32>) {
  // expected-error@+1 {{'ztensor.broadcast_to' op result element type f16 differs from the operand's f32}}
  %0 = ztensor.broadcast_to %a : tensor<8xf32> -> tensor<4x8xf16>
  func.return
}

// -----

func.func @reduce_sum_axis_out_of_range(%a: tensor<4x8xf32>) {
  // expected-error@+1 {{'ztensor.reduce_sum' op axis 2 is out of range for rank 2}}
  %0 = ztensor.reduce_sum %a {axes = array<i64: 2>} : tensor<4x8xf32> -> tensor<4xf32>
  func.return
}

// -----

func.func @reduce_max_repeated_axes(%a: tensor<4x8xf32>) {
  // expected-error@+1 {{'ztensor.reduce_max' op axes contains repeated axes: [1, -1]}}
  %0 = ztensor.reduce_max %a {axes = array<i64: 1, -1>} : tensor<4x8xf32> -> tensor<4xf32>
  func.return
}

// -----

func.func @reduce_mean_wrong_result(%a: tensor<4x8xf32>) {
  // expected-error@+1 {{'ztensor.reduce_mean' op result type should be tensor<4x1xf32>, got tensor<4xf32>}}
  %0 = ztensor.reduce_mean %a {axes = array<i64: 1>, keepdims = true} : tensor<4x8xf32> -> tensor<4xf32>
  func.return
}

// -----

func.func @reduce_sum_keepdims_not_bool(%a: tensor<4x8xf32>) {
  // expected-error@+1 {{'ztensor.reduce_sum' op keepdims must be a bool (true or false)}}
  %0 = ztensor.reduce_sum %a {axes = array<i64: 1>, keepdims = 1 : i64} : tensor<4x8xf32> -> tensor<4xf32>
  func.return
}

// -----

func.func @reduce_mean_negative_axis_out_of_range(%a: tensor<4x8xf32>) {
  // expected-error@+1 {{'ztensor.reduce_mean' op axis -3 is out of range for rank 2}}
  %0 = ztensor.reduce_mean %a {axes = array<i64: -3>} : tensor<4x8xf32> -> tensor<8xf32>
  func.return
}

// -----

func.func @softmax_axis_out_of_range(%a: tensor<4x8xf32>) {
  // expected-error@+1 {{'ztensor.softmax' op axis 2 is out of range for rank 2}}
  %0 = ztensor.softmax %a {axis = 2 : i64} : tensor<4x8xf32>
  func.return
}

// -----

func.func @softmax_axis_i32(%a: tensor<4x8xf32>) {
  // expected-error@+1 {{'ztensor.softmax' op axis must be an i64 integer attribute}}
  %0 = ztensor.softmax %a {axis = 1 : i32} : tensor<4x8xf32>
  func.return
}

// -----

func.func @softmax_rank_zero(%a: tensor<f32>) {
  // expected-error@+1 {{'ztensor.softmax' op expects an operand of rank >= 1}}
  %0 = ztensor.softmax %a {axis = 0 : i64} : tensor<f32>
  func.return
}

// -----

func.func @layernorm_negative_epsilon(%a: tensor<4x8xf32>) {
  // expected-error@+1 {{'ztensor.layernorm' op epsilon must be positive, got -1.0}}
  %0 = ztensor.layernorm %a {axis = -1 : i64, epsilon = -1.0 : f32} : tensor<4x8xf32>
  func.return
}

// -----

func.func @layernorm_epsilon_f64(%a: tensor<4x8xf32>) {
  // expected-error@+1 {{'ztensor.layernorm' op epsilon must be an f32 float attribute}}
  %0 = ztensor.layernorm %a {axis = -1 : i64, epsilon = 1.0e-05 : f64} : tensor<4x8xf32>
  func.return
}

// -----

func.func @layernorm_axis_out_of_range(%a: tensor<4x8xf32>) {
  // expected-error@+1 {{'ztensor.layernorm' op axis -3 is out of range for rank 2}}
  %0 = ztensor.layernorm %a {axis = -3 : i64, epsilon = 1.0e-05 : f32} : tensor<4x8xf32>
  func.return
}

// -----

func.func @constant_type_mismatch() {
  // expected-error@+1 {{'ztensor.constant' op attribute tensor<5xf32> expected from variable 'T', but got tensor<4xf32>}}
  %0 = "ztensor.constant"() {value = dense<1.0> : tensor<4xf32>} : () -> tensor<5xf32>
  func.return
}

// -----

func.func @constant_integer() {
  // expected-error@+1 {{'ztensor.constant' op result must have a float element type (f16, bf16, f32, f64), got i32}}
  %0 = ztensor.constant dense<1> : tensor<4xi32>
  func.return
}

// -----

func.func @cast_changes_shape(%a: tensor<4xf32>) {
  // expected-error@+1 {{'ztensor.cast' op cannot change the shape: tensor<4xf32> -> tensor<5xf64>}}
  %0 = ztensor.cast %a : tensor<4xf32> -> tensor<5xf64>
  func.return
}

// -----

func.func @cast_to_integer(%a: tensor<4xf32>) {
  // expected-error@+1 {{'ztensor.cast' op result must have a float element type (f16, bf16, f32, f64), got i32}}
  %0 = ztensor.cast %a : tensor<4xf32> -> tensor<4xi32>
  func.return
}

// -----

func.func @fused_bad_kind(%a: tensor<4xf32>) {
  // expected-error@+1 {{'ztensor.fused' op kind must be one of matmul_epilogue, elementwise, reduction, generic, got "bogus"}}
  %0 = ztensor.fused "bogus" (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    ztensor.yield %x : tensor<4xf32>
  }
  func.return
}

// -----

func.func @fused_yield_mismatch(%a: tensor<4xf32>) {
  // expected-error@+1 {{'ztensor.fused' op yields (tensor<4xf32>) but its results are (tensor<4xf64>)}}
  %0 = ztensor.fused "elementwise" (%a) : (tensor<4xf32>) -> tensor<4xf64> {
  ^bb0(%x: tensor<4xf32>):
    %e = ztensor.exp %x : tensor<4xf32>
    ztensor.yield %e : tensor<4xf32>
  }
  func.return
}

// -----

func.func @fused_block_arguments_mismatch(%a: tensor<4xf32>) {
  // expected-error@+1 {{'ztensor.fused' op block argument types}}
  %0 = ztensor.fused "elementwise" (%a) : (tensor<4xf32>) -> tensor<8xf32> {
  ^bb0(%x: tensor<8xf32>):
    ztensor.yield %x : tensor<8xf32>
  }
  func.return
}

// -----

func.func @fused_foreign_op(%a: tensor<4xf32>) {
  // expected-error@+1 {{'ztensor.fused' op body may only hold ztensor ops (no nested fused ops), found 'arith.constant'}}
  %0 = ztensor.fused "elementwise" (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %c = arith.constant 1.0 : f32
    ztensor.yield %x : tensor<4xf32>
  }
  func.return
}

// -----

func.func @fused_body_op_invalid(%a: tensor<4xf32>, %b: tensor<5xf32>) {
  %0 = ztensor.fused "elementwise" (%a, %b) : (tensor<4xf32>, tensor<5xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>, %y: tensor<5xf32>):
    // expected-error@+1 {{'ztensor.add' op operand shapes are not broadcast-compatible: 4, 5}}
    %s = ztensor.add %x, %y : (tensor<4xf32>, tensor<5xf32>) -> tensor<4xf32>
    ztensor.yield %s : tensor<4xf32>
  }
  func.return
}

// -----

func.func @yield_outside_fused(%a: tensor<4xf32>) {
  // expected-error@+1 {{'ztensor.yield' op expects parent op 'ztensor.fused'}}
  ztensor.yield %a : tensor<4xf32>
}
