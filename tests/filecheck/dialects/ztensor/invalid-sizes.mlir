// Sizes beyond the index range (i64) and dense literals that do not match their type are
// located verifier errors (they used to pass the verifier or crash later).
// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @dimension_beyond_index() {
  // expected-error@+1 {{'ztensor.constant' op result dimension 0 is 100000000000000000000000000000, beyond the index range (at most 2^63-1 = 9223372036854775807)}}
  %0 = ztensor.constant dense<1.0> : tensor<100000000000000000000000000000xf32>
  func.return
}

// -----

func.func @second_dimension_beyond_index() {
  // expected-error@+1 {{'ztensor.constant' op result dimension 1 is 9223372036854775808, beyond the index range}}
  %0 = ztensor.constant dense<1.0> : tensor<2x9223372036854775808xf32>
  func.return
}

// -----

func.func @element_count_beyond_index() {
  // expected-error@+1 {{'ztensor.constant' op result has 4294967296 x 4294967296 = 18446744073709551616 elements, beyond the index range}}
  %0 = ztensor.constant dense<1.0> : tensor<4294967296x4294967296xf32>
  func.return
}

// -----

func.func @bytes_beyond_index() {
  // expected-error@+1 {{'ztensor.constant' op result takes 2305843009213693952 x 4 = 9223372036854775808 bytes, beyond the index range}}
  %0 = ztensor.constant dense<1.0> : tensor<2305843009213693952xf32>
  func.return
}

// -----

func.func @operand_beyond_index(%a: tensor<9223372036854775808xf32>) {
  // expected-error@+1 {{'ztensor.exp' op operand dimension 0 is 9223372036854775808, beyond the index range}}
  %0 = ztensor.exp %a : tensor<9223372036854775808xf32>
  func.return
}

// -----

func.func @empty_literal_for_elements() {
  // expected-error@+1 {{'ztensor.constant' op value holds 0 elements, but tensor<4xf32> has 4 elements (a dense literal holds one element, a splat, or all of them)}}
  %0 = ztensor.constant dense<> : tensor<4xf32>
  func.return
}

// -----

func.func @empty_list_for_elements() {
  // expected-error@+1 {{'ztensor.constant' op value holds 0 elements, but tensor<2x3xf32> has 6 elements}}
  %0 = ztensor.constant dense<[]> : tensor<2x3xf32>
  func.return
}

// -----

func.func @literal_shape_mismatch() {
  // expected-error@+1 {{dense literal has shape [2], but the type tensor<3xf32> has shape [3]}}
  %0 = ztensor.constant dense<[1.0, 2.0]> : tensor<3xf32>
  func.return
}

// -----

func.func @hex_count_mismatch() {
  // expected-error@+1 {{hex string holds 2 elements of f32, but tensor<4xf32> has 4 (give one element for a splat, or all of them)}}
  %0 = ztensor.constant dense<"0x0000803F0000803F"> : tensor<4xf32>
  func.return
}

// -----

func.func @rank0_empty() {
  // expected-error@+1 {{a dense literal of rank-0 type tensor<f32> holds exactly one element}}
  %0 = ztensor.constant dense<> : tensor<f32>
  func.return
}

// -----

func.func @float_literal_out_of_range() {
  // expected-error@+1 {{literal 1e+100 is out of range for f32}}
  %0 = ztensor.constant dense<1.0e100> : tensor<3xf32>
  func.return
}

// -----

func.func @hex_too_wide() {
  // expected-error@+1 {{hexadecimal literal is not a 2-byte bit pattern of f16}}
  %0 = ztensor.constant dense<0x10000> : tensor<2xf16>
  func.return
}

// -----

func.func @f80_constant() {
  // expected-error@+1 {{'ztensor.constant' must have a float element type (f16, bf16, f32, f64), got f80}}
  %0 = ztensor.constant dense<1.0> : tensor<3xf80>
  func.return
}

// -----

func.func @complex_constant() {
  // expected-error@+1 {{complex literals are not supported in 'ztensor.constant' (float elements only)}}
  %0 = ztensor.constant dense<(1.0, 2.0)> : tensor<3xcomplex<f32>>
  func.return
}

// -----

func.func @generic_empty_literal() {
  // expected-error@+1 {{Expected at least one element in the dense literal, but got None}}
  %0 = "ztensor.constant"() {value = dense<> : tensor<4xf32>} : () -> tensor<4xf32>
  func.return
}
