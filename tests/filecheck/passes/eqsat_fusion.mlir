// RUN: ziggurat-opt %s -p eqsat | filecheck %s
// RUN: ziggurat-opt %s -p 'eqsat{extractor=ilp}' | filecheck %s --check-prefix=ILP

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

// Without the fusion rules nothing is cheaper: the input is kept.
// RUN: ziggurat-opt %s -p 'eqsat{rules=algebra}' | filecheck %s --check-prefix=NOFUSE
// NOFUSE-LABEL: func.func @mlp
// NOFUSE-NEXT:    ztensor.matmul
// NOFUSE-NEXT:    ztensor.add
// NOFUSE-NEXT:    ztensor.relu
// NOFUSE-NOT:     ztensor.fused
