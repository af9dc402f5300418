// RUN: goe-opt %s -split-input-file --goe-weights-to-arguments --goe-extract-kernels | FileCheck %s
// RUN: goe-opt %s -split-input-file --goe-extract-kernels -verify-diagnostics -o /dev/null

// Graph, routers and globals go; functions become public C entry points.
// CHECK-NOT: ml_program.global
// CHECK-NOT: goe.router
// CHECK-LABEL: func.func @expert(
// CHECK-SAME: llvm.emit_c_interface
// CHECK-NOT: goe.graph
ml_program.global private @w(#ml_program.extern : tensor<4xf32>) : tensor<4xf32>
goe.router @r oracle choices 1 top 1
func.func private @expert(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = ml_program.global_load_const @w : tensor<4xf32>
  %r = tosa.reshape %w {new_shape = array<i64: 1, 4>} : (tensor<4xf32>) -> tensor<1x4xf32>
  %y = tosa.add %x, %r : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
  // expected-error @-3 {{still loads a weight global; run goe-weights-to-arguments first}}
  return %y : tensor<?x4xf32>
}
goe.graph @m(%x: tensor<?x4xf32>, %l: tensor<?xi64>) -> tensor<?x4xf32> {
  %r = goe.route @r(%l) : tensor<?xi64> -> !goe.routing<1, top 1>
  %y = goe.dispatch %r(%x) paths [[@expert]] : !goe.routing<1, top 1>, (tensor<?x4xf32>) -> tensor<?x1x4xf32>
  %z = goe.combine select %r, %y : !goe.routing<1, top 1>, tensor<?x1x4xf32> -> tensor<?x4xf32>
  goe.output %z : tensor<?x4xf32>
}
