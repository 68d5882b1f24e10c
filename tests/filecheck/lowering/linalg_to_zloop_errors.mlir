// What the loop fallback cannot lower: a located "not supported" error at the op, naming what
// is missing, before anything is rewritten.
// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics -p linalg-to-zloop

func.func @dynamic(%x: tensor<?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error@+1 {{'linalg.add' op is not supported by linalg-to-zloop: tensor<?xf32> has dynamic dimensions ('?')}}
  %r = linalg.add ins(%x, %x : tensor<?xf32>, tensor<?xf32>) outs(%y : tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

func.func @on_memrefs(%x: memref<4xf32>, %y: memref<4xf32>) {
  // expected-error@+1 {{'linalg.generic' op is not supported by linalg-to-zloop: it works on memrefs (the fallback lowers linalg on tensors)}}
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : memref<4xf32>) outs(%y : memref<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}

// -----

func.func @unknown_body_op(%x: tensor<4xf32>) -> tensor<4xi32> {
  %e = tensor.empty() : tensor<4xi32>
  // expected-error@+1 {{'linalg.generic' op is not supported by linalg-to-zloop: the body op 'arith.fptosi' has no loop lowering}}
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%e : tensor<4xi32>) {
  ^bb0(%a: f32, %o: i32):
    %i = arith.fptosi %a : f32 to i32
    linalg.yield %i : i32
  } -> tensor<4xi32>
  return %r : tensor<4xi32>
}

// -----

func.func @element_type(%x: tensor<4xf16>) -> tensor<4xf16> {
  // expected-error@+1 {{'tensor.empty' op is not supported by linalg-to-zloop: tensor<4xf16> holds f16 elements (it lowers f32, f64, i1, i8 to i64)}}
  %e = tensor.empty() : tensor<4xf16>
  %r = linalg.exp ins(%x : tensor<4xf16>) outs(%e : tensor<4xf16>) -> tensor<4xf16>
  return %r : tensor<4xf16>
}

// -----

func.func @uninitialized() -> tensor<4xf32> {
  // expected-error@+1 {{'tensor.empty' op is not supported by linalg-to-zloop: an uninitialized tensor is only compiled as the init of a linalg op that overwrites it, not read by 'func.return'}}
  %e = tensor.empty() : tensor<4xf32>
  return %e : tensor<4xf32>
}

// -----

func.func @other_tensor_op(%x: tensor<4xf32>) -> tensor<2xf32> {
  // expected-error@+1 {{'tensor.extract_slice' op is not supported by linalg-to-zloop: 'tensor.extract_slice' has no loop lowering}}
  %r = tensor.extract_slice %x[0] [2] [1] : tensor<4xf32> to tensor<2xf32>
  return %r : tensor<2xf32>
}

// -----

// Indices beyond an operand's extent (xDSL's verifier does not bound `mod`): refused, rather
// than loads outside the buffer.
func.func @out_of_bounds(%x: tensor<4xf32>) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  // expected-error@+1 {{'linalg.generic' op is not supported by linalg-to-zloop: indexing map (d0) -> ((d0 mod 6)) reaches indices 0 to 5 of dim 0 of tensor<4xf32> (out of bounds)}}
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0 mod 6)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<8xf32>
  return %r : tensor<8xf32>
}
