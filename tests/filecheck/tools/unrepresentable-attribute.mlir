// An attribute xDSL cannot represent, met while verifying (found by the fuzzer): a located
// unsupported-input error and exit 1, not an internal error.
// RUN: not ziggurat-opt %s 2>&1 | filecheck %s
// CHECK-NOT: internal error
// CHECK: unrepresentable-attribute.mlir:[[# @LINE + 3]]:8: error: 'memref.alloca' op unsupported: xDSL cannot represent this (NotImplementedError)

builtin.module {
  %0 = memref.alloca() {alignment = 24 : f128} : memref<2x2xindex>
}
