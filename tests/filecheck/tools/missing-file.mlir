// A missing or unreadable input says so and exits 1.
// RUN: not ziggurat-opt %t.does-not-exist.mlir 2>&1 | filecheck %s --check-prefix=MISSING
// MISSING-NOT: Traceback
// MISSING: ziggurat-opt: error: cannot open input file '{{.*}}.does-not-exist.mlir': No such file or directory

// RUN: mkdir -p %t.dir
// RUN: not ziggurat-opt %t.dir 2>&1 | filecheck %s --check-prefix=DIR
// DIR: ziggurat-opt: error: cannot open input file '{{.*}}.dir': Is a directory
