// --verify-diagnostics: every annotation matched -> exit 0, and the chunks without errors
// are printed as usual.
// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Designators: none (same line), @+N, @-N, @above, @below; expected-note for notes.

func.func @same_line(%a: tensor<4x8xf32>, %b: tensor<5xf32>) {
  %0 = ztensor.add %a, %b : (tensor<4x8xf32>, tensor<5xf32>) -> tensor<4x8xf32> // expected-error {{not broadcast-compatible}}
  func.return
}

// -----

func.func @plus_two(%a: tensor<4x8xf32>, %b: tensor<7x16xf32>) {
  // expected-error@+2 {{contraction dimensions differ: lhs has 8 columns but rhs has 7 rows}}

  %0 = ztensor.matmul %a, %b : (tensor<4x8xf32>, tensor<7x16xf32>) -> tensor<4x16xf32>
  func.return
}

// -----

func.func @minus_one(%a: tensor<4x8xf32>) {
  %0 = ztensor.reshape %a : tensor<4x8xf32> -> tensor<33xf32>
  // expected-error@-1 {{'ztensor.reshape' op cannot reshape}}
  func.return
}

// -----

func.func @above_and_note(%a: tensor<4xf32>) {
  %0 = ztensor.exp %1 : tensor<4xf32>
  // expected-error@above {{operand #0 does not dominate this use}}
  // expected-note@below {{operand defined here}}
  %1 = ztensor.neg %a : tensor<4xf32>
  func.return
}

// -----

func.func @parse_error(%a: tensor<4xf32>) {
  // expected-error@+1 {{unknown operation 'ztensor.nope'}}
  %0 = ztensor.nope %a : tensor<4xf32>
  func.return
}

// -----

func.func @regex(%a: tensor<4x8xf32>) {
  // expected-error-re@+1 {{axis {{-?[0-9]+}} is out of range for rank 2}}
  %0 = ztensor.softmax %a {axis = 7 : i64} : tensor<4x8xf32>
  func.return
}

// -----

// No error here: this chunk is printed.
func.func @fine(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ztensor.relu %a : tensor<4xf32>
  func.return %0 : tensor<4xf32>
}
// CHECK:      func.func @fine(%a: tensor<4xf32>) -> tensor<4xf32> {
// CHECK-NEXT:   %0 = ztensor.relu %a : tensor<4xf32>
