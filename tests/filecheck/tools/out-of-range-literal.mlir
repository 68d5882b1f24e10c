// An integer literal out of range of a dense array's element type (found by the fuzzer):
// a located error and exit 1, not an internal error.
// RUN: not ziggurat-opt %s 2>&1 | filecheck %s
// CHECK-NOT: internal error
// CHECK: out-of-range-literal.mlir:[[# @LINE + 3]]:57: error: argument out of range

%0, %1 = "test.op"() : () -> (!riscv.reg<s0>, !riscv.reg<s1>)
riscv.parallel_mov %0, %1 [32, 32, 9223372036854775808] : (!riscv.reg<s0>, !riscv.reg<s1>) -> (!riscv.reg<s3>, !riscv.reg<s4>)
