// RUN: ziggurat-opt %s -p 'ztile-to-nvvm{arch=sm_90}' -t ptx | filecheck %s --check-prefix=PTX
// RUN: ziggurat-opt %s -p 'ztile-to-nvvm' -t llvm | filecheck %s --check-prefix=IR

// An f16 matmul at the tile level, as ztensor-to-ztile lowers one: 64x64 output tiles and K
// chunks of 32 that do not divide 100x90 (K = 70), 16-bit tiles widened to f32 around the
// dot, the f32 accumulator rounded to f16 once at the store. The tile shapes are multiples of
// m16n8k16, so the dot runs on tensor cores: the 16-bit operands (not their f32 casts) are
// staged in shared memory, each warp loads its fragments with ldmatrix and issues mma.sync
// per 16x8 fragment and K step of 16.
func.func @mm(%a: tensor<100x70xf16>, %b: tensor<70x90xf16>) -> tensor<100x90xf16> {
  %0 = bufferization.to_buffer %a : tensor<100x70xf16> to memref<100x70xf16>
  %1 = bufferization.to_buffer %b : tensor<70x90xf16> to memref<70x90xf16>
  %2 = memref.alloc() : memref<100x90xf16>
  ztile.grid [2, 2] {
    %3 = ztile.program_id 0 : index
    %4 = ztile.program_id 1 : index
    %5 = arith.constant 64 : index
    %6 = arith.muli %3, %5 : index
    %7 = arith.muli %4, %5 : index
    %8 = arith.constant 0 : index
    %9 = arith.constant 0.000000e+00 : f32
    %10 = ztile.splat %9 : f32 -> !ztile.tile<64x64xf32>
    %11 = arith.constant 70 : index
    %12 = arith.constant 32 : index
    %13 = scf.for %14 = %8 to %11 step %12 iter_args(%15 = %10) -> (!ztile.tile<64x64xf32>) {
      %16 = ztile.load %0[%6, %14] {padding = 0.000000e+00 : f16} : memref<100x70xf16> -> !ztile.tile<64x32xf16>
      %17 = ztile.load %1[%14, %7] {padding = 0.000000e+00 : f16} : memref<70x90xf16> -> !ztile.tile<32x64xf16>
      %a32 = ztile.cast %16 : !ztile.tile<64x32xf16> -> !ztile.tile<64x32xf32>
      %b32 = ztile.cast %17 : !ztile.tile<32x64xf16> -> !ztile.tile<32x64xf32>
      %18 = ztile.dot %a32, %b32, %15 : !ztile.tile<64x32xf32>, !ztile.tile<32x64xf32>, !ztile.tile<64x64xf32> -> !ztile.tile<64x64xf32>
      scf.yield %18 : !ztile.tile<64x64xf32>
    }
    %h = ztile.cast %13 : !ztile.tile<64x64xf32> -> !ztile.tile<64x64xf16>
    ztile.store %h, %2[%6, %7] : !ztile.tile<64x64xf16>, memref<100x90xf16>
    ztile.yield
  }
  %c = bufferization.to_tensor %2 : memref<100x90xf16> to tensor<100x90xf16>
  func.return %c : tensor<100x90xf16>
}

// PTX:       .target sm_90
// PTX-LABEL: .visible .entry mm_k0(
// PTX:       .shared .align 16 .b8 mm_k0_smem[26632];
// PTX:       @%p{{[0-9]+}} ld.global.u16
// PTX:       bar.sync 0;
// PTX:       st.shared.b16
// PTX:       bar.sync 0;
// PTX:       ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX:       ldmatrix.sync.aligned.m8n8.x2.shared.b16
// PTX:       mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX:       bar.sync 0;
// PTX:       cvt.rn.f16.f32
// PTX:       @%p{{[0-9]+}} st.global.u16
// PTX:       ret;

// IR-LABEL: define ptx_kernel void @"mm_k0"(half addrspace(1)* noalias %"buf0", half addrspace(1)* noalias %"buf1", half addrspace(1)* noalias %"buf2")
// IR:       call i32 asm sideeffect "mov.b32 $0, $3; @$2 ld.global.u16 $0, [$1];"
// IR:       bitcast i32 {{.*}} to <2 x half>
// IR:       call {float, float, float, float} @"llvm.nvvm.mma.m16n8k16.row.col.f32.f32"(<2 x half>
// IR:       fptrunc float {{.*}} to half
// IR:       call void asm sideeffect "@$2 st.global.u16 [$1], $0;"
