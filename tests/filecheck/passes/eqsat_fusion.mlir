// The kernels eqsat picks depend on the machine it prices: pin one (2 cores, AVX-512).
// RUN: ziggurat-opt %s -p 'eqsat{hardware="%S/Inputs/avx512-2core.json"}' | filecheck %s
// RUN: ziggurat-opt %s -p 'eqsat{extractor=ilp hardware="%S/Inputs/avx512-2core.json"}' | filecheck %s --check-prefix=ILP

// relu(matmul + bias) becomes one matmul_epilogue kernel.
// CHECK-LABEL: func.func @mlp
// CHECK-NEXT:    %{{.*}} = ztensor.fused "matmul_epilogue"
// CHECK-DAG:       ztensor.matmul
// CHECK-DAG:       ztensor.add
// CHECK:           ztensor.relu
// CHECK-NEXT:      ztensor.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return
func.func @mlp(%a: tensor<64x32xf32>, %b: tensor<32x128xf32>, %c: tensor<128xf32>) -> tensor<64x128xf32> {
  %m = ztensor.matmul %a, %b : (tensor<64x32xf32>, tensor<32x128xf32>) -> tensor<64x128xf32>
  %s = ztensor.add %m, %c : (tensor<64x128xf32>, tensor<128xf32>) -> tensor<64x128xf32>
  %r = ztensor.relu %s : tensor<64x128xf32>
  func.return %r : tensor<64x128xf32>
}

// A chain of elementwise ops becomes one elementwise kernel.
// CHECK-LABEL: func.func @elementwise
// CHECK-NEXT:    %{{.*}} = ztensor.fused "elementwise"(%x)
// CHECK:           ztensor.tanh
// CHECK:           ztensor.sigmoid
// CHECK:           ztensor.yield
// CHECK:         func.return
func.func @elementwise(%x: tensor<512x512xf32>) -> tensor<512x512xf32> {
  %a = ztensor.tanh %x : tensor<512x512xf32>
  %b = ztensor.sigmoid %a : tensor<512x512xf32>
  %c = ztensor.mul %b, %x : (tensor<512x512xf32>, tensor<512x512xf32>) -> tensor<512x512xf32>
  func.return %c : tensor<512x512xf32>
}

