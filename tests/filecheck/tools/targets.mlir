// Targets that do not apply to the IR say so (located at the first op they cannot print)
// instead of failing inside xDSL or printing nothing.

// RUN: not ziggurat-opt %s -t x86-asm 2>&1 | filecheck %s --check-prefix=X86
// X86: targets.mlir:[[# @LINE + 17]]:1: error: 'func.func' op cannot be printed by target 'x86-asm': it prints x86 assembly
// RUN: not ziggurat-opt %s -t riscv-asm 2>&1 | filecheck %s --check-prefix=RISCV
// RISCV: error: 'func.func' op cannot be printed by target 'riscv-asm'
// RUN: not ziggurat-opt %s -t arm-asm 2>&1 | filecheck %s --check-prefix=ARM
// ARM: error: 'func.func' op cannot be printed by target 'arm-asm'
// RUN: not ziggurat-opt %s -t wat 2>&1 | filecheck %s --check-prefix=WAT
// WAT: targets.mlir: error: target 'wat' does not apply to this module: it prints WebAssembly text of 'wasm.module' ops, and the module has no 'wasm.module' anywhere (so it would print nothing)
// RUN: not ziggurat-opt %s -t wgsl 2>&1 | filecheck %s --check-prefix=WGSL
// WGSL: error: target 'wgsl' does not apply to this module
// RUN: not ziggurat-opt %s -t mps 2>&1 | filecheck %s --check-prefix=MPS
// MPS: ziggurat-opt: error: target 'mps' cannot print anything: xDSL's 'mps' target is a stub
// RUN: ziggurat-opt %s -p 'cpu-pipeline{eqsat=false}' -t llvm | filecheck %s --check-prefix=LLVM
// LLVM: define void @"f"
// RUN: not ziggurat-opt %s -t wat 2>&1 | filecheck %s --check-prefix=NOTRACE
// NOTRACE-NOT: Traceback
// NOTRACE-NOT: internal error

func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ztensor.exp %a : tensor<4xf32>
  func.return %0 : tensor<4xf32>
}
