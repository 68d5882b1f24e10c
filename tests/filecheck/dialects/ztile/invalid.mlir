// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

func.func @f(%m: memref<8x8xf32>) {
  ztile.grid [2] {
    %c0 = arith.constant 0 : index
    %a = ztile.load %m[%c0, %c0] : memref<8x8xf32> -> !ztile.tile<4x8xf32>
    %b = ztile.load %m[%c0, %c0] : memref<8x8xf32> -> !ztile.tile<4x8xf32>
    %c = ztile.load %m[%c0, %c0] : memref<8x8xf32> -> !ztile.tile<4x8xf32>
    // expected-error@+1 {{'ztile.dot' op expects lhs columns (8) to equal rhs rows (4)}}
    %d = ztile.dot %a, %b, %c : !ztile.tile<4x8xf32>, !ztile.tile<4x8xf32>, !ztile.tile<4x8xf32> -> !ztile.tile<4x8xf32>
  }
  func.return
}

// -----

func.func @f(%m: memref<8x8xf32>) {
  ztile.grid [2] {
    %c0 = arith.constant 0 : index
    %a = ztile.load %m[%c0, %c0] : memref<8x8xf32> -> !ztile.tile<4x8xf32>
    %b = ztile.load %m[%c0, %c0] : memref<8x8xf32> -> !ztile.tile<8x8xf32>
    // expected-error@+1 {{'ztile.dot' op expects an accumulator of shape 4x8, got 8x8}}
    %d = ztile.dot %a, %b, %b : !ztile.tile<4x8xf32>, !ztile.tile<8x8xf32>, !ztile.tile<8x8xf32> -> !ztile.tile<8x8xf32>
  }
  func.return
}

// -----

func.func @f(%m: memref<8x8xf32>) {
  ztile.grid [2] {
    %c0 = arith.constant 0 : index
    // expected-error@+1 {{'ztile.load' op expects 2 indices for memref<8x8xf32>, got 1}}
    %a = ztile.load %m[%c0] : memref<8x8xf32> -> !ztile.tile<4x8xf32>
  }
  func.return
}

// -----

func.func @f(%m: memref<8x8xf32>) {
  ztile.grid [2] {
    %c0 = arith.constant 0 : index
    // expected-error@+1 {{'ztile.load' op expects the tile rank (1) to equal the memref rank (2)}}
    %a = ztile.load %m[%c0, %c0] : memref<8x8xf32> -> !ztile.tile<8xf32>
  }
  func.return
}

// -----

func.func @f(%m: memref<8x8xf32>) {
  ztile.grid [2] {
    %c0 = arith.constant 0 : index
    // expected-error@+1 {{'ztile.load' op expects padding of type f32, got f64}}
    %a = ztile.load %m[%c0, %c0] {padding = 0.0 : f64} : memref<8x8xf32> -> !ztile.tile<4x8xf32>
  }
  func.return
}

// -----

func.func @f(%m: memref<8x8xf64>) {
  ztile.grid [2] {
    %c0 = arith.constant 0 : index
    // expected-error@+1 {{'ztile.load' op expects the tile element type f32 to equal the memref element type f64}}
    %a = ztile.load %m[%c0, %c0] : memref<8x8xf64> -> !ztile.tile<4x8xf32>
  }
  func.return
}

// -----

func.func @f(%m: memref<8x8xf32>) {
  ztile.grid [2] {
    %c0 = arith.constant 0 : index
    %a = ztile.load %m[%c0, %c0] : memref<8x8xf32> -> !ztile.tile<4x8xf32>
    // expected-error@+1 {{'ztile.store' op expects 2 indices for memref<8x8xf32>, got 3}}
    ztile.store %a, %m[%c0, %c0, %c0] : !ztile.tile<4x8xf32>, memref<8x8xf32>
  }
  func.return
}

// -----

