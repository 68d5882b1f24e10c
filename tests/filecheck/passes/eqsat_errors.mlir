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
// SET: eqsat: unknown rule set(s) nosuchset

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = ztensor.relu %x : tensor<4xf32>
  func.return %r : tensor<4xf32>
}
