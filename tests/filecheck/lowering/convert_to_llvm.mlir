// RUN: ziggurat-opt %s -p convert-to-llvm | filecheck %s
// RUN: ziggurat-opt %s -p convert-to-llvm -t llvm | filecheck %s --check-prefix=IR

// CHECK-LABEL: llvm.func @axpy(%{{.*}}: !llvm.ptr {llvm.noalias}, %{{.*}}: !llvm.ptr {llvm.noalias})
// CHECK:         llvm.br ^[[HEAD:.*]](%{{.*}} : i64)
// CHECK:       ^[[HEAD]](%[[I:.*]]: i64):
// CHECK:         llvm.icmp "slt" %[[I]], %{{.*}} : i64
// CHECK:         llvm.cond_br
// CHECK:         llvm.getelementptr inbounds %{{.*}}[%[[I]]] : (!llvm.ptr, i64) -> !llvm.ptr, f32
// CHECK:         llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr -> vector<16xf32>
// CHECK:         llvm.call_intrinsic "llvm.fma.v16f32"
// CHECK:         llvm.call @__zg_exp_v16f32(%{{.*}}) : (vector<16xf32>) -> vector<16xf32>
// CHECK:         llvm.fadd %{{.*}}, %{{.*}} {fastmathFlags = #llvm.fastmath<contract>} : vector<16xf32>
// CHECK:         llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : vector<16xf32>, !llvm.ptr

// IR:      define void @"axpy"(ptr noalias %".1", ptr noalias %".2")
// IR:        call <16 x float> @"llvm.fma.v16f32"
// IR:      define internal <16 x float> @"__zg_exp_v16f32"(<16 x float> %".1") alwaysinline nounwind
// IR-NOT:  target triple
func.func @axpy(%x: memref<64xf32>, %y: memref<64xf32>) {
  %a = arith.constant dense<3.0> : vector<16xf32>
  zloop.for %i = 0 to 64 step 16 {
    %xv = vector.load %x[%i] : memref<64xf32>, vector<16xf32>
    %yv = vector.load %y[%i] : memref<64xf32>, vector<16xf32>
    %r = vector.fma %a, %xv, %yv : vector<16xf32>
    %e = math.exp %r : vector<16xf32>
    %s = arith.addf %e, %yv : vector<16xf32>
    vector.store %s, %y[%i] : memref<64xf32>, vector<16xf32>
  }
  func.return
}

// CHECK-LABEL: llvm.func @par(
// CHECK:         %[[CTX:.*]] = llvm.alloca %{{.*}} x i8 {alignment = 8 : i64} : (i64) -> !llvm.ptr
// CHECK:         llvm.store %{{.*}}, %{{.*}} {alignment = 8 : i64} : !llvm.ptr, !llvm.ptr
// CHECK:         %[[FN:.*]] = llvm.mlir.addressof @par__par0 : !llvm.ptr
// CHECK:         llvm.call @ziggurat_parallel_for(%[[FN]], %{{.*}}, %[[CTX]]) : (!llvm.ptr, i64, !llvm.ptr) -> ()
// CHECK:       llvm.func internal @par__par0(%{{.*}}: i64, %{{.*}}: i64, %{{.*}}: !llvm.ptr {llvm.noalias})
// CHECK:         llvm.srem
// CHECK:         llvm.sdiv
// CHECK:         llvm.call @aligned_alloc
// CHECK:         llvm.call @free
// CHECK:       llvm.func @__zg_exp_v16f32(vector<16xf32>) -> vector<16xf32>
// CHECK-NEXT:  llvm.func @aligned_alloc(i64, i64) -> !llvm.ptr
// CHECK-NEXT:  llvm.func @free(!llvm.ptr)
// CHECK-NEXT:  llvm.func @ziggurat_parallel_for(!llvm.ptr, i64, !llvm.ptr)
func.func @par(%a: memref<8x16xf32>) {
  %two = arith.constant 2.0 : f32
  zloop.parallel (%i, %j) = (0, 0) to (8, 16) step (1, 4) {
    %t = memref.alloc() : memref<4xf32>
    %x = memref.load %a[%i, %j] : memref<8x16xf32>
    %y = arith.mulf %x, %two : f32
    memref.store %y, %a[%i, %j] : memref<8x16xf32>
    memref.dealloc %t : memref<4xf32>
  }
  func.return
}