func.func @f(%m: memref<8x8xf32>) {
  ztile.grid [2] {
    %c0 = arith.constant 0 : index
    %a = ztile.load %m[%c0, %c0] : memref<8x8xf32> -> !ztile.tile<4x8xf32>
    // expected-error@+1 {{'ztile.reduce' op expects kind "sum" or "max", got "min"}}
    %r = ztile.reduce "min" %a {axis = 1 : i64} : !ztile.tile<4x8xf32> -> !ztile.tile<4x1xf32>
  }
  func.return
}

// -----

func.func @f(%m: memref<8x8xf32>) {
  ztile.grid [2] {
    %c0 = arith.constant 0 : index
    %a = ztile.load %m[%c0, %c0] : memref<8x8xf32> -> !ztile.tile<4x8xf32>
    // expected-error@+1 {{'ztile.reduce' op expects result type !ztile.tile<4x1xf32>, got !ztile.tile<4xf32>}}
    %r = ztile.reduce "sum" %a {axis = 1 : i64} : !ztile.tile<4x8xf32> -> !ztile.tile<4xf32>
  }
  func.return
}

// -----

func.func @f(%m: memref<8x8xf32>) {
  ztile.grid [2] {
    %c0 = arith.constant 0 : index
    %a = ztile.load %m[%c0, %c0] : memref<8x8xf32> -> !ztile.tile<4x8xf32>
    // expected-error@+1 {{'ztile.reduce' op axis 2 is out of range for a tile of rank 2}}
    %r = ztile.reduce "sum" %a {axis = 2 : i64} : !ztile.tile<4x8xf32> -> !ztile.tile<4x1xf32>
  }
  func.return
}

// -----

func.func @f(%m: memref<8x8xf32>) {
  ztile.grid [2] {
    %c0 = arith.constant 0 : index
    %a = ztile.load %m[%c0, %c0] : memref<8x8xf32> -> !ztile.tile<4x8xf32>
    // expected-error@+1 {{'ztile.broadcast' op cannot broadcast a 4x8 tile to 8x8}}
    %b = ztile.broadcast %a : !ztile.tile<4x8xf32> -> !ztile.tile<8x8xf32>
  }
  func.return
}

// -----

func.func @f(%x: f64) {
  ztile.grid [2] {
    // expected-error@+1 {{'ztile.splat' op expects a scalar of the tile's element type f32, got f64}}
    %s = ztile.splat %x : f64 -> !ztile.tile<4x8xf32>
  }
  func.return
}

// -----

func.func @f(%m: memref<8x8xf32>) {
  ztile.grid [2] {
    %c0 = arith.constant 0 : index
    %a = ztile.load %m[%c0, %c0] : memref<8x8xf32> -> !ztile.tile<4x8xf32>
    // expected-error@+1 {{'ztile.transpose' op permutation [0, 0] is not a permutation of [0, 2)}}
    %t = ztile.transpose %a {permutation = array<i64: 0, 0>} : !ztile.tile<4x8xf32> -> !ztile.tile<4x8xf32>
  }
  func.return
}

// -----

func.func @f(%m: memref<8x8xf32>) {
  ztile.grid [2] {
    %c0 = arith.constant 0 : index
    %a = ztile.load %m[%c0, %c0] : memref<8x8xf32> -> !ztile.tile<4x8xf32>
    // expected-error@+1 {{'ztile.transpose' op expects result type !ztile.tile<8x4xf32>, got !ztile.tile<4x8xf32>}}
    %t = ztile.transpose %a {permutation = array<i64: 1, 0>} : !ztile.tile<4x8xf32> -> !ztile.tile<4x8xf32>
  }
  func.return
}

// -----

func.func @f() {
  ztile.grid [2] {
    // expected-error@+1 {{'ztile.program_id' op axis 1 is out of range for a grid of rank 1}}
    %p = ztile.program_id 1 : index
  }
  func.return
}

// -----

func.func @f() {
  // expected-error@+1 {{'ztile.program_id' op expects to be inside a 'ztile.grid'}}
  %p = ztile.program_id 0 : index
  func.return
}

