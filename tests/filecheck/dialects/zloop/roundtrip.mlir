// RUN: ziggurat-opt %s | ziggurat-opt | filecheck %s
// RUN: ziggurat-opt %s --print-op-generic | ziggurat-opt | filecheck %s

// CHECK-LABEL: func.func @loops
func.func @loops(%m: memref<100xf32>, %n: index) -> f32 {
  %zero = arith.constant 0.0 : f32
  // CHECK: %{{.*}} = zloop.for %[[I:.*]] = 0 to min affine_map<()[s0] -> (s0, 100)>()[%n] step 4 iter_args(%[[ACC:.*]] = %zero) -> (f32) {
  // CHECK-NEXT:   %[[X:.*]] = memref.load %m[%[[I]]] : memref<100xf32>
  // CHECK-NEXT:   %[[A:.*]] = arith.addf %[[ACC]], %[[X]] : f32
  // CHECK-NEXT:   zloop.yield %[[A]] : f32
  // CHECK-NEXT: }
  %s = zloop.for %i = 0 to min affine_map<()[s0] -> (s0, 100)>()[%n] step 4 iter_args(%acc = %zero) -> (f32) {
    %x = memref.load %m[%i] : memref<100xf32>
    %a = arith.addf %acc, %x : f32
    zloop.yield %a : f32
  }
  // CHECK: zloop.for %{{.*}} = %n to 10 {
  // CHECK-NEXT: memref.store
  // CHECK-NEXT: }
  zloop.for %i = %n to 10 {
    memref.store %zero, %m[%i] : memref<100xf32>
  }
  // CHECK: zloop.for %{{.*}} = max affine_map<(d0) -> (d0, 3)>(%n) to affine_map<(d0) -> ((d0 * 2))>(%n) {
  zloop.for %i = max affine_map<(d0) -> (d0, 3)>(%n) to affine_map<(d0) -> (d0 * 2)>(%n) {
    memref.store %zero, %m[%i] : memref<100xf32>
  }
  // CHECK: zloop.parallel (%{{.*}}, %{{.*}}) = (0, %n) to (64, min affine_map<(d0)[s0] -> ((d0 + 16), s0)>(%n)[%n]) step (1, 16) {
  zloop.parallel (%i, %j) = (0, %n) to (64, min affine_map<(d0)[s0] -> (d0 + 16, s0)>(%n)[%n]) step (1, 16) {
    %k = arith.addi %i, %j : index
    memref.store %zero, %m[%k] : memref<100xf32>
  }
  // CHECK: zloop.parallel (%{{.*}}) = (0) to (100) {
  zloop.parallel (%i) = (0) to (100) step (1) {
    memref.store %zero, %m[%i] : memref<100xf32>
  }
  func.return %s : f32
}

// CHECK-LABEL: func.func @compare_select
func.func @compare_select(%a: vector<16xf32>, %b: vector<16xf32>, %x: f64, %y: f64) -> (vector<16xf32>, f64) {
  // CHECK-NEXT: %[[C:.*]] = zloop.cmpf "olt" %a, %b : vector<16xf32> -> vector<16xi1>
  %c = zloop.cmpf "olt" %a, %b : vector<16xf32> -> vector<16xi1>
  // CHECK-NEXT: %{{.*}} = zloop.select %[[C]], %a, %b : vector<16xi1>, vector<16xf32>
  %s = zloop.select %c, %a, %b : vector<16xi1>, vector<16xf32>
  // CHECK-NEXT: %[[D:.*]] = zloop.cmpf "une" %x, %y : f64 -> i1
  %d = zloop.cmpf "une" %x, %y : f64 -> i1
  // CHECK-NEXT: %{{.*}} = zloop.select %[[D]], %x, %y : i1, f64
  %t = zloop.select %d, %x, %y : i1, f64
  func.return %s, %t : vector<16xf32>, f64
}
