// RUN: ziggurat-opt %S/Inputs/zloop_nests.mlir -p 'zloop-tile{sizes=16,8 remarks=true}' 2>%t.remarks | filecheck %s --check-prefix=RECT
// RUN: filecheck %s --check-prefix=REMARK < %t.remarks
// RUN: ziggurat-opt %S/Inputs/zloop_nests.mlir -p 'zloop-tile{sizes=16,8 skew=true remarks=true}' 2>&1 | filecheck %s --check-prefix=SKEW
// RUN: ziggurat-run %S/Inputs/zloop_nests.mlir --entry stencil -p 'zloop-tile{sizes=8,8 skew=true},cpu-pipeline' --check | filecheck %s --check-prefix=EXEC

// The matmul's (i, j) band is tiled; k stays inside the point loops. 21 is not a multiple
// of 16, so the i point loop is clipped; 19 is not a multiple of 8 either.
// RECT-LABEL: func.func @matmul
// RECT-NEXT:    zloop.for %i_tile = 0 to 21 step 16 {
// RECT-NEXT:      zloop.for %j_tile = 0 to 19 step 8 {
// RECT-NEXT:        zloop.for %i = %i_tile to min affine_map<()[s0] -> (21, (s0 + 16))>()[%i_tile] {
// RECT-NEXT:          zloop.for %j = %j_tile to min affine_map<()[s0] -> (19, (s0 + 8))>()[%j_tile] {
// RECT-NEXT:            zloop.for %k = 0 to 13 {

// The stencil's (1, -1) dependence forbids rectangular tiles: unchanged, with a remark.
// RECT-LABEL: func.func @stencil
// RECT:         zloop.for %i = 1 to 50 {
// RECT-NEXT:      zloop.for %j = 1 to 60 {
// REMARK: remark: zloop-tile: @stencil: nest not tiled: tiling would violate the RAW dependence from 'memref.store' to 'memref.load' on a (distance { C[1, -1] }) (skew=true may make it legal)

// The reduction through r carries (0, 1): tiling is legal.
// RECT-LABEL: func.func @rowsum
// RECT-NEXT:    zloop.for %i_tile = 0 to 37 step 16 {
// RECT-NEXT:      zloop.for %j_tile = 0 to 70 step 8 {

// A single loop has no 2-deep band.
// REMARK: remark: zloop-tile: @shifted: nest not tiled: 2 tile sizes but the nest has only 1 perfectly nested loop

// With skew=true the stencil is skewed (j' = j + i) and tiled: the j tile loop runs over the
// skewed range of its i tile, the point loop clips to the parallelogram, and the body gets
// j back from j'.
// SKEW: remark: zloop-tile: @stencil: nest skewed (j' = j + i) before tiling
// SKEW-LABEL: func.func @stencil
// SKEW:         zloop.for %i_tile = 1 to 50 step 16 {
// SKEW-NEXT:      zloop.for %j_tile = affine_map<()[s0] -> ((s0 + 1))>()[%i_tile] to affine_map<()[s0] -> ((s0 + 75))>()[%i_tile] step 8 {
// SKEW-NEXT:        zloop.for %i = %i_tile to min affine_map<()[s0] -> (50, (s0 + 16))>()[%i_tile] {
// SKEW-NEXT:          zloop.for %j_skewed = max affine_map<()[s0, s1] -> ((s0 + 1), s1)>()[%i, %j_tile] to min affine_map<()[s0, s1] -> ((s0 + 60), (s1 + 8))>()[%i, %j_tile] {
// SKEW-NEXT:            %j = arith.subi %j_skewed, %i : index

// The skewed, tiled stencil compiled and run equals the interpreter on the original nest.
// EXEC: @stencil returns nothing; it updated its memref arguments in place:
// EXEC: check: OK, matches the reference interpreter (max abs error 0)

// RUN: ziggurat-opt %S/Inputs/zloop_nests.mlir -p 'zloop-tile{sizes=2,8,8 skew=true remarks=true}' 2>&1 | filecheck %s --check-prefix=SWEEPS
// Sweeps of a 5-point Gauss-Seidel stencil: the (t, i, j) band has distances (1, -1, 0) and
// (1, 0, -1); skewing i and j by t makes them (1, 0, 0).
// SWEEPS: remark: zloop-tile: @sweeps: nest skewed (i' = i + t, j' = j + t) before tiling
// SWEEPS-LABEL: func.func @sweeps
// SWEEPS:         zloop.for %t_tile = 0 to 4 step 2 {
// SWEEPS-NEXT:      zloop.for %i_tile = affine_map<()[s0] -> ((s0 + 1))>()[%t_tile] to affine_map<()[s0] -> ((s0 + 30))>()[%t_tile] step 8 {
// SWEEPS-NEXT:        zloop.for %j_tile = affine_map<()[s0] -> ((s0 + 1))>()[%t_tile] to affine_map<()[s0] -> ((s0 + 34))>()[%t_tile] step 8 {
// SWEEPS-NEXT:          zloop.for %t = %t_tile to affine_map<()[s0] -> ((s0 + 2))>()[%t_tile] {
// SWEEPS-NEXT:            zloop.for %i_skewed = max affine_map<()[s0, s1] -> ((s0 + 1), s1)>()[%t, %i_tile] to min affine_map<()[s0, s1] -> ((s0 + 29), (s1 + 8))>()[%t, %i_tile] {
// SWEEPS-NEXT:              zloop.for %j_skewed = max affine_map<()[s0, s1] -> ((s0 + 1), s1)>()[%t, %j_tile] to min affine_map<()[s0, s1] -> ((s0 + 33), (s1 + 8))>()[%t, %j_tile] {
// SWEEPS-NEXT:                %i = arith.subi %i_skewed, %t : index
// SWEEPS-NEXT:                %j = arith.subi %j_skewed, %t : index
