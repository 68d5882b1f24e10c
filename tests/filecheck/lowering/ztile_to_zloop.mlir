// RUN: ziggurat-opt %s -p ztile-to-zloop | filecheck %s
// RUN: ziggurat-opt %s -p 'ztile-to-zloop{vector-width=8}' | filecheck %s --check-prefix=W8

// A chain of elementwise ops on a 1-D tile: one loop over vectors, edge-masked load/store.
// CHECK-LABEL: func.func @chain
// CHECK:       zloop.parallel (%[[P:.*]]) = (0) to (2) {
// CHECK-DAG:     %[[BUF:.*]] = memref.alloca() : memref<16xf32>
// CHECK-DAG:     %[[OUT:.*]] = memref.alloca() : memref<16xf32>
// CHECK:         %[[OFF:.*]] = arith.muli %[[P]], %{{.*}} : index
// CHECK:         %[[FULL:.*]] = arith.cmpi sge, %{{.*}}, %{{.*}} : index
// CHECK-NEXT:    scf.if %[[FULL]] {
// CHECK-NEXT:      %[[V:.*]] = vector.load %x[%[[OFF]]] : memref<20xf32>, vector<16xf32>
// CHECK-NEXT:      vector.store %[[V]], %[[BUF]][%{{.*}}] : memref<16xf32>, vector<16xf32>
// CHECK-NEXT:    } else {
// CHECK:           %[[MASK:.*]] = vector.create_mask %{{.*}} : vector<16xi1>
// CHECK-NEXT:      %[[M:.*]] = vector.maskedload %x[%[[OFF]]], %[[MASK]], %{{.*}} : memref<20xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
// CHECK:         }
// CHECK-NEXT:    %[[A:.*]] = vector.load %[[BUF]][%{{.*}}] : memref<16xf32>, vector<16xf32>
// CHECK-NEXT:    %[[N:.*]] = arith.negf %[[A]] : vector<16xf32>
// CHECK-NEXT:    %[[E:.*]] = math.exp %[[N]] : vector<16xf32>
// CHECK-NEXT:    %[[D:.*]] = arith.addf %{{.*}}, %[[E]] : vector<16xf32>
// CHECK-NEXT:    %[[S:.*]] = arith.divf %{{.*}}, %[[D]] : vector<16xf32>
// CHECK-NEXT:    %[[R:.*]] = arith.maximumf %[[S]], %{{.*}} : vector<16xf32>
// CHECK-NEXT:    vector.store %[[R]], %[[OUT]][%{{.*}}] : memref<16xf32>, vector<16xf32>
// CHECK:         vector.maskedstore %y[%{{.*}}], %{{.*}}, %{{.*}} : memref<20xf32>, vector<16xi1>, vector<16xf32>
// CHECK-NOT:   ztile.

// W8-LABEL: func.func @chain
// W8:         zloop.for %{{.*}} = 0 to 16 step 8 {
// W8:           arith.negf %{{.*}} : vector<8xf32>
func.func @chain(%x: memref<20xf32>, %y: memref<20xf32>) {
  ztile.grid [2] {
    %p = ztile.program_id 0 : index
    %c16 = arith.constant 16 : index
    %i = arith.muli %p, %c16 : index
    %t = ztile.load %x[%i] : memref<20xf32> -> !ztile.tile<16xf32>
    %s = ztile.sigmoid %t : !ztile.tile<16xf32>
    %r = ztile.relu %s : !ztile.tile<16xf32>
    ztile.store %r, %y[%i] : !ztile.tile<16xf32>, memref<20xf32>
  }
  func.return
}

