// RUN: goe-opt %s --pass-pipeline='builtin.module(func.func(goe-drop-batch-broadcasts))' | FileCheck %s

// The batch-1 broadcast guard tosa-to-linalg emits is the identity when all
// batches are equal: the operand is used directly.
// CHECK-LABEL: func.func @add
// CHECK-NOT: scf.if
// CHECK: linalg.generic {{.*}} ins(%arg0, %arg1 :
func.func @add(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %a, %c0 : tensor<?x4xf32>
  %is1 = arith.cmpi eq, %n, %c1 : index
  %a2 = scf.if %is1 -> (tensor<?x4xf32>) {
    %e = tensor.empty(%n) : tensor<?x4xf32>
    %bc = linalg.copy ins(%a : tensor<?x4xf32>) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
    scf.yield %bc : tensor<?x4xf32>
  } else {
    scf.yield %a : tensor<?x4xf32>
  }
  %m = tensor.dim %b, %c0 : tensor<?x4xf32>
  %bis1 = arith.cmpi eq, %m, %c1 : index
  %b2 = scf.if %bis1 -> (tensor<?x4xf32>) {
    %e = tensor.empty(%m) : tensor<?x4xf32>
    %bc = linalg.copy ins(%b : tensor<?x4xf32>) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
    scf.yield %bc : tensor<?x4xf32>
  } else {
    scf.yield %b : tensor<?x4xf32>
  }
  %out = tensor.empty(%n) : tensor<?x4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%a2, %b2 : tensor<?x4xf32>, tensor<?x4xf32>) outs(%out : tensor<?x4xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

// A branch on another dimension, or whose else does more than pass the
// operand through, is kept.
// CHECK-LABEL: func.func @other_dim
// CHECK: scf.if
func.func @other_dim(%a: tensor<4x?xf32>) -> tensor<4x?xf32> {
  %c1 = arith.constant 1 : index
  %n = tensor.dim %a, %c1 : tensor<4x?xf32>
  %is1 = arith.cmpi eq, %n, %c1 : index
  %r = scf.if %is1 -> (tensor<4x?xf32>) {
    scf.yield %a : tensor<4x?xf32>
  } else {
    scf.yield %a : tensor<4x?xf32>
  }
  return %r : tensor<4x?xf32>
}
