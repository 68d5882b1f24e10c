// A composite pass (cpu-pipeline) runs pass by pass: --print-between-passes shows the IR after
// each inner pass and --time-passes lists them, indented under the composite, in a table.

// RUN: ziggurat-opt %s -p 'cpu-pipeline{eqsat=false}' --print-between-passes | filecheck %s --check-prefix=BETWEEN
// BETWEEN:      IR after cpu-pipeline/linalg-to-ztensor:
// BETWEEN:      IR after cpu-pipeline/canonicalize:
// BETWEEN:      ztensor.exp
// BETWEEN:      IR after cpu-pipeline/ztensor-to-ztile:
// BETWEEN:      ztile.grid
// BETWEEN:      IR after cpu-pipeline/linalg-to-zloop:
// BETWEEN:      IR after cpu-pipeline/bufferize:
// BETWEEN:      IR after cpu-pipeline/ztile-to-zloop:
// BETWEEN:      zloop.parallel
// BETWEEN:      IR after cpu-pipeline/zloop-parallelize:
// BETWEEN:      IR after cpu-pipeline/canonicalize:
// BETWEEN:      IR after cpu-pipeline/convert-to-llvm:
// BETWEEN:      llvm.func
// BETWEEN-NOT:  IR after

// RUN: ziggurat-opt %s -p 'canonicalize,cpu-pipeline' --time-passes -t llvm | filecheck %s --check-prefix=TIME
// TIME:      Pass execution timing report
// TIME:      Total Execution Time: {{[0-9.]+}} seconds
// TIME:      Wall Time   (%)     Name
// TIME-NEXT: {{ +[0-9.]+ \( *[0-9.]+%\)}}  canonicalize
// TIME-NEXT: {{ +[0-9.]+ \( *[0-9.]+%\)}}  cpu-pipeline
// TIME-NEXT: {{ +[0-9.]+ \( *[0-9.]+%\)}}    linalg-to-ztensor
// TIME-NEXT: {{ +[0-9.]+ \( *[0-9.]+%\)}}    canonicalize
// TIME-NEXT: {{ +[0-9.]+ \( *[0-9.]+%\)}}    eqsat
// TIME-NEXT: {{ +[0-9.]+ \( *[0-9.]+%\)}}    ztensor-to-ztile
// TIME-NEXT: {{ +[0-9.]+ \( *[0-9.]+%\)}}    linalg-to-zloop
// TIME-NEXT: {{ +[0-9.]+ \( *[0-9.]+%\)}}    bufferize
// TIME-NEXT: {{ +[0-9.]+ \( *[0-9.]+%\)}}    ztile-to-zloop
// TIME-NEXT: {{ +[0-9.]+ \( *[0-9.]+%\)}}    zloop-parallelize
// TIME-NEXT: {{ +[0-9.]+ \( *[0-9.]+%\)}}    canonicalize
// TIME-NEXT: {{ +[0-9.]+ \( *[0-9.]+%\)}}    convert-to-llvm
// TIME-NEXT: {{ +[0-9.]+ \( *[0-9.]+%\)}}    record-opt-level
// TIME-NEXT: {{ +[0-9.]+ \(100.0%\)}}  Total
// TIME:      define void @"f"

func.func @f(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = ztensor.exp %a : tensor<4x8xf32>
  func.return %0 : tensor<4x8xf32>
}
