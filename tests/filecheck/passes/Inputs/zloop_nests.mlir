// Hand-written zloop nests for the loop transforms (tests/filecheck/passes/zloop_*.mlir and
// tests/pytest/test_loop_transforms.py): a matmul, a Gauss-Seidel-style stencil with a (1, -1)
// dependence, a row reduction, and a transpose followed by an add.

// c += a @ b: i and j are parallel; k carries the accumulation in c (distance (0, 0, 1)).
func.func @matmul(%a: memref<21x13xf32>, %b: memref<13x19xf32>, %c: memref<21x19xf32>) {
  zloop.for %i = 0 to 21 {
    zloop.for %j = 0 to 19 {
      zloop.for %k = 0 to 13 {
        %x = memref.load %a[%i, %k] : memref<21x13xf32>
        %y = memref.load %b[%k, %j] : memref<13x19xf32>
        %z = memref.load %c[%i, %j] : memref<21x19xf32>
        %p = arith.mulf %x, %y : f32
        %s = arith.addf %z, %p : f32
        memref.store %s, %c[%i, %j] : memref<21x19xf32>
      }
    }
  }
  func.return
}

// a[i][j] = (a[i-1][j+1] + a[i][j-1]) * 0.5 in place: distances (1, -1) and (0, 1), so
// rectangular tiling of (i, j) is illegal; skewing j by i makes it legal.
func.func @stencil(%a: memref<50x61xf32>) {
  %c1 = arith.constant 1 : index
  %half = arith.constant 0.5 : f32
  zloop.for %i = 1 to 50 {
    zloop.for %j = 1 to 60 {
      %im = arith.subi %i, %c1 : index
      %jp = arith.addi %j, %c1 : index
      %jm = arith.subi %j, %c1 : index
      %x = memref.load %a[%im, %jp] : memref<50x61xf32>
      %y = memref.load %a[%i, %jm] : memref<50x61xf32>
      %s = arith.addf %x, %y : f32
      %h = arith.mulf %s, %half : f32
      memref.store %h, %a[%i, %j] : memref<50x61xf32>
    }
  }
  func.return
}

// r[i] += a[i][j]: the j loop carries the sum through r (distance (0, 1)).
func.func @rowsum(%a: memref<37x70xf32>, %r: memref<37xf32>) {
  zloop.for %i = 0 to 37 {
    zloop.for %j = 0 to 70 {
      %x = memref.load %a[%i, %j] : memref<37x70xf32>
      %s = memref.load %r[%i] : memref<37xf32>
      %t = arith.addf %s, %x : f32
      memref.store %t, %r[%i] : memref<37xf32>
    }
  }
  func.return
}

// t = transpose(a); c = t + b: two nests, producer and consumer of t.
func.func @transpose_add(%a: memref<40x24xf32>, %b: memref<24x40xf32>, %t: memref<24x40xf32>, %c: memref<24x40xf32>) {
  zloop.for %i = 0 to 24 {
    zloop.for %j = 0 to 40 {
      %x = memref.load %a[%j, %i] : memref<40x24xf32>
      memref.store %x, %t[%i, %j] : memref<24x40xf32>
    }
  }
  zloop.for %i = 0 to 24 {
    zloop.for %j = 0 to 40 {
      %x = memref.load %t[%i, %j] : memref<24x40xf32>
      %y = memref.load %b[%i, %j] : memref<24x40xf32>
      %s = arith.addf %x, %y : f32
      memref.store %s, %c[%i, %j] : memref<24x40xf32>
    }
  }
  func.return
}

// A consumer that reads t[i + 1], which the producer writes one iteration later: fusing
// the two loops would read it before it is written.
func.func @shifted(%a: memref<33xf32>, %t: memref<33xf32>, %c: memref<32xf32>) {
  %c1 = arith.constant 1 : index
  zloop.for %i = 0 to 32 {
    %x = memref.load %a[%i] : memref<33xf32>
    memref.store %x, %t[%i] : memref<33xf32>
  }
  zloop.for %i = 0 to 32 {
    %ip = arith.addi %i, %c1 : index
    %x = memref.load %t[%ip] : memref<33xf32>
    memref.store %x, %c[%i] : memref<32xf32>
  }
  func.return
}

// Four Gauss-Seidel sweeps (t) of a 5-point stencil in place: distances such as (1, -1, 0)
// and (1, 0, -1) between sweeps; tiling (t, i, j) needs i and j skewed by t.
func.func @sweeps(%a: memref<30x34xf32>) {
  %c1 = arith.constant 1 : index
  %quarter = arith.constant 0.25 : f32
  zloop.for %t = 0 to 4 {
    zloop.for %i = 1 to 29 {
      zloop.for %j = 1 to 33 {
        %im = arith.subi %i, %c1 : index
        %ip = arith.addi %i, %c1 : index
        %jm = arith.subi %j, %c1 : index
        %jp = arith.addi %j, %c1 : index
        %n = memref.load %a[%im, %j] : memref<30x34xf32>
        %s = memref.load %a[%ip, %j] : memref<30x34xf32>
        %w = memref.load %a[%i, %jm] : memref<30x34xf32>
        %e = memref.load %a[%i, %jp] : memref<30x34xf32>
        %x = arith.addf %n, %s : f32
        %y = arith.addf %w, %e : f32
        %z = arith.addf %x, %y : f32
        %r = arith.mulf %z, %quarter : f32
        memref.store %r, %a[%i, %j] : memref<30x34xf32>
      }
    }
  }
  func.return
}
