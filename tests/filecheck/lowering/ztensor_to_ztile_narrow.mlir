// RUN: ziggurat-opt %s -p ztensor-to-ztile | filecheck %s
// RUN: ziggurat-opt %s -p cpu-pipeline -t llvm | filecheck %s --check-prefix=LLVM

// f16/bf16 matmuls accumulate in an f32 tile and round once; reductions compute in f32 after
// their prologue and round once at the store.

// CHECK-LABEL: func.func @matmul
// CHECK:         ztile.splat %{{.*}} : f32 -> !ztile.tile<[[ACC:.*xf32]]>
// CHECK:         ztile.dot %{{.*}}, %{{.*}}, %{{.*}} : !ztile.tile<{{.*}}xf16>, !ztile.tile<{{.*}}xf16>, !ztile.tile<[[ACC]]> -> !ztile.tile<[[ACC]]>
// CHECK:         %[[R:.*]] = ztile.cast %{{.*}} : !ztile.tile<[[ACC]]> -> !ztile.tile<{{.*}}xf16>
// CHECK:         ztile.relu %[[R]]
// LLVM-LABEL: define void @"matmul"
// LLVM:         fpext <16 x half>
// LLVM:         @"llvm.fma.v16f32"
// LLVM:         fptrunc <16 x float> %{{.*}} to <16 x half>
func.func @matmul(%a: tensor<33x65xf16>, %b: tensor<65x20xf16>) -> tensor<33x20xf16> {
  %m = ztensor.matmul %a, %b : (tensor<33x65xf16>, tensor<65x20xf16>) -> tensor<33x20xf16>
  %r = ztensor.relu %m : tensor<33x20xf16>
  func.return %r : tensor<33x20xf16>
}

// CHECK-LABEL: func.func @mean
// CHECK:         %[[T:.*]] = ztile.load %{{.*}} -> !ztile.tile<{{.*}}xbf16>
// CHECK:         %[[N:.*]] = ztile.neg %[[T]] : !ztile.tile<{{.*}}xbf16>
// CHECK:         %[[W:.*]] = ztile.cast %[[N]] : !ztile.tile<{{.*}}xbf16> -> !ztile.tile<{{.*}}xf32>
// CHECK:         ztile.reduce "sum" %[[W]]
// CHECK:         %[[D:.*]] = ztile.div %{{.*}}, %{{.*}} : !ztile.tile<{{.*}}xf32>
// CHECK:         %[[O:.*]] = ztile.cast %[[D]] : !ztile.tile<{{.*}}xf32> -> !ztile.tile<{{.*}}xbf16>
// CHECK:         ztile.store %[[O]]
// LLVM-LABEL: define void @"mean"
// LLVM:         bfloat
func.func @mean(%x: tensor<7x13xbf16>) -> tensor<7xbf16> {
  %n = ztensor.neg %x : tensor<7x13xbf16>
  %m = ztensor.reduce_mean %n {axes = array<i64: 1>, keepdims = false} : tensor<7x13xbf16> -> tensor<7xbf16>
  func.return %m : tensor<7xbf16>
}
