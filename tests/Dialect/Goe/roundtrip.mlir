// RUN: goe-opt %s | goe-opt | FileCheck %s
// The printed form parses back to the same module.

func.func private @expert_a(%x: tensor<?x4xf32>) -> tensor<?x3xf32> {
  %w = "tosa.const"() <{value = dense<1.0> : tensor<3x4xf32>}> : () -> tensor<3x4xf32>
  %b = "tosa.const"() <{value = dense<0.0> : tensor<3xf32>}> : () -> tensor<3xf32>
  %y = tosa.fully_connected %x, %w, %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
func.func private @expert_b(%x: tensor<?x4xf32>) -> tensor<?x3xf32> {
  %y = tosa.slice %x {start = array<i64: 0, 0>, size = array<i64: -1, 3>} : (tensor<?x4xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
func.func private @gate(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  %w = "tosa.const"() <{value = dense<1.0> : tensor<2x4xf32>}> : () -> tensor<2x4xf32>
  %b = "tosa.const"() <{value = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %y = tosa.fully_connected %x, %w, %b : (tensor<?x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// CHECK: goe.router @learned topk choices 2 top 2 body @gate params {balance_weight = 1.000000e-02 : f64}
goe.router @learned topk choices 2 top 2 body @gate params {balance_weight = 1.000000e-02 : f64}
// CHECK: goe.router @labels oracle choices 2 top 1
goe.router @labels oracle choices 2 top 1

// CHECK-LABEL: goe.graph @model(%{{.*}}: tensor<?x4xf32>, %{{.*}}: tensor<?xi64>) -> (tensor<?x3xf32>, tensor<?x3xf32>)
goe.graph @model(%x: tensor<?x4xf32>, %label: tensor<?xi64>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
  // CHECK: %[[R:.*]] = goe.route @learned(%{{.*}}) : tensor<?x4xf32> -> !goe.routing<2, top 2>
  %r = goe.route @learned(%x) : tensor<?x4xf32> -> !goe.routing<2, top 2>
  // CHECK: %[[Y:.*]] = goe.dispatch %[[R]](%{{.*}}) paths {{\[}}[@expert_a], [@expert_b]] : !goe.routing<2, top 2>, (tensor<?x4xf32>) -> tensor<?x2x3xf32>
  %y = goe.dispatch %r(%x) paths [[@expert_a], [@expert_b]] : !goe.routing<2, top 2>, (tensor<?x4xf32>) -> tensor<?x2x3xf32>
  // CHECK: goe.combine weighted_sum %[[R]], %[[Y]] : !goe.routing<2, top 2>, tensor<?x2x3xf32> -> tensor<?x3xf32>
  %z = goe.combine weighted_sum %r, %y : !goe.routing<2, top 2>, tensor<?x2x3xf32> -> tensor<?x3xf32>
  // CHECK: goe.route @labels
  %o = goe.route @labels(%label) : tensor<?xi64> -> !goe.routing<2, top 1>
  %s = goe.dispatch %o(%x) paths [[@expert_a], [@expert_b]] : !goe.routing<2, top 1>, (tensor<?x4xf32>) -> tensor<?x1x3xf32>
  // CHECK: goe.combine select
  %t = goe.combine select %o, %s : !goe.routing<2, top 1>, tensor<?x1x3xf32> -> tensor<?x3xf32>
  // CHECK: goe.output %{{.*}}, %{{.*}} : tensor<?x3xf32>, tensor<?x3xf32>
  goe.output %z, %t : tensor<?x3xf32>, tensor<?x3xf32>
}
