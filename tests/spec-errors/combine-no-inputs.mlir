// Regression (fixed): goe.combine with no tensor operands passes the verifier, but its
// custom form prints as `goe.combine select %0,  : !goe.routing<2, top 1>,  ->`
// which does not parse back (goe-compile emits this for a module with
// `outputs: {}`). Wanted: the verifier rejects a combine without inputs.
// RUN: not goe-opt %s 2>&1 | FileCheck %s
// CHECK: combine-no-inputs.mlir:[[@LINE+5]]:5: error:
module {
  goe.router @r oracle choices 2 top 1
  goe.graph @g(%x: tensor<?x4xf32>, %l: tensor<?xi64>) {
    %r = goe.route @r(%l) : tensor<?xi64> -> !goe.routing<2, top 1>
    "goe.combine"(%r) <{kind = 0 : i32}> : (!goe.routing<2, top 1>) -> ()
    goe.output
  }
}
