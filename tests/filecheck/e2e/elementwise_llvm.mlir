// LLVM IR of the whole pipeline for an elementwise chain with a 17-wide tail: one kernel
// (the chain is fused) of several programs, whose parallel body is outlined and run by
// ziggurat_parallel_for (a kernel of one program is not: it runs inline),
// vectors of the requested width, a masked tail, and the transcendentals as inlined
// polynomials (no libm calls).
// RUN: ziggurat-opt %s -p 'cpu-pipeline{vector-width=16}' -t llvm | filecheck %s --check-prefixes=CHECK,W16
// RUN: ziggurat-opt %s -p 'cpu-pipeline{vector-width=8}' -t llvm | filecheck %s --check-prefixes=CHECK,W8
// RUN: ziggurat-opt %s -p cpu-pipeline -t llvm | not grep -E '@"?(expf|tanhf|exp|tanh)"?\('

// CHECK:     define void @"f"(ptr noalias {{.*}}, ptr noalias {{.*}}, ptr noalias {{.*}})
// CHECK:       call ccc void @"ziggurat_parallel_for"({{.*}}@"f__par0"
// CHECK-NOT:   call ccc void @"ziggurat_parallel_for"
// CHECK:       ret void
// CHECK:     define internal void @"f__par0"(i64 {{.*}}, i64 {{.*}}, ptr noalias {{.*}})
// W16:         @"llvm.masked.load.v16f32.p0"
// W16:         @"__zg_tanh_v16f32"
// W16:         @"llvm.masked.store.v16f32.p0"
// W8:          @"llvm.masked.load.v8f32.p0"
// W8:          @"__zg_tanh_v8f32"
// W8:          @"llvm.masked.store.v8f32.p0"
// CHECK:     declare void @"ziggurat_parallel_for"(ptr {{.*}}, i64 {{.*}}, ptr {{.*}})
// RUN: ziggurat-opt %s -p cpu-pipeline -t llvm | filecheck %s --check-prefix=ONE
// ONE-LABEL: define void @"one_program"(
// ONE-NOT:     ziggurat_parallel_for
// ONE:         ret void
func.func @f(%x: tensor<300x17xf32>, %b: tensor<17xf32>) -> tensor<300x17xf32> {
  %0 = ztensor.add %x, %b : (tensor<300x17xf32>, tensor<17xf32>) -> tensor<300x17xf32>
  %1 = ztensor.tanh %0 : tensor<300x17xf32>
  %2 = ztensor.exp %1 : tensor<300x17xf32>
  %3 = ztensor.mul %2, %x : (tensor<300x17xf32>, tensor<300x17xf32>) -> tensor<300x17xf32>
  func.return %3 : tensor<300x17xf32>
}

func.func @one_program(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %0 = ztensor.exp %x : tensor<8x16xf32>
  func.return %0 : tensor<8x16xf32>
}
