// RUN: goe-opt %s --goe-weights-to-arguments | FileCheck %s
// Each distinct global becomes one trailing argument, in first-use order;
// callers pass the globals along.

ml_program.global private @w(#ml_program.extern : tensor<3x4xf32>) : tensor<3x4xf32>
ml_program.global private @b(#ml_program.extern : tensor<3xf32>) : tensor<3xf32>

// CHECK-LABEL: func.func private @expert(
// CHECK-SAME: %[[X:.*]]: tensor<?x4xf32>, %[[W:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<3xf32>) -> tensor<?x3xf32>
// CHECK-SAME: goe.weights = [@w, @b]
// CHECK-NOT: ml_program.global_load_const
// CHECK: tosa.fully_connected %[[X]], %[[W]], %[[B]]
// CHECK: tosa.reshape %[[B]]
func.func private @expert(%x: tensor<?x4xf32>) -> tensor<?x3xf32> {
  %w = ml_program.global_load_const @w : tensor<3x4xf32>
  %b = ml_program.global_load_const @b : tensor<3xf32>
  %y = tosa.fully_connected %x, %w, %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %b2 = ml_program.global_load_const @b : tensor<3xf32>
  %r = tosa.reshape %b2 {new_shape = array<i64: 1, 3>} : (tensor<3xf32>) -> tensor<1x3xf32>
  %z = tosa.add %y, %r : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  return %z : tensor<?x3xf32>
}

// CHECK-LABEL: func.func @caller
// CHECK-DAG: %[[LW:.*]] = ml_program.global_load_const @w
// CHECK-DAG: %[[LB:.*]] = ml_program.global_load_const @b
// CHECK: call @expert(%{{.*}}, %[[LW]], %[[LB]])
func.func @caller(%x: tensor<?x4xf32>) -> tensor<?x3xf32> {
  %y = call @expert(%x) : (tensor<?x4xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
