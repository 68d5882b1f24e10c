// RUN: ziggurat-opt %s -p 'ztensor-to-ztile{profile=true}' | filecheck %s
// RUN: ziggurat-opt %s -p 'cpu-pipeline{profile=true}' -t llvm | filecheck %s --check-prefix=LLVM
// RUN: ziggurat-opt %s -p ztensor-to-ztile | filecheck %s --check-prefix=PLAIN

// profile=true brackets each kernel by ziggurat_profile_mark(2k) and (2k + 1), in block
// order, and describes the kernels on the function: here a matmul kernel, then a reduction
// whose prologue is the add and the tanh. The reshape is a view: no kernel, no marks.

// CHECK-LABEL: func.func @f
// CHECK-SAME:    ziggurat.profile_kernels = "[{\22kind\22: \22matmul_epilogue\22, \22ops\22: [{\22op\22: \22ztensor.matmul\22
// CHECK-SAME:    {\22kind\22: \22reduction\22, \22ops\22: [{\22op\22: \22ztensor.add\22
// CHECK-SAME:    \22reads\22: [{{\[}}{{\[}}64, 16], \22f32\22], {{\[}}{{\[}}64, 16], \22f32\22]], \22output\22: {{\[}}{{\[}}64], \22f32\22]}]"
// CHECK:         %[[M0:.*]] = arith.constant 0 : i64
// CHECK-NEXT:    func.call @ziggurat_profile_mark(%[[M0]]) : (i64) -> ()
// CHECK:         ztile.grid
// CHECK:         ztile.dot
// CHECK:         %[[M1:.*]] = arith.constant 1 : i64
// CHECK-NEXT:    func.call @ziggurat_profile_mark(%[[M1]])
// CHECK-NEXT:    %[[M2:.*]] = arith.constant 2 : i64
// CHECK-NEXT:    func.call @ziggurat_profile_mark(%[[M2]])
// CHECK:         ztile.grid
// CHECK:         ztile.tanh
// CHECK:         %[[M3:.*]] = arith.constant 3 : i64
// CHECK-NEXT:    func.call @ziggurat_profile_mark(%[[M3]])
// CHECK-NOT:     ziggurat_profile_mark
// CHECK:         func.return
// CHECK:       func.func private @ziggurat_profile_mark(i64) -> ()

// LLVM:      call ccc void @"ziggurat_profile_mark"(i64 0)
// LLVM:      call ccc void @"ziggurat_profile_mark"(i64 1)
// LLVM-NEXT: call ccc void @"ziggurat_profile_mark"(i64 2)
// LLVM:      call ccc void @"ziggurat_profile_mark"(i64 3)
// LLVM:      declare void @"ziggurat_profile_mark"(i64

// PLAIN-NOT: ziggurat_profile_mark
// PLAIN-NOT: profile_kernels

func.func @f(%a: tensor<64x32xf32>, %b: tensor<32x16xf32>, %c: tensor<64x16xf32>) -> tensor<8x8xf32> {
  %m = ztensor.matmul %a, %b : (tensor<64x32xf32>, tensor<32x16xf32>) -> tensor<64x16xf32>
  %s = ztensor.add %m, %c : (tensor<64x16xf32>, tensor<64x16xf32>) -> tensor<64x16xf32>
  %t = ztensor.tanh %s : tensor<64x16xf32>
  %r = ztensor.reduce_sum %t {axes = array<i64: 1>, keepdims = false} : tensor<64x16xf32> -> tensor<64xf32>
  %v = ztensor.reshape %r : tensor<64xf32> -> tensor<8x8xf32>
  func.return %v : tensor<8x8xf32>
}
