// RUN: printf 'rule good: mul(x, y) => mul(y, x)\nrule bad: add(x, y) => foo(x)\n' > %t.rules
// RUN: not ziggurat-opt %s -p 'eqsat{rules-file="%t.rules"}' 2>&1 | filecheck %s --check-prefix=SYNTAX
// SYNTAX: .rules:2:24: error: unknown op 'foo'

// RUN: printf '# wrong: relu is not the identity\nrule relu-id: relu(x) => x\n' > %t.unsound.rules
// RUN: not ziggurat-opt %s -p 'eqsat{rules-file="%t.unsound.rules"}' 2>&1 | filecheck %s --check-prefix=UNSOUND
// UNSOUND: .rules:2: error: rule 'relu-id'
// UNSOUND-SAME: is unsound: the two sides compute different values
// UNSOUND-SAME: rule: relu(x) => x
// UNSOUND-SAME: shapes: x:
// UNSOUND-SAME: input x =
// UNSOUND-SAME: left side  =
// UNSOUND-SAME: right side =

// The check can be skipped for rules the user vouches for.
// RUN: ziggurat-opt %s -p 'eqsat{rules-file="%t.unsound.rules" check-rules=false}' | filecheck %s --check-prefix=SKIP
// SKIP: func.func @f

// RUN: not ziggurat-opt %s -p 'eqsat{rules=nosuchset}' 2>&1 | filecheck %s --check-prefix=SET
// SET: pass 'eqsat', option 'rules': unknown rule set(s) nosuchset

// Rule sets that are not IEEE-exact need their fast-math flags.
// RUN: not ziggurat-opt %s -p 'eqsat{rules=matmul}' 2>&1 | filecheck %s --check-prefix=FLAGS
// FLAGS: pass 'eqsat', option 'rules': rule set 'matmul' is not IEEE-exact: it needs fast-math=ninf,nnan,reassoc
// RUN: not ziggurat-opt %s -p 'eqsat{fast-math=fastest}' 2>&1 | filecheck %s --check-prefix=BADFLAG
// BADFLAG: pass 'eqsat', option 'fast-math': unknown fast-math flag(s) fastest
// `stats` is remark, - or a path ending in .json; anything else is an option error (exit 2).
// RUN: not ziggurat-opt %s -p 'eqsat{stats=json}' 2>&1 | filecheck %s --check-prefix=STATS
// STATS:      ziggurat-opt: error: pass 'eqsat', option 'stats': must be remark (or -) or a path ending in .json, got 'json'
// STATS-NEXT:   eqsat{stats=json}
// STATS-NEXT:         ^
// RUN: ziggurat-opt %s -p 'eqsat{stats="%t.json"}' -o /dev/null && filecheck %s --check-prefix=STATSFILE < %t.json
// STATSFILE: "function": "f"
// STATSFILE: "stop_reason":
// RUN: not ziggurat-opt %s -p 'eqsat{stats="%t.missing/s.json"}' 2>&1 | filecheck %s --check-prefix=STATSDIR
// STATSDIR: error: pass 'eqsat' failed: eqsat: cannot write stats '{{.*}}.missing/s.json': No such file or directory
// A user rule that is only right up to the sign of zero is rejected unless nsz is enabled.
// RUN: printf 'rule add-zero: add(x, 0.0) => x if shape(x) == shape($)\n' > %t.nsz.rules
// RUN: not ziggurat-opt %s -p 'eqsat{rules-file="%t.nsz.rules"}' 2>&1 | filecheck %s --check-prefix=NSZ
// NSZ: rule 'add-zero' is unsound
// RUN: ziggurat-opt %s -p 'eqsat{rules-file="%t.nsz.rules" fast-math=nsz}' | filecheck %s --check-prefix=SKIP

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = ztensor.relu %x : tensor<4xf32>
  func.return %r : tensor<4xf32>
}
