// A pass defined in a user's .py file is loaded with --load-plugin and runs like a built-in.
// RUN: ziggurat-opt --load-plugin %S/../../../examples/custom_pass.py %s -p div-to-mul | filecheck %s
// RUN: ziggurat-opt --load-plugin %S/../../../examples/custom_pass.py --help | filecheck %s --check-prefix=HELP
// RUN: not ziggurat-opt --load-plugin %S/no-such-plugin.py %s 2>&1 | filecheck %s --check-prefix=MISSING

// HELP: div-to-mul
// MISSING: ziggurat-opt: error: plugin '{{.*}}no-such-plugin.py': no such file

// CHECK-LABEL: func.func @half
// CHECK: %[[R:.*]] = ztensor.constant dense<5.000000e-01> : tensor<f32>
// CHECK: ztensor.mul %x, %[[R]]
// CHECK-NOT: ztensor.div
func.func @half(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = ztensor.constant dense<2.0> : tensor<f32>
  %0 = ztensor.div %x, %c : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}
