// Two places where ziggurat-opt follows xdsl-opt rather than MLIR's stricter habits.
//
// 1. With --parsing-diagnostics (an xdsl-opt flag, MLIR has none) --verify-diagnostics has
//    xDSL's meaning even in a file with expected-* annotations: the diagnostic is printed to
//    stdout and the run exits 0, the annotation is a comment.
// RUN: ziggurat-opt %s --parsing-diagnostics --verify-diagnostics --split-input-file | filecheck %s
//    Without it the annotation is checked (MLIR's meaning) and this one does not match.
// RUN: not ziggurat-opt %s --verify-diagnostics --split-input-file 2>&1 | filecheck %s --check-prefix=MLIR
//
// 2. After one of xDSL's own passes, a use its definition does not dominate is a warning (xDSL's
//    verifier checks no dominance and lower-csl-stencil produces such IR); the run goes on.
// RUN: ziggurat-opt %S/../xdsl_compat/transforms/lower-csl-stencil.mlir -p lower-csl-stencil --split-input-file 2>&1 >/dev/null | filecheck %s --check-prefix=XPASS

func.func @mismatch(%a: tensor<4x8xf32>, %b: tensor<5xf32>) {
  // expected-error@+1 {{a message that is not the one produced}}
  %0 = ztensor.add %a, %b : (tensor<4x8xf32>, tensor<5xf32>) -> tensor<4x8xf32>
  func.return
}

// CHECK: operand shapes are not broadcast-compatible
// MLIR: error: unexpected error: {{.*}}not broadcast-compatible
// MLIR: error: expected error "a message that is not the one produced" was not produced

// XPASS: warning: 'csl.get_mem_dsd' op operand #0 does not dominate this use (in the IR produced by xDSL's pass 'lower-csl-stencil'; xdsl-opt does not check dominance, so neither does this run after that pass)
// XPASS-NOT: error:
