// The xdsl-opt flags keep working in ziggurat-opt.

// -p with several passes, --print-between-passes and --time-passes.
// RUN: ziggurat-opt %s -p canonicalize,cse --print-between-passes --time-passes | filecheck %s --check-prefix=PIPE
// PIPE:      IR after canonicalize:
// PIPE:      Pass execution timing report
// PIPE:      Total Execution Time: {{[0-9.]+}} seconds
// PIPE:      Wall Time   (%)     Name
// PIPE-NEXT: {{ +[0-9.]+ \( *[0-9.]+%\)}}  canonicalize
// PIPE-NEXT: {{ +[0-9.]+ \( *[0-9.]+%\)}}  cse
// PIPE-NEXT: {{ +[0-9.]+ \(100.0%\)}}  Total
// PIPE:      func.func @f
// PIPE-NOT:  ztensor.transpose
// PIPE:      func.return

// -o writes the output file; --print-op-generic prints the generic form.
// RUN: ziggurat-opt %s --print-op-generic -o %t.mlir
// RUN: filecheck %s --check-prefix=GENERIC --input-file %t.mlir
// GENERIC: "func.func"() <{sym_name = "f"
// GENERIC: %0 = "ztensor.add"(%a, %b) : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>

// -t mlir is the default target; reading from stdin works.
// RUN: ziggurat-opt -t mlir < %s | filecheck %s --check-prefix=STDIN
// STDIN: %0 = ztensor.add %a, %b

// --print-debuginfo shows the source locations ziggurat-opt records while parsing.
// RUN: ziggurat-opt %s --print-debuginfo | filecheck %s --check-prefix=LOC
// LOC: %0 = ztensor.add %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32> loc("{{.*}}flags.mlir":[[# @LINE + 23]]:8)

// --split-input-file processes the chunks separately and separates their outputs too.
// RUN: ziggurat-opt %s --split-input-file | filecheck %s --check-prefix=SPLIT
// SPLIT:      func.func @f
// SPLIT:      // -----
// SPLIT-NEXT: builtin.module {
// SPLIT-NEXT:   func.func @g

// --help lists the passes and targets.
// RUN: ziggurat-opt --help | filecheck %s --check-prefix=HELP
// HELP: usage: ziggurat-opt
// HELP: --verify-diagnostics
// HELP: --traceback
// HELP: passes:
// HELP: canonicalize
// HELP: Targets (-t):
// HELP: mlir

// RUN: ziggurat-opt --version | filecheck %s --check-prefix=VERSION
// VERSION: ziggurat-opt (ziggurat {{.*}}) built from xdsl version 0.74

func.func @f(%a: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %0 = ztensor.add %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %1 = ztensor.transpose %0 {permutation = array<i64: 1, 0>} : tensor<4x8xf32> -> tensor<8x4xf32>
  %2 = ztensor.transpose %1 {permutation = array<i64: 1, 0>} : tensor<8x4xf32> -> tensor<4x8xf32>
  func.return %2 : tensor<4x8xf32>
}

// -----

func.func @g(%a: tensor<4xf32>) -> tensor<4xf32> {
  func.return %a : tensor<4xf32>
}
