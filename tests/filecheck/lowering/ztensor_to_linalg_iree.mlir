// REQUIRES: iree-opt
// RUN: ziggurat-opt %S/../../interop/fixtures/mlp_gelu.mlir -p linalg-to-ztensor,canonicalize,eqsat,ztensor-to-linalg | iree-opt | filecheck %s

// A torch-mlir export raised, optimized by eqsat and written back as linalg: IREE's parser
// and verifier take it (and print it again as linalg).

// CHECK:     func.func @main
// CHECK:     linalg.matmul
// CHECK:     math.erf
// CHECK-NOT: ztensor
