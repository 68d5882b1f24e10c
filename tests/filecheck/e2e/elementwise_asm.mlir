// The O3 assembly of a fused elementwise kernel (tanh(x + b) * x) uses 512-bit zmm
// registers for an AVX-512 target and only 256-bit ymm registers for an AVX2 target
// (`-t asm` compiles for $ZIGGURAT_TARGET at the opt level cpu-pipeline recorded).
// RUN: env ZIGGURAT_TARGET=avx512 ziggurat-opt %s -p 'cpu-pipeline{opt-level=3}' -t asm | filecheck %s --check-prefix=AVX512
// RUN: env ZIGGURAT_TARGET=avx2 ziggurat-opt %s -p 'cpu-pipeline{opt-level=3}' -t asm | filecheck %s --check-prefix=AVX2
// RUN: env ZIGGURAT_TARGET=avx2 ziggurat-opt %s -p 'cpu-pipeline{opt-level=3}' -t asm | not grep zmm

// AVX512-LABEL: f:
// AVX512-LABEL: f__par0:
// AVX512:       vfmadd{{[0-9]+}}ps {{.*}}%zmm
// AVX512:       vmulps {{.*}}%zmm

// AVX2-LABEL: f:
// AVX2-LABEL: f__par0:
// AVX2:       vfmadd{{[0-9]+}}ps {{.*}}%ymm
// AVX2:       vmulps {{.*}}%ymm
func.func @f(%x: tensor<64x256xf32>, %b: tensor<256xf32>) -> tensor<64x256xf32> {
  %0 = ztensor.add %x, %b : (tensor<64x256xf32>, tensor<256xf32>) -> tensor<64x256xf32>
  %1 = ztensor.tanh %0 : tensor<64x256xf32>
  %2 = ztensor.mul %1, %x : (tensor<64x256xf32>, tensor<64x256xf32>) -> tensor<64x256xf32>
  func.return %2 : tensor<64x256xf32>
}
