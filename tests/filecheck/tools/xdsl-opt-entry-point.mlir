// Plain xdsl-opt sees Ziggurat's dialects through the `xdsl.universe` entry point.
// RUN: xdsl-opt %s | filecheck %s
// RUN: xdsl-opt %s -p canonicalize | filecheck %s --check-prefix=CANON
// The docs' plugin route to LLVM IR: xDSL's `llvm` target hands Ziggurat's modules to Ziggurat.
// RUN: xdsl-opt %s -p 'cpu-pipeline{eqsat=false}' -t llvm | filecheck %s --check-prefix=LLVM
// LLVM: define void @"f"(ptr noalias

// CHECK:      func.func @f(%a: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<8x4xf32> {
// CHECK-NEXT:   %0 = ztensor.add %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:   %1 = ztensor.transpose %0 {permutation = array<i64: 1, 0>} : tensor<4x8xf32> -> tensor<8x4xf32>
// CHECK-NEXT:   %2 = ztensor.transpose %1 {permutation = array<i64: 1, 0>} : tensor<8x4xf32> -> tensor<4x8xf32>
// CHECK-NEXT:   %3 = ztensor.transpose %2 {permutation = array<i64: 1, 0>} : tensor<4x8xf32> -> tensor<8x4xf32>
// CHECK-NEXT:   func.return %3 : tensor<8x4xf32>

// CANON:     func.func @f
// CANON:     %0 = ztensor.add %a, %b
// CANON-NEXT: %1 = ztensor.transpose %0 {permutation = array<i64: 1, 0>}
// CANON-NEXT: func.return %1

func.func @f(%a: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<8x4xf32> {
  %0 = ztensor.add %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %1 = ztensor.transpose %0 {permutation = array<i64: 1, 0>} : tensor<4x8xf32> -> tensor<8x4xf32>
  %2 = ztensor.transpose %1 {permutation = array<i64: 1, 0>} : tensor<8x4xf32> -> tensor<4x8xf32>
  %3 = ztensor.transpose %2 {permutation = array<i64: 1, 0>} : tensor<4x8xf32> -> tensor<8x4xf32>
  func.return %3 : tensor<8x4xf32>
}
