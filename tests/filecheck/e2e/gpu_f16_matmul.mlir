// RUN: ziggurat-opt %s -p 'gpu-pipeline{arch=sm_90}' -t ptx | filecheck %s

// An f16 matmul with a bias and relu from ztensor to PTX: ztensor-to-ztile gives the f16 dot
// an f32 accumulator (64x64 tiles, K chunks of 32 over 100x90, K = 70: edge tiles), the dot
// runs on tensor cores, the epilogue computes in f32 and rounds to f16 once per op at the
// predicated 16-bit stores.
func.func @mm(%a: tensor<100x70xf16>, %b: tensor<70x90xf16>, %bias: tensor<90xf16>) -> tensor<100x90xf16> {
  %c = ztensor.matmul %a, %b : (tensor<100x70xf16>, tensor<70x90xf16>) -> tensor<100x90xf16>
  %d = ztensor.add %c, %bias : (tensor<100x90xf16>, tensor<90xf16>) -> tensor<100x90xf16>
  %r = ztensor.relu %d : tensor<100x90xf16>
  func.return %r : tensor<100x90xf16>
}

// CHECK:       .target sm_90
// CHECK-LABEL: .visible .entry mm_k0(
// CHECK:       @%p{{[0-9]+}} ld.global.u16
// CHECK:       ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK:       mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK:       cvt.rn.f16.f32
// CHECK:       @%p{{[0-9]+}} st.global.u16
// CHECK:       ret;
