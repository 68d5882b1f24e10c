// Bad input gives `FILE:LINE:COL: error: message`, the source line and a caret, exit 1,
// and no Python traceback. Every chunk is processed; lines count from the whole file.
// RUN: not ziggurat-opt %s --split-input-file 2>&1 | filecheck %s
// RUN: not ziggurat-opt %s --split-input-file 2>&1 | filecheck %s --check-prefix=NOTRACE
// NOTRACE-NOT: Traceback
// NOTRACE: func.func @fine

func.func @shape_mismatch(%a: tensor<4x8xf32>, %b: tensor<5xf32>) -> tensor<4x8xf32> {
  %0 = ztensor.add %a, %b : (tensor<4x8xf32>, tensor<5xf32>) -> tensor<4x8xf32>
  func.return %0 : tensor<4x8xf32>
}
// CHECK:      located-errors.mlir:[[# @LINE - 3]]:8: error: 'ztensor.add' op operand shapes are not broadcast-compatible: 4x8, 5
// CHECK-NEXT:   %0 = ztensor.add %a, %b : (tensor<4x8xf32>, tensor<5xf32>) -> tensor<4x8xf32>

// -----

func.func @unknown_op(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ztensor.expp %a : tensor<4xf32>
  func.return %0 : tensor<4xf32>
}
// CHECK:      located-errors.mlir:[[# @LINE - 3]]:8: error: unknown operation 'ztensor.expp': dialect 'ztensor' has no such operation; did you mean 'ztensor.exp'
// CHECK-NEXT:   %0 = ztensor.expp %a : tensor<4xf32>

// -----

func.func @unknown_dialect(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "nosuch.op"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}
// CHECK:      located-errors.mlir:[[# @LINE - 3]]:8: error: unknown operation 'nosuch.op': no dialect 'nosuch' is registered

// -----

func.func @use_before_def(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ztensor.exp %1 : tensor<4xf32>
  %1 = ztensor.neg %a : tensor<4xf32>
  func.return %0 : tensor<4xf32>
}
// CHECK:      located-errors.mlir:[[# @LINE - 4]]:8: error: 'ztensor.exp' op operand #0 does not dominate this use
// CHECK-NEXT:   %0 = ztensor.exp %1 : tensor<4xf32>
// CHECK:      located-errors.mlir:[[# @LINE - 5]]:8: note: operand defined here
// CHECK-NEXT:   %1 = ztensor.neg %a : tensor<4xf32>

// -----

func.func @undefined_value(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ztensor.exp %nothing : tensor<4xf32>
  func.return %0 : tensor<4xf32>
}
// CHECK:      located-errors.mlir:[[# @LINE - 3]]:20: error: use of undefined value '%nothing'
// CHECK-NEXT:   %0 = ztensor.exp %nothing : tensor<4xf32>

// -----

func.func @value_from_another_function(%a: tensor<4xf32>) -> tensor<4xf32> {
  %inner = ztensor.exp %a : tensor<4xf32>
  func.return %inner : tensor<4xf32>
}
func.func @g() -> tensor<4xf32> {
  func.return %inner : tensor<4xf32>
}
// CHECK:      located-errors.mlir:[[# @LINE - 2]]:15: error: use of undefined value '%inner'

// -----

func.func @syntax_error(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ztensor.exp %a : tensor<4xf32
  func.return %0 : tensor<4xf32>
}
// CHECK:      located-errors.mlir:[[# @LINE - 2]]:3: error: Expected '>' after builtin parameter list

// -----

func.func @wrong_result_type(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>) -> tensor<4x4xf32> {
  %0 = ztensor.matmul %a, %b : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x4xf32>
  func.return %0 : tensor<4x4xf32>
}
// CHECK:      located-errors.mlir:[[# @LINE - 3]]:8: error: 'ztensor.matmul' op result type should be tensor<4x3xf32>, got tensor<4x4xf32>

// -----

func.func @bad_attribute(%a: tensor<4x8xf32>) -> tensor<8x4xf32> {
  %0 = ztensor.transpose %a {permutation = array<i64: 1, 0, 0>} : tensor<4x8xf32> -> tensor<8x4xf32>
  func.return %0 : tensor<8x4xf32>
}
// CHECK:      located-errors.mlir:[[# @LINE - 3]]:8: error: 'ztensor.transpose' op permutation [1, 0, 0] is not a permutation of [0, 2) for an operand of rank 2

// -----

// A block referenced before it is defined, then defined twice (xDSL 0.74 raised KeyError;
// found by the fuzzer).
func.func @twice(%c: i1) {
  cf.cond_br %c, ^next, ^next
^next:
  func.return
^next:
  func.return
}
// CHECK:      located-errors.mlir:[[# @LINE - 3]]:1: error: re-declaration of block 'next'

// -----

// The last chunk is fine: its output is printed and the run still exits 1.
func.func @fine(%a: tensor<4xf32>) -> tensor<4xf32> {
  func.return %a : tensor<4xf32>
}
// CHECK: func.func @fine
