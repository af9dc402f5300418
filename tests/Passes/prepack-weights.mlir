// RUN: goe-opt %s --goe-prepack-weights | FileCheck %s
// RUN: goe-opt %s --goe-prepack-weights | FileCheck %s --check-prefix=GONE
// Bound weights are stored in the layouts the CPU kernels read, with the
// inverse transpose left in the IR; the PyTorch-layout globals are dropped.
// Each packed global records its recipe (source and transpose), which the
// runtime replays on a weights file given at load.

// Conv weight OIHW [2, 1, 1, 3] = [[[[1, 2, 3]]], [[[4, 5, 6]]]] becomes
// HWCF [1, 3, 1, 2]: out[0, w, 0, f] = in[f, 0, 0, w].
// CHECK-DAG: ml_program.global private @c.0.weight.hwcf(dense<{{\[\[\[\[}}1.000000e+00, 4.000000e+00]], {{\[\[}}2.000000e+00, 5.000000e+00]], {{\[\[}}3.000000e+00, 6.000000e+00]]]]> : tensor<1x3x1x2xf32>) : tensor<1x3x1x2xf32> {goe.recipe = {sources = ["c.0.weight"], transforms = [{kind = "transpose", perm = array<i64: 2, 3, 1, 0>}]}}
// Linear weight [out 3, in 2] becomes [in 2, out 3].
// CHECK-DAG: ml_program.global private @l.0.weight.io(dense<{{\[\[}}1.000000e+00, 3.000000e+00, 5.000000e+00], [2.000000e+00, 4.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>) : tensor<2x3xf32> {goe.recipe = {sources = ["l.0.weight"], transforms = [{kind = "transpose", perm = array<i64: 1, 0>}]}}
// GONE-NOT: @c.0.weight{{[ (:]}}
// GONE-NOT: @l.0.weight{{[ (:]}}
// An unbound weight is left as it is.
// CHECK-DAG: ml_program.global private @u.0.weight(#

ml_program.global private @c.0.weight(dense<[[[[1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0]]]]> : tensor<2x1x1x3xf32>) : tensor<2x1x1x3xf32>
ml_program.global private @l.0.weight(dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>) : tensor<3x2xf32>
ml_program.global private @u.0.weight(#ml_program.extern : tensor<3x2xf32>) : tensor<3x2xf32>

// CHECK-LABEL: func.func private @c
// CHECK: %[[W:.*]] = ml_program.global_load_const @c.0.weight.hwcf
// CHECK: %[[T:.*]] = tosa.transpose %[[W]], %{{.*}} : (tensor<1x3x1x2xf32>, tensor<4xi32>) -> tensor<2x1x3x1xf32>
// CHECK: tosa.conv2d %arg0, %[[T]]
func.func private @c(%x: tensor<?x4x4x1xf32>) -> tensor<?x4x2x2xf32> {
  %perms = "tosa.const"() <{value = dense<[0, 2, 3, 1]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %w = ml_program.global_load_const @c.0.weight : tensor<2x1x1x3xf32>
  %wt = tosa.transpose %w, %perms : (tensor<2x1x1x3xf32>, tensor<4xi32>) -> tensor<2x1x3x1xf32>
  %b = "tosa.const"() <{value = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %y = tosa.conv2d %x, %wt, %b {dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<?x4x4x1xf32>, tensor<2x1x3x1xf32>, tensor<2xf32>) -> tensor<?x4x2x2xf32>
  return %y : tensor<?x4x2x2xf32>
}

// CHECK-LABEL: func.func private @l
// CHECK: %[[W:.*]] = ml_program.global_load_const @l.0.weight.io
// CHECK: %[[T:.*]] = tosa.transpose %[[W]], %{{.*}} : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<3x2xf32>
// CHECK: tosa.fully_connected %arg0, %[[T]]
// CHECK: %[[U:.*]] = ml_program.global_load_const @u.0.weight
// CHECK: tosa.fully_connected %{{.*}}, %[[U]]
func.func private @l(%x: tensor<?x2xf32>) -> tensor<?x3xf32> {
  %w = ml_program.global_load_const @l.0.weight : tensor<3x2xf32>
  %b = "tosa.const"() <{value = dense<0.0> : tensor<3xf32>}> : () -> tensor<3xf32>
  %y = tosa.fully_connected %x, %w, %b : (tensor<?x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %u = ml_program.global_load_const @u.0.weight : tensor<3x2xf32>
  %z = tosa.fully_connected %x, %u, %b : (tensor<?x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %s = tosa.add %y, %z : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  return %s : tensor<?x3xf32>
}
