// RUN: goe-opt %s --goe-specialize-paths | FileCheck %s
// A two-level tree: each path becomes one function with both levels inlined;
// the node functions no path uses any more are removed.

// CHECK-NOT: func.func private @t.level
// CHECK-LABEL: func.func private @t.path0(%{{.*}}: tensor<?x4xf32>) -> tensor<?x4xf32>
// CHECK: %[[A:.*]] = tosa.add %arg0, %arg0
// CHECK: %[[B:.*]] = tosa.mul %[[A]], %[[A]]
// CHECK: return %[[B]]
// CHECK-LABEL: func.func private @t.path1
// CHECK: tosa.add
// CHECK: tosa.sub
// CHECK: goe.dispatch %{{.*}}(%{{.*}}) paths {{\[}}[@t.path0], [@t.path1]]
func.func private @t.level0.0(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %y = tosa.add %x, %x : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
func.func private @t.level1.0(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %y = tosa.mul %x, %x {shift = 0 : i8} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
func.func private @t.level1.1(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %y = tosa.sub %x, %x : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
goe.router @r oracle choices 2 top 1
goe.graph @m(%x: tensor<?x4xf32>, %l: tensor<?xi64>) -> tensor<?x4xf32> {
  %r = goe.route @r(%l) : tensor<?xi64> -> !goe.routing<2, top 1>
  %y = goe.dispatch %r(%x) paths [[@t.level0.0, @t.level1.0], [@t.level0.0, @t.level1.1]] : !goe.routing<2, top 1>, (tensor<?x4xf32>) -> tensor<?x1x4xf32>
  %z = goe.combine select %r, %y : !goe.routing<2, top 1>, tensor<?x1x4xf32> -> tensor<?x4xf32>
  goe.output %z : tensor<?x4xf32>
}
