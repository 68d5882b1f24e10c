// Comparisons (and select) from ztensor down to LLVM IR text: boolean tensors, i1 tiles,
// zloop.cmpf on vectors, and LLVM fcmp on vectors through the inlined helper.
// RUN: ziggurat-opt %s -p eqsat | filecheck %s --check-prefix=EQSAT
// RUN: ziggurat-opt %s -p ztensor-to-ztile | filecheck %s --check-prefix=ZTILE
// RUN: ziggurat-opt %s -p ztensor-to-ztile,bufferize,ztile-to-zloop | filecheck %s --check-prefix=ZLOOP
// RUN: ziggurat-opt %s -p 'cpu-pipeline{vector-width=16}' | filecheck %s --check-prefix=LLVM
// RUN: ziggurat-opt %s -p 'cpu-pipeline{vector-width=16}' -t llvm | filecheck %s --check-prefix=IR

// (x + y) < z: the comparison joins the elementwise kernel of the add; the result is a
// boolean tensor (one byte per element in memory).
// EQSAT-LABEL: func.func @less
// EQSAT:         ztensor.fused "elementwise"
// EQSAT:           ztensor.add
// EQSAT-NEXT:      ztensor.cmp "olt" %{{.*}} : (tensor<8x20xf32>, tensor<20xf32>) -> tensor<8x20xi1>
// EQSAT-NOT:     ztensor.fused
// ZTILE-LABEL: func.func @less
// ZTILE:         %[[OUT:.*]] = memref.alloc() : memref<8x20xi1>
// ZTILE:         ztile.grid
// ZTILE:           %[[S:.*]] = ztile.add
// ZTILE:           %[[C:.*]] = ztile.cmp "olt" %[[S]], %{{.*}} : !ztile.tile<{{.*}}xf32> -> !ztile.tile<{{.*}}xi1>
// ZTILE-NEXT:      ztile.store %[[C]], %[[OUT]]
// ZTILE-NOT:     ztile.grid
// ZLOOP-LABEL: func.func @less
// ZLOOP:         arith.addf %{{.*}} : vector<16xf32>
// ZLOOP:         zloop.cmpf "olt" %{{.*}}, %{{.*}} : vector<16xf32> -> vector<16xi1>
// LLVM-LABEL: llvm.func @less(
// LLVM:         llvm.call @__zg_fcmp_olt_v16f32(%{{.*}}, %{{.*}}) : (vector<16xf32>, vector<16xf32>) -> vector<16xi1>
// LLVM:         llvm.zext %{{.*}} : vector<16xi1> to vector<16xi8>
// IR-LABEL: define void @"less"(
// IR:         call ccc <16 x i1> @"__zg_fcmp_olt_v16f32"
// IR:         zext <16 x i1> %{{.*}} to <16 x i8>
func.func @less(%x: tensor<8x20xf32>, %y: tensor<8x20xf32>, %z: tensor<20xf32>) -> tensor<8x20xi1> {
  %s = ztensor.add %x, %y : (tensor<8x20xf32>, tensor<8x20xf32>) -> tensor<8x20xf32>
  %c = ztensor.cmp "olt" %s, %z : (tensor<8x20xf32>, tensor<20xf32>) -> tensor<8x20xi1>
  func.return %c : tensor<8x20xi1>
}

// Leaky relu, where(x > 0, x, 0.01 * x): compare, multiply and select in one kernel, the
// boolean never stored.
// EQSAT-LABEL: func.func @leaky_relu
// EQSAT:         ztensor.fused "elementwise"
// EQSAT-DAG:       ztensor.cmp "ogt"
// EQSAT-DAG:       ztensor.mul
// EQSAT:           ztensor.select %{{.*}} : (tensor<8x20xi1>, tensor<8x20xf32>, tensor<8x20xf32>) -> tensor<8x20xf32>
// EQSAT-NOT:     ztensor.fused
// ZTILE-LABEL: func.func @leaky_relu
// ZTILE-NOT:     memref<8x20xi1>
// ZTILE:         ztile.grid
// ZTILE:           ztile.cmp "ogt"
// ZTILE:           ztile.select %{{.*}}, %{{.*}}, %{{.*}} : !ztile.tile<{{.*}}xi1>, !ztile.tile<{{.*}}xf32>
// ZTILE-NOT:     ztile.grid
// ZLOOP-LABEL: func.func @leaky_relu
// ZLOOP-NOT:     memref.alloca() : memref<{{.*}}xi1>
// ZLOOP:         zloop.cmpf "ogt" %{{.*}}, %{{.*}} : vector<16xf32> -> vector<16xi1>
// ZLOOP:         zloop.select %{{.*}}, %{{.*}}, %{{.*}} : vector<16xi1>, vector<16xf32>
// LLVM-LABEL: llvm.func @leaky_relu(
// LLVM:         llvm.call @__zg_fcmp_ogt_v16f32
// LLVM:         llvm.call @__zg_select_v16f32
// IR-LABEL: define void @"leaky_relu"(
// IR:         call ccc <16 x float> @"__zg_select_v16f32"
func.func @leaky_relu(%x: tensor<8x20xf32>) -> tensor<8x20xf32> {
  %zero = ztensor.constant dense<0.0> : tensor<8x20xf32>
  %slope = ztensor.constant dense<0.01> : tensor<8x20xf32>
  %p = ztensor.cmp "ogt" %x, %zero : (tensor<8x20xf32>, tensor<8x20xf32>) -> tensor<8x20xi1>
  %n = ztensor.mul %x, %slope : (tensor<8x20xf32>, tensor<8x20xf32>) -> tensor<8x20xf32>
  %r = ztensor.select %p, %x, %n : (tensor<8x20xi1>, tensor<8x20xf32>, tensor<8x20xf32>) -> tensor<8x20xf32>
  func.return %r : tensor<8x20xf32>
}

// The helpers come after the functions: an ordered comparison of vectors.
// IR-LABEL: define internal <16 x i1> @"__zg_fcmp_olt_v16f32"(<16 x float> %{{.*}}, <16 x float> %{{.*}}) alwaysinline
// IR:         fcmp olt <16 x float>
