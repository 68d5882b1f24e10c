// Special values and empty tensors in dense literals round-trip exactly, in the custom and
// the generic form (xDSL's own parser reads `0x7F800000` as the integer 2139095040.0).
// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s -p canonicalize | filecheck %s

// CHECK-LABEL: func.func @special_values
func.func @special_values() -> (tensor<1000000xf32>, tensor<1000000xf64>, tensor<3xf32>, tensor<4xf32>, tensor<0xf32>) {
  // A hexadecimal element of a float type is its bit pattern (how infinities print).
  // CHECK-NEXT: %inf = ztensor.constant dense<0x7f800000> : tensor<1000000xf32>
  %inf = ztensor.constant dense<0x7F800000> : tensor<1000000xf32>
  // CHECK-NEXT: %nan = ztensor.constant dense<0x7ff8000000000000> : tensor<1000000xf64>
  %nan = ztensor.constant dense<0x7FF8000000000000> : tensor<1000000xf64>
  // CHECK-NEXT: %mixed = ztensor.constant dense<[0xff800000, -0.000000e+00, 0.000000e+00]> : tensor<3xf32>
  %mixed = ztensor.constant dense<[0xFF800000, -0.0, 0.0]> : tensor<3xf32>
  // CHECK-NEXT: %ninf = ztensor.constant dense<0xff800000> : tensor<4xf32>
  %ninf = ztensor.constant dense<0xFF800000> : tensor<4xf32>
  // CHECK-NEXT: %empty = ztensor.constant dense<> : tensor<0xf32>
  %empty = ztensor.constant dense<> : tensor<0xf32>
  func.return %inf, %nan, %mixed, %ninf, %empty : tensor<1000000xf32>, tensor<1000000xf64>, tensor<3xf32>, tensor<4xf32>, tensor<0xf32>
}
