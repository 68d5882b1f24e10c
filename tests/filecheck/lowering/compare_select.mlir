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
// LLVM-LABEL: llvm.func internal @less__par0
// LLVM:         llvm.call @__zg_fcmp_olt_v16f32(%{{.*}}, %{{.*}}) : (vector<16xf32>, vector<16xf32>) -> vector<16xi1>
// LLVM:         llvm.zext %{{.*}} : vector<16xi1> to vector<16xi8>
// IR-LABEL: define internal void @"less__par0"
// IR:         call ccc <16 x i1> @"__zg_fcmp_olt_v16f32"
// IR:         zext <16 x i1> %{{.*}} to <16 x i8>
func.func @less(%x: tensor<8x20xf32>, %y: tensor<8x20xf32>, %z: tensor<20xf32>) -> tensor<8x20xi1> {
  %s = ztensor.add %x, %y : (tensor<8x20xf32>, tensor<8x20xf32>) -> tensor<8x20xf32>
  %c = ztensor.cmp "olt" %s, %z : (tensor<8x20xf32>, tensor<20xf32>) -> tensor<8x20xi1>
  func.return %c : tensor<8x20xi1>
}

// The helpers come after the functions: an ordered comparison of vectors.
// IR-LABEL: define internal <16 x i1> @"__zg_fcmp_olt_v16f32"(<16 x float> %{{.*}}, <16 x float> %{{.*}}) alwaysinline
// IR:         fcmp olt <16 x float>
