// The unary ops added through the op table, from ztensor down to LLVM IR text. Each level
// has the op, its math op, and its LLVM form (erf: the inlined polynomial helper; floor and
// ceil: intrinsics).
// RUN: ziggurat-opt %s -p eqsat | filecheck %s --check-prefix=EQSAT
// RUN: ziggurat-opt %s -p ztensor-to-ztile | filecheck %s --check-prefix=ZTILE
// RUN: ziggurat-opt %s -p ztensor-to-ztile,bufferize,ztile-to-zloop | filecheck %s --check-prefix=ZLOOP
// RUN: ziggurat-opt %s -p 'cpu-pipeline{vector-width=16}' | filecheck %s --check-prefix=LLVM
// RUN: ziggurat-opt %s -p 'cpu-pipeline{vector-width=16}' -t llvm | filecheck %s --check-prefix=IR

// Exact GELU as torch exports it: 0.5 * x * (1 + erf(x / sqrt(2))), one fused kernel.
// EQSAT-LABEL: func.func @gelu_exact
// EQSAT:         ztensor.fused "elementwise"
// EQSAT:           ztensor.erf %{{.*}} : tensor<8x32xf32>
// EQSAT-NOT:     ztensor.fused
// ZTILE-LABEL: func.func @gelu_exact
// ZTILE:         ztile.grid
// ZTILE:           ztile.erf %{{.*}} : !ztile.tile<{{.*}}xf32>
// ZTILE-NOT:     ztile.grid
// ZLOOP-LABEL: func.func @gelu_exact
// ZLOOP:         math.erf %{{.*}} : vector<16xf32>
// LLVM-LABEL: llvm.func @gelu_exact(
// LLVM:         llvm.call @__zg_erf_v16f32(%{{.*}}) : (vector<16xf32>) -> vector<16xf32>
// IR-LABEL: define void @"gelu_exact"(
// IR:         call ccc <16 x float> @"__zg_erf_v16f32"
func.func @gelu_exact(%x: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %rsqrt2 = ztensor.constant dense<0.70710678118654757> : tensor<8x32xf32>
  %half = ztensor.constant dense<0.5> : tensor<8x32xf32>
  %one = ztensor.constant dense<1.0> : tensor<8x32xf32>
  %s = ztensor.mul %x, %rsqrt2 : (tensor<8x32xf32>, tensor<8x32xf32>) -> tensor<8x32xf32>
  %e = ztensor.erf %s : tensor<8x32xf32>
  %p = ztensor.add %one, %e : (tensor<8x32xf32>, tensor<8x32xf32>) -> tensor<8x32xf32>
  %h = ztensor.mul %half, %x : (tensor<8x32xf32>, tensor<8x32xf32>) -> tensor<8x32xf32>
  %r = ztensor.mul %h, %p : (tensor<8x32xf32>, tensor<8x32xf32>) -> tensor<8x32xf32>
  func.return %r : tensor<8x32xf32>
}

// EQSAT-LABEL: func.func @floor_f64
// EQSAT:         ztensor.floor %{{.*}} : tensor<5x3xf64>
// ZTILE-LABEL: func.func @floor_f64
// ZTILE:         ztile.floor %{{.*}} : !ztile.tile<{{.*}}xf64>
// ZLOOP-LABEL: func.func @floor_f64
// ZLOOP:         math.floor %{{.*}} : vector<16xf64>
// LLVM-LABEL: llvm.func @floor_f64(
// LLVM:         llvm.call_intrinsic "llvm.floor.v16f64"(%{{.*}}) : (vector<16xf64>) -> vector<16xf64>
// IR-LABEL: define void @"floor_f64"(
// IR:         call <16 x double> @"llvm.floor.v16f64"
func.func @floor_f64(%x: tensor<5x3xf64>) -> tensor<5x3xf64> {
  %r = ztensor.floor %x : tensor<5x3xf64>
  func.return %r : tensor<5x3xf64>
}

// ceil inside a matmul epilogue: relu(ceil(A @ B)) is one kernel after eqsat.
// EQSAT-LABEL: func.func @ceil_epilogue
// EQSAT:         ztensor.fused "matmul_epilogue"
// EQSAT:           ztensor.matmul
// EQSAT-NEXT:      ztensor.ceil %{{.*}} : tensor<4x8xf32>
// ZTILE-LABEL: func.func @ceil_epilogue
// ZTILE:         ztile.dot
// ZTILE:         ztile.ceil %{{.*}} : !ztile.tile<{{.*}}xf32>
// ZLOOP-LABEL: func.func @ceil_epilogue
// ZLOOP:         math.ceil %{{.*}} : vector<16xf32>
// LLVM-LABEL: llvm.func @ceil_epilogue(
// LLVM:         llvm.call_intrinsic "llvm.ceil.v16f32"(%{{.*}}) : (vector<16xf32>) -> vector<16xf32>
// IR-LABEL: define void @"ceil_epilogue"(
// IR:         call <16 x float> @"llvm.ceil.v16f32"
func.func @ceil_epilogue(%a: tensor<4x3xf32>, %b: tensor<3x8xf32>) -> tensor<4x8xf32> {
  %m = ztensor.matmul %a, %b : (tensor<4x3xf32>, tensor<3x8xf32>) -> tensor<4x8xf32>
  %c = ztensor.ceil %m : tensor<4x8xf32>
  %r = ztensor.relu %c : tensor<4x8xf32>
  func.return %r : tensor<4x8xf32>
}

// The helpers come after the functions: erf is a polynomial, never a libm call.
// IR-LABEL: define internal <16 x float> @"__zg_erf_v16f32"(<16 x float> %{{.*}}) alwaysinline
// IR:         call <16 x float> @"llvm.fabs.v16f32"
// IR:         call <16 x float> @"llvm.copysign.v16f32"
// IR-NOT:     declare {{.*}}erf
