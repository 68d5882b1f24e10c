// Splat constants are held once (one element, whatever the shape) and print back as
// `dense<x>`: in the custom and the generic form, through canonicalize and down to LLVM IR.
// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: ziggurat-opt %s -p canonicalize | filecheck %s --check-prefix=CANON
// RUN: ziggurat-opt %s -p cpu-pipeline -t llvm | filecheck %s --check-prefix=LLVM

// CHECK-LABEL: func.func @huge_splats
// GENERIC-LABEL: "func.func"() <{sym_name = "huge_splats"
// CANON-LABEL: func.func @huge_splats
func.func @huge_splats(%x: tensor<1099511627776xf32>) -> tensor<1099511627776xf32> {
  // CHECK-NEXT: %c = ztensor.constant dense<1.500000e+00> : tensor<1099511627776xf32>
  // GENERIC: %c = "ztensor.constant"() {value = dense<1.500000e+00> : tensor<1099511627776xf32>} : () -> tensor<1099511627776xf32>
  %c = ztensor.constant dense<1.5> : tensor<1099511627776xf32>
  // CHECK-NEXT: %z = ztensor.constant dense<-0.000000e+00> : tensor<1099511627776xf32>
  // GENERIC: value = dense<-0.000000e+00> : tensor<1099511627776xf32>
  %z = ztensor.constant dense<-0.0> : tensor<1099511627776xf32>
  // CHECK-NEXT: %h = ztensor.constant dense<1.000000e+00> : tensor<2147483648xf32>
  %h = ztensor.constant dense<"0x0000803F"> : tensor<2147483648xf32>
  // The largest f32 tensor whose bytes fit the index range: (2^63-1) / 4 elements.
  // CHECK-NEXT: %m = ztensor.constant dense<2.000000e+00> : tensor<2305843009213693951xf32>
  %m = ztensor.constant dense<2.0> : tensor<2305843009213693951xf32>
  %a = ztensor.add %x, %c : (tensor<1099511627776xf32>, tensor<1099511627776xf32>) -> tensor<1099511627776xf32>
  %b = ztensor.add %a, %z : (tensor<1099511627776xf32>, tensor<1099511627776xf32>) -> tensor<1099511627776xf32>
  %d = ztensor.mul %c, %c : (tensor<1099511627776xf32>, tensor<1099511627776xf32>) -> tensor<1099511627776xf32>
  %e = ztensor.sub %b, %d : (tensor<1099511627776xf32>, tensor<1099511627776xf32>) -> tensor<1099511627776xf32>
  // CANON-NEXT: %c = ztensor.constant dense<1.500000e+00> : tensor<1099511627776xf32>
  // CANON-NEXT: %a = ztensor.add %x, %c
  // CANON-NEXT: %d = ztensor.constant dense<2.250000e+00> : tensor<1099511627776xf32>
  // CANON-NEXT: %e = ztensor.sub %a, %d
  // CANON-NEXT: func.return %e
  func.return %e : tensor<1099511627776xf32>
}

// The kernel reads the splats as scalars: no buffer of 2^40 constants anywhere; one program
// per 256-element tile (2^32 of them, every one in bounds).
// LLVM-LABEL: define void @"huge_splats"
// LLVM-NOT: 4398046511104
// LLVM: i64 4294967296,