// -----

func.func @f() {
  // expected-error@+1 {{'ztile.grid' op expects every grid size to be >= 1, got [2, 0]}}
  ztile.grid [2, 0] {
  }
  func.return
}

// -----

func.func @f() {
  // expected-error@+1 {{'ztile.grid' op expects 1 to 3 grid axes, got 4}}
  ztile.grid [1, 1, 1, 1] {
  }
  func.return
}

// -----

func.func @f(%m: memref<8x8xf32>) {
  ztile.grid [2] {
    %c0 = arith.constant 0 : index
    %a = ztile.load %m[%c0, %c0] : memref<8x8xf32> -> !ztile.tile<4x8xf32>
    // expected-error@+1 {{operand 'rhs' at position 1 does not verify}}
    %b = "ztile.add"(%a, %m) : (!ztile.tile<4x8xf32>, memref<8x8xf32>) -> !ztile.tile<4x8xf32>
  }
  func.return
}

// -----

func.func @f(%m: memref<8x8xf32>) {
  ztile.grid [2] {
    %c0 = arith.constant 0 : index
    // expected-error@+1 {{'ztile.exp' op expects the operand to be a !ztile.tile, got memref<8x8xf32>}}
    %b = ztile.exp %m : memref<8x8xf32>
  }
  func.return
}

// -----

// expected-error@+1 {{'ztile.tile' type expects an f16, bf16, f32, f64 or i1 element type, got i32}}
func.func @f(%t: !ztile.tile<4x8xi32>) {
  func.return
}

// -----

func.func @f(%t: !ztile.tile<4x8xi1>) {
  // expected-error@+1 {{'ztile.neg' op expects the operand to be a tile of f16, bf16, f32 or f64, got !ztile.tile<4x8xi1>}}
  %n = ztile.neg %t : !ztile.tile<4x8xi1>
  func.return
}

// -----

func.func @f(%t: !ztile.tile<4x8xi1>) {
  // expected-error@+1 {{'ztile.reduce' op expects the operand to be a tile of f16, bf16, f32 or f64, got !ztile.tile<4x8xi1>}}
  %r = ztile.reduce "max" %t {axis = 1 : i64} : !ztile.tile<4x8xi1> -> !ztile.tile<4x1xi1>
  func.return
}

// -----

func.func @f(%m: memref<8x8xi1>) {
  ztile.grid [1] {
    %c0 = arith.constant 0 : index
    // expected-error@+1 {{'ztile.load' op expects padding of type i1, got f32}}
    %t = ztile.load %m[%c0, %c0] {padding = 0.0 : f32} : memref<8x8xi1> -> !ztile.tile<8x8xi1>
  }
  func.return
}

// -----

func.func @f(%t: !ztile.tile<4x8xi1>) {
  // expected-error@+1 {{'ztile.cmp' op expects operands to be a tile of f16, bf16, f32 or f64, got !ztile.tile<4x8xi1>}}
  %c = ztile.cmp "olt" %t, %t : !ztile.tile<4x8xi1> -> !ztile.tile<4x8xi1>
  func.return
}

// -----

func.func @f(%t: !ztile.tile<4x8xf32>) {
  // expected-error@+1 {{'ztile.cmp' op expects result type !ztile.tile<4x8xi1>, got !ztile.tile<4x8xf32>}}
  %c = ztile.cmp "olt" %t, %t : !ztile.tile<4x8xf32> -> !ztile.tile<4x8xf32>
  func.return
}

// -----

func.func @f(%c: !ztile.tile<4x4xi1>, %t: !ztile.tile<4x8xf32>) {
  // expected-error@+1 {{'ztile.select' op expects a condition of type !ztile.tile<4x8xi1>, got !ztile.tile<4x4xi1>}}
  %s = ztile.select %c, %t, %t : !ztile.tile<4x4xi1>, !ztile.tile<4x8xf32>
  func.return
}

