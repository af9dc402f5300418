// RUN: goe-opt %s --goe-fold-batchnorm | FileCheck %s
// conv -> batch-norm with bound parameters becomes one conv. Channel 0:
// s = 2 / sqrt(15 + 1) = 0.5, weights [1, 2] -> [0.5, 1], bias (0 - 1) * 0.5
// + 0.5 = 0; channel 1: s = 1 / sqrt(0 + 1) = 1, bias (0 - 0) * 1 - 1 = -1.
// The batch-norm's parameters and ops are gone.

// CHECK-NOT: bn.
// Each new global records its recipe: the trained tensors it is made of and
// the transform, which the runtime replays on a weights file given at load.
// CHECK-DAG: ml_program.global private @c.0.conv.folded_weight(dense<{{\[\[\[\[}}5.000000e-01]], {{\[\[}}1.000000e+00]]], {{\[\[\[}}3.000000e+00]], {{\[\[}}4.000000e+00]]]]> : tensor<2x2x1x1xf32>) : tensor<2x2x1x1xf32> {goe.recipe = {sources = ["c.0.conv.weight", "c.0.bn.weight", "c.0.bn.running_var"], transforms = [{eps = 1.000000e+00 : f32, kind = "fold_batch_norm_weight"}]}}
// CHECK-DAG: ml_program.global private @c.0.conv.folded_bias(dense<[0.000000e+00, -1.000000e+00]> : tensor<2xf32>) : tensor<2xf32> {goe.recipe = {sources = ["c.0.bn.running_mean", "c.0.bn.weight", "c.0.bn.running_var", "c.0.bn.bias"], transforms = [{eps = 1.000000e+00 : f32, kind = "fold_batch_norm_bias"}]}}
// CHECK-NOT: @c.0.conv.weight
// CHECK-LABEL: func.func private @c
// CHECK: %[[W:.*]] = ml_program.global_load_const @c.0.conv.folded_weight
// CHECK: %[[T:.*]] = tosa.transpose %[[W]]
// CHECK: %[[B:.*]] = ml_program.global_load_const @c.0.conv.folded_bias
// CHECK: %[[Y:.*]] = tosa.conv2d %arg0, %[[T]], %[[B]]
// CHECK-NOT: tosa.rsqrt
// CHECK-NOT: tosa.sub
// CHECK: return %[[Y]]

ml_program.global private @c.0.conv.weight(dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>) : tensor<2x2x1x1xf32>
ml_program.global private @c.0.bn.weight(dense<[2.0, 1.0]> : tensor<2xf32>) : tensor<2xf32>
ml_program.global private @c.0.bn.bias(dense<[0.5, -1.0]> : tensor<2xf32>) : tensor<2xf32>
ml_program.global private @c.0.bn.running_mean(dense<[1.0, 0.0]> : tensor<2xf32>) : tensor<2xf32>
ml_program.global private @c.0.bn.running_var(dense<[15.0, 0.0]> : tensor<2xf32>) : tensor<2xf32>
func.func private @c(%x: tensor<?x4x4x2xf32>) -> tensor<?x4x4x2xf32> {
  %perms = "tosa.const"() <{value = dense<[0, 2, 3, 1]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %w = ml_program.global_load_const @c.0.conv.weight : tensor<2x2x1x1xf32>
  %wt = tosa.transpose %w, %perms : (tensor<2x2x1x1xf32>, tensor<4xi32>) -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{value = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %y = tosa.conv2d %x, %wt, %b {dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<?x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>) -> tensor<?x4x4x2xf32>
  %g0 = ml_program.global_load_const @c.0.bn.weight : tensor<2xf32>
  %g = tosa.reshape %g0 {new_shape = array<i64: 1, 1, 1, 2>} : (tensor<2xf32>) -> tensor<1x1x1x2xf32>
  %be0 = ml_program.global_load_const @c.0.bn.bias : tensor<2xf32>
  %be = tosa.reshape %be0 {new_shape = array<i64: 1, 1, 1, 2>} : (tensor<2xf32>) -> tensor<1x1x1x2xf32>
  %m0 = ml_program.global_load_const @c.0.bn.running_mean : tensor<2xf32>
  %m = tosa.reshape %m0 {new_shape = array<i64: 1, 1, 1, 2>} : (tensor<2xf32>) -> tensor<1x1x1x2xf32>
  %v0 = ml_program.global_load_const @c.0.bn.running_var : tensor<2xf32>
  %v = tosa.reshape %v0 {new_shape = array<i64: 1, 1, 1, 2>} : (tensor<2xf32>) -> tensor<1x1x1x2xf32>
  %eps = "tosa.const"() <{value = dense<1.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %ve = tosa.add %v, %eps : (tensor<1x1x1x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x1x2xf32>
  %inv = tosa.rsqrt %ve : (tensor<1x1x1x2xf32>) -> tensor<1x1x1x2xf32>
  %s = tosa.mul %g, %inv {shift = 0 : i8} : (tensor<1x1x1x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x1x1x2xf32>
  %c = tosa.sub %y, %m : (tensor<?x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<?x4x4x2xf32>
  %sc = tosa.mul %c, %s {shift = 0 : i8} : (tensor<?x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<?x4x4x2xf32>
  %r = tosa.add %sc, %be : (tensor<?x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<?x4x4x2xf32>
  return %r : tensor<?x4x4x2xf32>
}

// Unbound weights (no value) are left alone.
// RUN: sed 's/dense<\[\[\[\[1.0\]\], \[\[2.0\]\]\], \[\[\[3.0\]\], \[\[4.0\]\]\]\]>/#ml_program.extern/' %s | goe-opt --goe-fold-batchnorm | FileCheck %s --check-prefix=UNBOUND
// UNBOUND-DAG: tosa.rsqrt
// UNBOUND-DAG: @c.0.bn.running_var

// Prepacking after folding extends the folded weight's recipe.
// RUN: goe-opt %s --goe-fold-batchnorm --goe-prepack-weights | FileCheck %s --check-prefix=CHAIN
// CHAIN: ml_program.global private @c.0.conv.folded_weight.hwcf({{.*}}) : tensor<1x1x2x2xf32> {goe.recipe = {sources = ["c.0.conv.weight", "c.0.bn.weight", "c.0.bn.running_var"], transforms = [{eps = 1.000000e+00 : f32, kind = "fold_batch_norm_weight"}, {kind = "transpose", perm = array<i64: 2, 3, 1, 0>}]}}
