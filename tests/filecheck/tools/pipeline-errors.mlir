// Pipeline mistakes name what is wrong, list what is valid and exit 2 (no traceback).

// RUN: not ziggurat-opt %s -p canonicalise 2>&1 | filecheck %s --check-prefix=UNKNOWN
// UNKNOWN-NOT: Traceback
// UNKNOWN:      ziggurat-opt: error: unknown pass 'canonicalise' in pipeline 'canonicalise' (did you mean 'canonicalize'
// UNKNOWN-NEXT: available passes:
// UNKNOWN:      canonicalize,
// UNKNOWN:      cse,

// RUN: not ziggurat-opt %s -p 'canonicalize,cse{' 2>&1 | filecheck %s --check-prefix=MALFORMED
// MALFORMED-NOT: Traceback
// MALFORMED:      ziggurat-opt: error: malformed pass pipeline: Expected argument name here
// MALFORMED-NEXT:   canonicalize,cse{
// MALFORMED-NEXT:                   ^
// MALFORMED-NEXT: expected syntax: pass-name, pass-name{option=value other-option=v1,v2}, passes separated by commas

// RUN: not ziggurat-opt %s -p 'canonicalize{max-iterations=3}' 2>&1 | filecheck %s --check-prefix=OPTION
// OPTION: ziggurat-opt: error: pass 'canonicalize' has no option 'max-iterations'; it takes no options

// RUN: not ziggurat-opt %s -p 'scf-parallel-loop-tiling{tile-sizes=4}' 2>&1 | filecheck %s --check-prefix=OPTNAME
// OPTNAME: ziggurat-opt: error: pass 'scf-parallel-loop-tiling' has no option 'tile-sizes'; its options are: parallel-loop-tile-sizes: tuple[int, ...]

// RUN: not ziggurat-opt %s -p 'scf-parallel-loop-tiling{parallel-loop-tile-sizes=four}' 2>&1 | filecheck %s --check-prefix=OPTTYPE
// OPTTYPE: ziggurat-opt: error: invalid options for pass 'scf-parallel-loop-tiling' in {{.*}}: Incompatible types: given ('four',), expected tuple[int, ...]; its options are: parallel-loop-tile-sizes: tuple[int, ...]

// Option values a pass rejects: one mechanism for every pass, exit 2, the option named.
// RUN: not ziggurat-opt %s -p 'cpu-pipeline{opt-level=9}' 2>&1 | filecheck %s --check-prefix=OPTVALUE
// OPTVALUE:      ziggurat-opt: error: pass 'cpu-pipeline', option 'opt-level': must be 0..3, got 9
// OPTVALUE-NEXT:   cpu-pipeline{opt-level=9}
// OPTVALUE-NEXT:                ^
// RUN: not ziggurat-opt %s -p 'ztensor-to-ztile{tile-sizes=0,0,0}' 2>&1 | filecheck %s --check-prefix=TILES
// TILES: ziggurat-opt: error: pass 'ztensor-to-ztile', option 'tile-sizes': sizes must be >= 1, got (0, 0, 0)
// RUN: not ziggurat-opt %s -p 'eqsat{extractor=foo}' 2>&1 | filecheck %s --check-prefix=EXTRACTOR
// EXTRACTOR: ziggurat-opt: error: pass 'eqsat', option 'extractor': must be greedy-dag or ilp, got 'foo'

// RUN: not ziggurat-opt %s -t nosuchtarget 2>&1 | filecheck %s --check-prefix=TARGET
// TARGET: ziggurat-opt: error: argument -t/--target: invalid choice: 'nosuchtarget' (choose from {{.*}}mlir

func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  func.return %a : tensor<4xf32>
}
