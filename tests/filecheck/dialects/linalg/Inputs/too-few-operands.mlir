// A named op whose outs(...) is misspelled, so its body has no output (found by the fuzzer):
// xDSL 0.74 fails building the body with an IndexError.
func.func @mv(%a: tensor<6x5xf32>, %x: tensor<5xf32>, %y: tensor<6xf32>) -> tensor<6xf32> {
  %0 = linalg.matmul ins(%a, %x : tensor<6x5xf32>, tensor<5xf32>) outs3%y : tensor<6xf32>) -> tensor<6xf32>
  func.return %0 : tensor<6xf32>
}
