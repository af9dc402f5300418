// RUN: goe-opt %s --goe-sample-loop | FileCheck %s
// A batched kernel becomes a loop over samples calling its batch-1 body;
// the body's shapes are refined to static ones.

// CHECK-LABEL: func.func private @k.sample(
// CHECK-SAME: %{{.*}}: tensor<1x4xf32>, %{{.*}}: tensor<3x4xf32>, %{{.*}}: tensor<3xf32>) -> tensor<1x3xf32>
// CHECK-NOT: llvm.emit_c_interface
// CHECK: tosa.fully_connected {{.*}} -> tensor<1x3xf32>
// CHECK: tosa.clamp {{.*}} -> tensor<1x3xf32>
// CHECK-NOT: tensor.cast
// CHECK: return

// The entry point keeps its signature and attributes.
// CHECK-LABEL: func.func @k(
// CHECK-SAME: %[[X:.*]]: tensor<?x4xf32>, %[[W:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<3xf32>) -> tensor<?x3xf32>
// CHECK-SAME: goe.weights = [@w, @b], llvm.emit_c_interface
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x4xf32>
// CHECK: %[[OUT:.*]] = tensor.empty(%[[N]]) : tensor<?x3xf32>
// CHECK: %[[R:.*]] = scf.for %[[I:.*]] = %{{.*}} to %[[N]] step %{{.*}} iter_args(%[[ACC:.*]] = %[[OUT]])
// CHECK: %[[S:.*]] = tensor.extract_slice %[[X]][%[[I]], 0] [1, 4] [1, 1]
// CHECK: %[[C:.*]] = linalg.copy ins(%[[S]] : tensor<1x4xf32>)
// CHECK: %[[Y:.*]] = func.call @k.sample(%[[C]], %[[W]], %[[B]])
// CHECK: %[[INS:.*]] = tensor.insert_slice %[[Y]] into %[[ACC]][%[[I]], 0] [1, 3] [1, 1]
// CHECK: scf.yield %[[INS]]
// CHECK: return %[[R]]
func.func @k(%x: tensor<?x4xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> attributes {goe.weights = [@w, @b], llvm.emit_c_interface} {
  %y = tosa.fully_connected %x, %w, %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %r = tosa.clamp %y {max_fp = 3.4e38 : f32, max_int = 2147483647 : i64, min_fp = 0.0 : f32, min_int = 0 : i64} : (tensor<?x3xf32>) -> tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}

// A function without a batch dimension is not a batched kernel.
// CHECK-LABEL: func.func @static(
// CHECK-NOT: scf.for
// CHECK: tosa.fully_connected
func.func @static(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> attributes {goe.weights = [@w, @b]} {
  %y = tosa.fully_connected %x, %w, %b : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