// A row-wise max: vector accumulation, vector.reduction, scalar tail (20 = 16 + 4).
// CHECK-LABEL: func.func @rowmax
// CHECK:       zloop.parallel (%{{.*}}) = (0) to (1) {
// CHECK:           %[[V:.*]] = vector.load %{{.*}}[%[[I:.*]], %{{.*}}] : memref<2x32xf32>, vector<16xf32>
// CHECK-NEXT:      %[[R:.*]] = vector.reduction <maximumf>, %[[V]] : vector<16xf32> into f32
// CHECK-NEXT:      %[[T:.*]] = zloop.for %[[J:.*]] = 16 to 20 iter_args(%[[ACC:.*]] = %[[R]]) -> (f32) {
// CHECK-NEXT:        %[[X:.*]] = memref.load %{{.*}}[%[[I]], %[[J]]] : memref<2x32xf32>
// CHECK-NEXT:        %[[M:.*]] = arith.maximumf %[[ACC]], %[[X]] : f32
// CHECK-NEXT:        zloop.yield %[[M]] : f32
// CHECK-NEXT:      }
// CHECK-NEXT:      memref.store %[[T]], %{{.*}}[%[[I]], %{{.*}}] : memref<2x1xf32>
func.func @rowmax(%x: memref<2x20xf32>, %y: memref<2x1xf32>) {
  ztile.grid [1] {
    %c0 = arith.constant 0 : index
    %t = ztile.load %x[%c0, %c0] : memref<2x20xf32> -> !ztile.tile<2x20xf32>
    %m = ztile.reduce "max" %t {axis = 1 : i64} : !ztile.tile<2x20xf32> -> !ztile.tile<2x1xf32>
    ztile.store %m, %y[%c0, %c0] : !ztile.tile<2x1xf32>, memref<2x1xf32>
  }
  func.return
}

// A dot: the accumulator block (2 rows x 1 vector) stays in registers across K, starting
// from the splat's scalar (no buffer is filled with it). A (wholly in bounds) is read from
// %a in place; B (rows of 5) is copied into a padded buffer, and so is the result.
// CHECK-LABEL: func.func @dot
// CHECK:         %[[Z:.*]] = vector.broadcast %zero : f32 to vector<16xf32>
// CHECK-NEXT:    %{{.*}}, %{{.*}} = zloop.for %[[K:.*]] = 0 to 3 iter_args(%[[A0:.*]] = %[[Z]], %[[A1:.*]] = %[[Z]]) -> (vector<16xf32>, vector<16xf32>) {
// CHECK-NEXT:      %[[B:.*]] = vector.load %{{.*}}[%[[K]], %{{.*}}] : memref<3x16xf32>, vector<16xf32>
// CHECK-NEXT:      %[[X0:.*]] = memref.load %a[%{{.*}}, %[[K]]] : memref<2x3xf32>
// CHECK-NEXT:      %[[X0B:.*]] = vector.broadcast %[[X0]] : f32 to vector<16xf32>
// CHECK-NEXT:      %[[F0:.*]] = vector.fma %[[X0B]], %[[B]], %[[A0]] : vector<16xf32>
// CHECK-NEXT:      %[[X1:.*]] = memref.load %a[%{{.*}}, %[[K]]] : memref<2x3xf32>
// CHECK-NEXT:      %[[X1B:.*]] = vector.broadcast %[[X1]] : f32 to vector<16xf32>
// CHECK-NEXT:      %[[F1:.*]] = vector.fma %[[X1B]], %[[B]], %[[A1]] : vector<16xf32>
// CHECK-NEXT:      zloop.yield %[[F0]], %[[F1]] : vector<16xf32>, vector<16xf32>
func.func @dot(%a: memref<2x3xf32>, %b: memref<3x5xf32>, %c: memref<2x5xf32>) {
  ztile.grid [1] {
    %c0 = arith.constant 0 : index
    %ta = ztile.load %a[%c0, %c0] : memref<2x3xf32> -> !ztile.tile<2x3xf32>
    %tb = ztile.load %b[%c0, %c0] : memref<3x5xf32> -> !ztile.tile<3x5xf32>
    %zero = arith.constant 0.0 : f32
    %init = ztile.splat %zero : f32 -> !ztile.tile<2x5xf32>
    %d = ztile.dot %ta, %tb, %init : !ztile.tile<2x3xf32>, !ztile.tile<3x5xf32>, !ztile.tile<2x5xf32> -> !ztile.tile<2x5xf32>
    ztile.store %d, %c[%c0, %c0] : !ztile.tile<2x5xf32>, memref<2x5xf32>
  }
  func.return
}

