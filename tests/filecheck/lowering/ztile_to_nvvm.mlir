// RUN: ziggurat-opt %s -p 'ztensor-to-ztile{target=gpu},ztile-to-nvvm' -t ptx | filecheck %s --check-prefix=PTX
// RUN: ziggurat-opt %s -p 'ztensor-to-ztile{target=gpu},ztile-to-nvvm' -t llvm | filecheck %s --check-prefix=IR
// RUN: ziggurat-opt %s -p 'ztensor-to-ztile{target=gpu},ztile-to-nvvm{arch=sm_90}' | filecheck %s --check-prefix=MLIR

// A matmul whose 64x64 output tiles and K chunks of 32 do not divide 100x90 (K = 70): edge
// tiles are masked per element, both operand tiles are staged in shared memory between
// barriers, and every thread accumulates its output elements with FMAs in a K loop.
func.func @mm(%a: tensor<100x70xf32>, %b: tensor<70x90xf32>) -> tensor<100x90xf32> {
  %c = ztensor.matmul %a, %b : (tensor<100x70xf32>, tensor<70x90xf32>) -> tensor<100x90xf32>
  func.return %c : tensor<100x90xf32>
}

// A row reduction: the tile goes through shared memory; its 4 rows take a warp each: every
// lane combines a strided share of NaN-propagating maxima in order, then the warp combines the
// partials with a shfl.sync.bfly butterfly (a fixed tree) and lane 0 writes the row's total.
func.func @rowmax(%x: tensor<6x300xf32>) -> tensor<6xf32> {
  %r = ztensor.reduce_max %x {axes = array<i64: 1>} : tensor<6x300xf32> -> tensor<6xf32>
  func.return %r : tensor<6xf32>
}

// An elementwise chain: per-thread only (no shared memory, no barrier), exp and tanh as the
// polynomials of llvm_math (FMAs, no libm call).
func.func @chain(%x: tensor<8x20xf32>, %y: tensor<8x20xf32>) -> tensor<8x20xf32> {
  %e = ztensor.exp %x : tensor<8x20xf32>
  %m = ztensor.mul %e, %y : (tensor<8x20xf32>, tensor<8x20xf32>) -> tensor<8x20xf32>
  %t = ztensor.tanh %m : tensor<8x20xf32>
  func.return %t : tensor<8x20xf32>
}

// PTX:       .target sm_80
// PTX-LABEL: .visible .entry mm_k0(
// PTX:       .shared .align 16 .b8 mm_k0_smem[16388];
// PTX:       ctaid
// PTX:       @%p{{[0-9]+}} ld.global.b32
// PTX:       bar.sync 0;
// PTX:       st.shared.b32
// PTX:       bar.sync 0;
// PTX:       ld.shared
// PTX:       fma.rn.f32
// PTX:       @%p{{[0-9]+}} bra
// PTX:       @%p{{[0-9]+}} st.global.b32
// PTX:       ret;
// PTX-LABEL: .visible .entry rowmax_k0(
// PTX:       @%p{{[0-9]+}} ld.global.b32
// PTX:       bar.sync 0;
// PTX:       bar.sync 0;
// PTX:       max.NaN.f32
// PTX:       shfl.sync.bfly.b32 {{.*}}, 16, 31, -1;
// PTX:       max.NaN.f32
// PTX:       shfl.sync.bfly.b32 {{.*}}, 1, 31, -1;
// PTX:       bar.sync 0;
// PTX:       @%p{{[0-9]+}} st.global.b32
// PTX-LABEL: .visible .entry chain_k0(
// PTX-NOT:   bar.sync
// PTX-NOT:   .shared
// PTX:       @%p{{[0-9]+}} ld.global.b32
// PTX:       fma.rn.f32
// PTX-NOT:   call
// PTX:       @%p{{[0-9]+}} st.global.b32
// PTX:       ret;

// IR-LABEL: define ptx_kernel void @"mm_k0"(float addrspace(1)* noalias %"buf0", float addrspace(1)* noalias %"buf1", float addrspace(1)* noalias %"buf2")
// IR:       call i32 @"llvm.nvvm.read.ptx.sreg.tid.x"()
// IR:       call i32 @"llvm.nvvm.read.ptx.sreg.ctaid.x"()
// IR:       call i32 @"llvm.nvvm.read.ptx.sreg.ctaid.y"()
// IR:       call i32 asm sideeffect "mov.b32 $0, $3; @$2 ld.global.b32 $0, [$1];", "=r,l,b,r"
// IR:       call void @"llvm.nvvm.barrier0"()
// IR:       store float {{.*}} addrspace(3)*
// IR:       call void @"llvm.nvvm.barrier0"()
// Blocks are laid out in creation order (the K loops' bodies after the code that follows
// them), so the rest is checked in any order:
// IR-DAG:   phi i64
// IR-DAG:   call float @"llvm.fma.f32"
// IR-DAG:   call void asm sideeffect "@$2 st.global.b32 [$1], $0;", "r,l,b"
// IR-DAG:   @"mm_k0_smem" = internal addrspace(3) global [4097 x float] undef, align 16
// IR-LABEL: define ptx_kernel void @"rowmax_k0"

// MLIR:      builtin.module attributes {
// MLIR-SAME: zg.gpu.llvm_ir = "
// MLIR-SAME: zg.gpu.manifest = "{\22arch\22: \22sm_90\22, \22functions\22: {\22chain\22:
// MLIR-SAME: \22mm\22: {\22buffers\22: [{\22dtype\22: \22f32\22, \22index\22: 0, \22kind\22: \22arg\22, \22shape\22: [100, 70]}, {\22dtype\22: \22f32\22, \22index\22: 1, \22kind\22: \22arg\22, \22shape\22: [70, 90]}, {\22dtype\22: \22f32\22, \22kind\22: \22alloc\22, \22shape\22: [100, 90]}], \22launches\22: [{\22args\22: [0, 1, 2], \22block\22: [128, 1, 1], \22grid\22: [2, 2, 1], \22kernel\22: \22mm_k0\22}], \22results\22: [2]}
// MLIR-NOT:  func.func