// -----

func.func @f(%m: memref<8x8xf32>) {
  ztile.grid [2] {
    %c0 = arith.constant 0 : index
    %a = ztile.load %m[%c0, %c0] : memref<8x8xf32> -> !ztile.tile<4x8xf32>
    // expected-error@+1 {{'ztile.cast' op cannot change the shape: 4x8 -> 8x4}}
    %b = ztile.cast %a : !ztile.tile<4x8xf32> -> !ztile.tile<8x4xf64>
  }
  func.return
}

// -----

func.func @f(%m: memref<8x8xf32>) {
  ztile.grid [2] {
    %c0 = arith.constant 0 : index
    %a = ztile.load %m[%c0, %c0] : memref<8x8xf32> -> !ztile.tile<4x8xf32>
    %b = ztile.load %m[%c0, %c0] : memref<8x8xf32> -> !ztile.tile<4x8xf32>
    %c = ztile.cmp "olt" %a, %b : !ztile.tile<4x8xf32> -> !ztile.tile<4x8xi1>
    // expected-error@+1 {{'ztile.cast' op expects the operand to be a tile of f16, bf16, f32 or f64, got !ztile.tile<4x8xi1>}}
    %d = ztile.cast %c : !ztile.tile<4x8xi1> -> !ztile.tile<4x8xf32>
  }
  func.return
}

// -----

func.func @f(%m: memref<8x8xf16>, %acc: memref<8x8xf64>) {
  ztile.grid [1] {
    %c0 = arith.constant 0 : index
    %a = ztile.load %m[%c0, %c0] : memref<8x8xf16> -> !ztile.tile<8x8xf16>
    %c = ztile.load %acc[%c0, %c0] : memref<8x8xf64> -> !ztile.tile<8x8xf64>
    // expected-error@+1 {{'ztile.dot' op expects equal element types (or an f32 accumulator for f16 or bf16 operands), got f16, f16 and f64}}
    %d = ztile.dot %a, %a, %c : !ztile.tile<8x8xf16>, !ztile.tile<8x8xf16>, !ztile.tile<8x8xf64> -> !ztile.tile<8x8xf64>
  }
  func.return
}

// -----

func.func @f(%m: memref<8x8xf16>, %n: memref<8x8xbf16>) {
  ztile.grid [1] {
    %c0 = arith.constant 0 : index
    %a = ztile.load %m[%c0, %c0] : memref<8x8xf16> -> !ztile.tile<8x8xf16>
    %b = ztile.load %n[%c0, %c0] : memref<8x8xbf16> -> !ztile.tile<8x8xbf16>
    // expected-error@+1 {{'ztile.dot' op expects equal element types (or an f32 accumulator for f16 or bf16 operands), got f16, bf16 and f16}}
    %d = ztile.dot %a, %b, %a : !ztile.tile<8x8xf16>, !ztile.tile<8x8xbf16>, !ztile.tile<8x8xf16> -> !ztile.tile<8x8xf16>
  }
  func.return
}

// -----

func.func @f(%m: memref<8x8xbf16>) {
  ztile.grid [1] {
    %c0 = arith.constant 0 : index
    // expected-error@+1 {{'ztile.load' op expects padding of type bf16, got f32}}
    %a = ztile.load %m[%c0, %c0] {padding = 0.0 : f32} : memref<8x8xbf16> -> !ztile.tile<8x8xbf16>
  }
  func.return
}

// -----

func.func @f(%m: memref<8x8xf16>) {
  ztile.grid [1] {
    %c0 = arith.constant 0 : index
    %a = ztile.load %m[%c0, %c0] : memref<8x8xf16> -> !ztile.tile<8x8xf16>
    // expected-error@+1 {{'ztile.cast' op cannot change the shape: 8x8 -> 4x8}}
    %b = ztile.cast %a : !ztile.tile<8x8xf16> -> !ztile.tile<4x8xbf16>
  }
  func.return
}
