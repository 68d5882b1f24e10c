// --verify-diagnostics fails (exit 1) with a located message when an expected diagnostic is
// missing or a diagnostic was not expected. (CHECK lines spell `expected-{{error}}` so they
// are not annotations themselves.)
// RUN: not ziggurat-opt %s --split-input-file --verify-diagnostics 2>&1 | filecheck %s

func.func @missing(%a: tensor<4xf32>) {
  // expected-error@+1 {{this message is never produced}}
  %0 = ztensor.exp %a : tensor<4xf32>
  func.return
}
// CHECK:      verify-diagnostics-failures.mlir:[[# @LINE - 4]]:6: error: expected error "this message is never produced" was not produced
// CHECK-NEXT:   // expected-{{error}}@+1 {{.*}}this message is never produced

// -----

func.func @unexpected(%a: tensor<4xf32>, %b: tensor<5xf32>) {
  %0 = ztensor.mul %a, %b : (tensor<4xf32>, tensor<5xf32>) -> tensor<4xf32>
  func.return
}
// CHECK:      verify-diagnostics-failures.mlir:[[# @LINE - 3]]:8: error: unexpected error: 'ztensor.mul' op operand shapes are not broadcast-compatible: 4, 5
// CHECK-NEXT:   %0 = ztensor.mul %a, %b

// -----

func.func @wrong_line(%a: tensor<4xf32>, %b: tensor<5xf32>) {
  // expected-error@+2 {{not broadcast-compatible}}
  %0 = ztensor.sub %a, %b : (tensor<4xf32>, tensor<5xf32>) -> tensor<4xf32>
  func.return
}
// CHECK:      verify-diagnostics-failures.mlir:[[# @LINE - 3]]:8: error: unexpected error: 'ztensor.sub' op operand shapes are not broadcast-compatible
// CHECK:      verify-diagnostics-failures.mlir:[[# @LINE - 5]]:6: error: expected error "not broadcast-compatible" was not produced

// -----

func.func @wrong_severity(%a: tensor<4xf32>) {
  // expected-warning@+1 {{is out of range}}
  %0 = ztensor.softmax %a {axis = 3 : i64} : tensor<4xf32>
  func.return
}
// CHECK:      verify-diagnostics-failures.mlir:[[# @LINE - 3]]:8: error: unexpected error: 'ztensor.softmax' op axis 3 is out of range for rank 1
// CHECK:      verify-diagnostics-failures.mlir:[[# @LINE - 5]]:6: error: expected warning "is out of range" was not produced

// -----

func.func @unexpected_note(%a: tensor<4xf32>) {
  // expected-error@+1 {{does not dominate}}
  %0 = ztensor.exp %1 : tensor<4xf32>
  %1 = ztensor.neg %a : tensor<4xf32>
  func.return
}
// CHECK:      verify-diagnostics-failures.mlir:[[# @LINE - 3]]:8: error: unexpected note: operand defined here

// -----

// An offset pointing outside the chunk is itself an error.
func.func @bad_offset() {
  func.return
  // expected-error@+40 {{nothing}}
}
// CHECK:      verify-diagnostics-failures.mlir:[[# @LINE - 2]]:6: error: expected diagnostic offset '@+40' points outside the input