// A dot whose tiles all lie wholly in bounds with rows of whole vectors: A and B are read
// from %a and %b in place and the result is written into %c, so no stack buffer is used.
// CHECK-LABEL: func.func @dot_in_place
// CHECK-NOT:     memref.alloca
// CHECK:         %[[Z:.*]] = vector.broadcast %zero : f32 to vector<16xf32>
// CHECK-NEXT:    {{.*}} = zloop.for %[[K:.*]] = 0 to 16 iter_args(%{{[0-9]+}} = %[[Z]], {{.*}}) -> ({{.*}}) {
// CHECK-NEXT:      vector.load %b[%[[K]], %{{.*}}] : memref<16x32xf32>, vector<16xf32>
// CHECK-NEXT:      vector.load %b[%[[K]], %{{.*}}] : memref<16x32xf32>, vector<16xf32>
// CHECK-NEXT:      memref.load %a[%{{.*}}, %[[K]]] : memref<4x16xf32>
// CHECK-COUNT-8: vector.store %{{.*}}, %c[%{{.*}}, %{{.*}}] : memref<4x32xf32>, vector<16xf32>
// CHECK-NOT:     vector.store
// CHECK:         func.return
// W8-LABEL: func.func @dot_in_place
// W8-NOT:        memref.alloca
// W8:            vector.load %b[%{{.*}}, %{{.*}}] : memref<16x32xf32>, vector<8xf32>
// W8:            func.return
func.func @dot_in_place(%a: memref<4x16xf32>, %b: memref<16x32xf32>, %c: memref<4x32xf32>) {
  ztile.grid [1] {
    %c0 = arith.constant 0 : index
    %ta = ztile.load %a[%c0, %c0] : memref<4x16xf32> -> !ztile.tile<4x16xf32>
    %tb = ztile.load %b[%c0, %c0] : memref<16x32xf32> -> !ztile.tile<16x32xf32>
    %zero = arith.constant 0.0 : f32
    %init = ztile.splat %zero : f32 -> !ztile.tile<4x32xf32>
    %d = ztile.dot %ta, %tb, %init : !ztile.tile<4x16xf32>, !ztile.tile<16x32xf32>, !ztile.tile<4x32xf32> -> !ztile.tile<4x32xf32>
    ztile.store %d, %c[%c0, %c0] : !ztile.tile<4x32xf32>, memref<4x32xf32>
  }
  func.return
}

// The same dot on a B tile that is part of its rows (16 x 32 of 16 x 64): B is copied into
// a contiguous stack buffer (a packed panel, what large GEMMs run fastest from); A and the
// result stay in place.
// CHECK-LABEL: func.func @dot_panel
// CHECK:         %[[P:.*]] = memref.alloca() : memref<16x32xf32>
// CHECK-NOT:     memref.alloca
// CHECK:         vector.store %{{.*}}, %[[P]][%{{.*}}, %{{.*}}] : memref<16x32xf32>, vector<16xf32>
// CHECK:         zloop.for
// CHECK-NEXT:      vector.load %[[P]][%{{.*}}, %{{.*}}] : memref<16x32xf32>, vector<16xf32>
// CHECK:         vector.store %{{.*}}, %c[%{{.*}}, %{{.*}}] : memref<4x32xf32>, vector<16xf32>
func.func @dot_panel(%a: memref<4x16xf32>, %b: memref<16x64xf32>, %c: memref<4x32xf32>) {
  ztile.grid [1] {
    %c0 = arith.constant 0 : index
    %ta = ztile.load %a[%c0, %c0] : memref<4x16xf32> -> !ztile.tile<4x16xf32>
    %tb = ztile.load %b[%c0, %c0] : memref<16x64xf32> -> !ztile.tile<16x32xf32>
    %zero = arith.constant 0.0 : f32
    %init = ztile.splat %zero : f32 -> !ztile.tile<4x32xf32>
    %d = ztile.dot %ta, %tb, %init : !ztile.tile<4x16xf32>, !ztile.tile<16x32xf32>, !ztile.tile<4x32xf32> -> !ztile.tile<4x32xf32>
    ztile.store %d, %c[%c0, %c0] : !ztile.tile<4x32xf32>, memref<4x32xf32>
  }
  func.return
}

