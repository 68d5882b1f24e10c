// A negative verifier test for each zloop verifier check.
// RUN: ziggurat-opt %s --split-input-file --verify-diagnostics

%z = arith.constant 0.0 : f32
// expected-error@+1 {{'zloop.for' op expects a positive step, got 0}}
%r = "zloop.for"(%z) <{lowerBoundMap = affine_map<() -> (0)>, upperBoundMap = affine_map<() -> (8)>, step = 0 : index, operandSegmentSizes = array<i32: 0, 0, 1>}> ({
^bb0(%i: index, %acc: f32):
  "zloop.yield"(%acc) : (f32) -> ()
}) : (f32) -> f32

// -----

%z = arith.constant 0.0 : f32
// expected-error@+1 {{'zloop.for' op yields (f64) but its iter_args/results are (f32)}}
%r = "zloop.for"(%z) <{lowerBoundMap = affine_map<() -> (0)>, upperBoundMap = affine_map<() -> (8)>, step = 1 : index, operandSegmentSizes = array<i32: 0, 0, 1>}> ({
^bb0(%i: index, %acc: f32):
  %d = arith.extf %acc : f32 to f64
  "zloop.yield"(%d) : (f64) -> ()
}) : (f32) -> f32

// -----

%z = arith.constant 0.0 : f32
// expected-error@+1 {{'zloop.for' op iter_args types (f32) differ from result types (f64)}}
%r = "zloop.for"(%z) <{lowerBoundMap = affine_map<() -> (0)>, upperBoundMap = affine_map<() -> (8)>, step = 1 : index, operandSegmentSizes = array<i32: 0, 0, 1>}> ({
^bb0(%i: index, %acc: f32):
  "zloop.yield"(%acc) : (f32) -> ()
}) : (f32) -> f64

// -----

%n = arith.constant 4 : index
// expected-error@+1 {{'zloop.for' op upper bound map takes 0 dims + 0 symbols but has 1 operands}}
"zloop.for"(%n) <{lowerBoundMap = affine_map<() -> (0)>, upperBoundMap = affine_map<() -> (8)>, step = 1 : index, operandSegmentSizes = array<i32: 0, 1, 0>}> ({
^bb0(%i: index):
  "zloop.yield"() : () -> ()
}) : (index) -> ()

// -----

// expected-error@+1 {{'zloop.for' op expects block arguments (index) (index, then iter_args), got (i64)}}
"zloop.for"() <{lowerBoundMap = affine_map<() -> (0)>, upperBoundMap = affine_map<() -> (8)>, step = 1 : index, operandSegmentSizes = array<i32: 0, 0, 0>}> ({
^bb0(%i: i64):
  "zloop.yield"() : () -> ()
}) : () -> ()

// -----

// expected-error@+1 {{'zloop.parallel' op expects as many lower bounds, upper bounds and steps, got 2, 1 and 2}}
"zloop.parallel"() <{lowerBoundMaps = [affine_map<() -> (0)>, affine_map<() -> (0)>], upperBoundMaps = [affine_map<() -> (8)>], steps = array<i64: 1, 1>, operandSegmentSizes = array<i32: 0, 0>}> ({
^bb0(%i: index, %j: index):
  "zloop.yield"() : () -> ()
}) : () -> ()

// -----

// expected-error@+1 {{'zloop.parallel' op expects positive steps, got [-2]}}
"zloop.parallel"() <{lowerBoundMaps = [affine_map<() -> (0)>], upperBoundMaps = [affine_map<() -> (8)>], steps = array<i64: -2>, operandSegmentSizes = array<i32: 0, 0>}> ({
^bb0(%i: index):
  "zloop.yield"() : () -> ()
}) : () -> ()

// -----

// expected-error@+1 {{'zloop.parallel' op expects 1 index block arguments, got (index, index)}}
"zloop.parallel"() <{lowerBoundMaps = [affine_map<() -> (0)>], upperBoundMaps = [affine_map<() -> (8)>], steps = array<i64: 1>, operandSegmentSizes = array<i32: 0, 0>}> ({
^bb0(%i: index, %j: index):
  "zloop.yield"() : () -> ()
}) : () -> ()

// -----

%z = arith.constant 0.0 : f32
// expected-error@+1 {{'zloop.parallel' op body must end with an empty 'zloop.yield'}}
"zloop.parallel"() <{lowerBoundMaps = [affine_map<() -> (0)>], upperBoundMaps = [affine_map<() -> (8)>], steps = array<i64: 1>, operandSegmentSizes = array<i32: 0, 0>}> ({
^bb0(%i: index):
  "zloop.yield"(%z) : (f32) -> ()
}) : () -> ()

// -----

// expected-error@+1 {{'zloop.yield' op expects parent op to be one of 'zloop.for', 'zloop.parallel'}}
"zloop.yield"() : () -> ()

// -----

func.func @f(%a: vector<16xf32>) {
  // expected-error@+1 {{'zloop.cmpf' op predicate must be one of false, oeq, ogt, oge, olt, ole, one, ord, ueq, ugt, uge, ult, ule, une, uno, true, got "lt"}}
  %c = zloop.cmpf "lt" %a, %a : vector<16xf32> -> vector<16xi1>
  func.return
}

// -----

func.func @f(%a: vector<16xf32>) {
  // expected-error@+1 {{'zloop.cmpf' op expects result type vector<16xi1>, got i1}}
  %c = zloop.cmpf "olt" %a, %a : vector<16xf32> -> i1
  func.return
}

// -----

func.func @f(%a: vector<4xi32>) {
  // expected-error@+1 {{'zloop.cmpf' op expects float or 1-D float vector operands, got vector<4xi32>}}
  %c = zloop.cmpf "olt" %a, %a : vector<4xi32> -> vector<4xi1>
  func.return
}

// -----

func.func @f(%c: vector<8xi1>, %a: vector<16xf32>) {
  // expected-error@+1 {{'zloop.select' op expects an i1 condition, or a vector of i1 as long as the vector choices, got vector<8xi1> for vector<16xf32>}}
  %s = zloop.select %c, %a, %a : vector<8xi1>, vector<16xf32>
  func.return
}