// A reduction with an elementwise prologue; the exact ILP also pulls the exp in.
// CHECK-LABEL: func.func @reduction
// CHECK:         ztensor.fused "reduction"
// CHECK:           ztensor.reduce_sum
// ILP-LABEL: func.func @reduction
// ILP-NEXT:    %{{.*}} = ztensor.fused "reduction"(%x)
// ILP:           ztensor.exp
// ILP:           ztensor.tanh
// ILP:           ztensor.reduce_sum
func.func @reduction(%x: tensor<1024x1024xf32>) -> tensor<1024x1xf32> {
  %a = ztensor.exp %x : tensor<1024x1024xf32>
  %b = ztensor.tanh %a : tensor<1024x1024xf32>
  %c = ztensor.mul %b, %x : (tensor<1024x1024xf32>, tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %s = ztensor.reduce_sum %c {axes = array<i64: 1>, keepdims = true} : tensor<1024x1024xf32> -> tensor<1024x1xf32>
  func.return %s : tensor<1024x1xf32>
}

// The two-layer MLP of examples/mlp.mlir: the splat `%one` folds away; the first matmul
// becomes a matmul_epilogue kernel (bias, relu); the second matmul stays a plain matmul (a
// kernel's matmul reads materialized operands, so it cannot fuse into the relu kernel), and
// its bias add is the prologue of the softmax kernel. No kernel holds two matmuls.
// RUN: ziggurat-opt %S/../../../examples/mlp.mlir -p 'canonicalize,eqsat{hardware="%S/Inputs/avx512-2core.json"}' | filecheck %s --check-prefix=EXAMPLE
// EXAMPLE-LABEL: func.func @mlp
// EXAMPLE-NEXT:    ztensor.fused "matmul_epilogue"(%x, %w1, %b1)
// EXAMPLE-COUNT-1: ztensor.matmul
// EXAMPLE-NOT:     ztensor.fused "generic"
// EXAMPLE:         ztensor.yield
// EXAMPLE-NEXT:    }
// EXAMPLE-NEXT:    ztensor.matmul
// EXAMPLE-NEXT:    ztensor.fused "reduction"
// EXAMPLE-NOT:     ztensor.matmul
// EXAMPLE:         ztensor.softmax
// EXAMPLE:         func.return
// CHECK-LABEL: func.func @two_layer
// CHECK-NEXT:    %[[H:.*]] = ztensor.fused "matmul_epilogue"(%x, %w1, %b1)
// CHECK-NEXT:    ^bb0
// CHECK-NEXT:      ztensor.matmul
// CHECK-NEXT:      ztensor.add
// CHECK-NEXT:      ztensor.relu
// CHECK-NEXT:      ztensor.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[O:.*]] = ztensor.matmul %[[H]], %w2
// CHECK-NEXT:    %{{.*}} = ztensor.fused "reduction"(%[[O]], %b2)
// CHECK-NEXT:    ^bb0
// CHECK-NEXT:      ztensor.add
// CHECK-NEXT:      ztensor.softmax
// CHECK-NEXT:      ztensor.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return
func.func @two_layer(%x: tensor<64x128xf32>, %w1: tensor<128x256xf32>, %b1: tensor<256xf32>,
                     %w2: tensor<256x10xf32>, %b2: tensor<10xf32>) -> tensor<64x10xf32> {
  %h = ztensor.matmul %x, %w1 : (tensor<64x128xf32>, tensor<128x256xf32>) -> tensor<64x256xf32>
  %hb = ztensor.add %h, %b1 : (tensor<64x256xf32>, tensor<256xf32>) -> tensor<64x256xf32>
  %one = ztensor.constant dense<1.0> : tensor<256xf32>
  %hs = ztensor.mul %hb, %one : (tensor<64x256xf32>, tensor<256xf32>) -> tensor<64x256xf32>
  %a = ztensor.relu %hs : tensor<64x256xf32>
  %o = ztensor.matmul %a, %w2 : (tensor<64x256xf32>, tensor<256x10xf32>) -> tensor<64x10xf32>
  %ob = ztensor.add %o, %b2 : (tensor<64x10xf32>, tensor<10xf32>) -> tensor<64x10xf32>
  %p = ztensor.softmax %ob {axis = -1 : i64} : tensor<64x10xf32>
  func.return %p : tensor<64x10xf32>
}

// A non-splat constant is a kernel input like any other value.
// CHECK-LABEL: func.func @dense_constant
// CHECK-NEXT:    %[[S:.*]] = ztensor.constant dense<[5.000000e-01, 1.000000e+00, 1.500000e+00, 2.000000e+00]>
// CHECK-NEXT:    %{{.*}} = ztensor.fused "matmul_epilogue"(%a, %b, %[[S]])
// CHECK-NEXT:    ^bb0
// CHECK-NEXT:      ztensor.matmul
// CHECK-NEXT:      ztensor.mul
// CHECK-NEXT:      ztensor.tanh
// CHECK-NEXT:      ztensor.yield
func.func @dense_constant(%a: tensor<64x32xf32>, %b: tensor<32x4xf32>) -> tensor<64x4xf32> {
  %m = ztensor.matmul %a, %b : (tensor<64x32xf32>, tensor<32x4xf32>) -> tensor<64x4xf32>
  %s = ztensor.constant dense<[0.5, 1.0, 1.5, 2.0]> : tensor<4xf32>
  %y = ztensor.mul %m, %s : (tensor<64x4xf32>, tensor<4xf32>) -> tensor<64x4xf32>
  %r = ztensor.tanh %y : tensor<64x4xf32>
  func.return %r : tensor<64x4xf32>
}

// Without the fusion rules nothing is cheaper: the input is kept.
// RUN: ziggurat-opt %s -p 'eqsat{rules=algebra}' | filecheck %s --check-prefix=NOFUSE
// NOFUSE-LABEL: func.func @mlp
// NOFUSE-NEXT:    ztensor.matmul
// NOFUSE-NEXT:    ztensor.add
// NOFUSE-NEXT:    ztensor.relu
// NOFUSE-NOT:     ztensor.fused