// Casts are part of the elementwise chain: arith.extf / arith.truncf of whole vectors. The
// tiles lie wholly in bounds: the chain reads %x and writes %y in place (no stack buffer).
// CHECK-LABEL: func.func @cast
// CHECK-NOT:     memref.alloca
// CHECK:         %[[B:.*]] = vector.load %x[%{{.*}}, %{{.*}}] : memref<2x32xf32>, vector<16xf32>
// CHECK-NEXT:    %[[W:.*]] = arith.extf %[[B]] : vector<16xf32> to vector<16xf64>
// CHECK-NEXT:    %[[Q:.*]] = arith.mulf %[[W]], %[[W]] : vector<16xf64>
// CHECK-NEXT:    %[[N:.*]] = arith.truncf %[[Q]] : vector<16xf64> to vector<16xf32>
// CHECK-NEXT:    vector.store %[[N]], %y[%{{.*}}, %{{.*}}] : memref<2x32xf32>, vector<16xf32>
// CHECK-NOT:     vector.load
// CHECK:         func.return
// W8-LABEL: func.func @cast
// W8:            arith.extf %{{.*}} : vector<8xf32> to vector<8xf64>
func.func @cast(%x: memref<2x32xf32>, %y: memref<2x32xf32>) {
  ztile.grid [1] {
    %c0 = arith.constant 0 : index
    %t = ztile.load %x[%c0, %c0] : memref<2x32xf32> -> !ztile.tile<2x32xf32>
    %w = ztile.cast %t : !ztile.tile<2x32xf32> -> !ztile.tile<2x32xf64>
    %q = ztile.mul %w, %w : !ztile.tile<2x32xf64>
    %n = ztile.cast %q : !ztile.tile<2x32xf64> -> !ztile.tile<2x32xf32>
    ztile.store %n, %y[%c0, %c0] : !ztile.tile<2x32xf32>, memref<2x32xf32>
  }
  func.return
}

// Tiles that every program reads wholly in bounds (offsets 4*p, p < 2, of 8 rows) are read
// in place, with no stack copy; the chain that only the reduce reads is computed inside the
// reduction loop (no f64 buffer).
// CHECK-LABEL: func.func @in_place
// CHECK-NOT:     memref.alloca() : memref<4x32xf32>
// CHECK-NOT:     memref.alloca() : memref<4x32xf64>
// CHECK:         zloop.for
// CHECK:           %[[V:.*]] = vector.load %x[%{{.*}}, %{{.*}}] : memref<8x32xf32>, vector<16xf32>
// CHECK-NEXT:      %[[W:.*]] = arith.extf %[[V]] : vector<16xf32> to vector<16xf64>
// CHECK-NEXT:      %[[Q:.*]] = arith.mulf %[[W]], %[[W]] : vector<16xf64>
// CHECK-NEXT:      arith.addf %{{.*}}, %[[Q]] : vector<16xf64>
func.func @in_place(%x: memref<8x32xf32>, %y: memref<8x1xf64>) {
  ztile.grid [2] {
    %p = ztile.program_id 0 : index
    %c0 = arith.constant 0 : index
    %c4 = arith.constant 4 : index
    %i = arith.muli %p, %c4 : index
    %t = ztile.load %x[%i, %c0] : memref<8x32xf32> -> !ztile.tile<4x32xf32>
    %w = ztile.cast %t : !ztile.tile<4x32xf32> -> !ztile.tile<4x32xf64>
    %q = ztile.mul %w, %w : !ztile.tile<4x32xf64>
    %s = ztile.reduce "sum" %q {axis = 1 : i64} : !ztile.tile<4x32xf64> -> !ztile.tile<4x1xf64>
    ztile.store %s, %y[%i, %c0] : !ztile.tile<4x1xf64>, memref<8x1xf64>
  }
  func.return
}

// The last program's tile of a 7-row memref is partly out of bounds: copied, with padding.
// CHECK-LABEL: func.func @edge_copy
// CHECK:         memref.alloca() : memref<4x32xf32>
// CHECK:         vector.maskedload
func.func @edge_copy(%x: memref<7x32xf32>, %y: memref<7x1xf32>) {
  ztile.grid [2] {
    %p = ztile.program_id 0 : index
    %c0 = arith.constant 0 : index
    %c4 = arith.constant 4 : index
    %i = arith.muli %p, %c4 : index
    %t = ztile.load %x[%i, %c0] {padding = 0.0 : f32} : memref<7x32xf32> -> !ztile.tile<4x32xf32>
    %s = ztile.reduce "sum" %t {axis = 1 : i64} : !ztile.tile<4x32xf32> -> !ztile.tile<4x1xf32>
    ztile.store %s, %y[%i, %c0] : !ztile.tile<4x1xf32>, memref<7x1xf32>
  }
  func.return
}
