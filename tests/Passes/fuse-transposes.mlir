// RUN: goe-opt %s --pass-pipeline='builtin.module(func.func(goe-fuse-transposes))' | FileCheck %s

// CHECK-DAG: #[[PERM:.+]] = affine_map<(d0, d1, d2) -> (d1, d2, d0)>

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#red = affine_map<(d0, d1, d2) -> (d0, d1)>

// A transpose read once by an elementwise generic: the generic reads the
// untransposed input through the permuted map, and no transpose is left.
// CHECK-LABEL: func.func @fused
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [#[[PERM]], #{{[a-z0-9]+}}]
// CHECK-SAME: ins(%arg0 : tensor<4x5x3xf32>)
// CHECK: math.exp
// CHECK-NOT: linalg.generic
func.func @fused(%x: tensor<4x5x3xf32>) -> tensor<3x4x5xf32> {
  %e = tensor.empty() : tensor<3x4x5xf32>
  %t = linalg.transpose ins(%x : tensor<4x5x3xf32>) outs(%e : tensor<3x4x5xf32>) permutation = [2, 0, 1]
  %o = tensor.empty() : tensor<3x4x5xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%t : tensor<3x4x5xf32>) outs(%o : tensor<3x4x5xf32>) {
  ^bb0(%a: f32, %b: f32):
    %y = math.exp %a : f32
    linalg.yield %y : f32
  } -> tensor<3x4x5xf32>
  return %r : tensor<3x4x5xf32>
}

// Read twice: fusing would compute the transpose twice; it stays.
// CHECK-LABEL: func.func @two_uses
// CHECK: linalg.transpose
func.func @two_uses(%x: tensor<4x5x3xf32>) -> (tensor<3x4x5xf32>, tensor<3x4x5xf32>) {
  %e = tensor.empty() : tensor<3x4x5xf32>
  %t = linalg.transpose ins(%x : tensor<4x5x3xf32>) outs(%e : tensor<3x4x5xf32>) permutation = [2, 0, 1]
  %o = tensor.empty() : tensor<3x4x5xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%t : tensor<3x4x5xf32>) outs(%o : tensor<3x4x5xf32>) {
  ^bb0(%a: f32, %b: f32):
    %y = math.exp %a : f32
    linalg.yield %y : f32
  } -> tensor<3x4x5xf32>
  return %r, %t : tensor<3x4x5xf32>, tensor<3x4x5xf32>
}

// A reduction reads it: not elementwise, it stays.
// CHECK-LABEL: func.func @reduction
// CHECK: linalg.transpose
func.func @reduction(%x: tensor<4x5x3xf32>) -> tensor<3x4xf32> {
  %e = tensor.empty() : tensor<3x4x5xf32>
  %t = linalg.transpose ins(%x : tensor<4x5x3xf32>) outs(%e : tensor<3x4x5xf32>) permutation = [2, 0, 1]
  %z = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<3x4xf32>
  %f = linalg.fill ins(%z : f32) outs(%o : tensor<3x4xf32>) -> tensor<3x4xf32>
  %r = linalg.generic {indexing_maps = [#id, #red], iterator_types = ["parallel", "parallel", "reduction"]} ins(%t : tensor<3x4x5xf32>) outs(%f : tensor<3x4xf32>) {
  ^bb0(%a: f32, %b: f32):
    %y = arith.addf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<3x4xf32>
  return %r : tensor<3x4xf32>
}

// A named op reads it: it stays.
// CHECK-LABEL: func.func @named_consumer
// CHECK: linalg.transpose
// CHECK: linalg.matmul
func.func @named_consumer(%x: tensor<4x3xf32>, %w: tensor<4x6xf32>) -> tensor<3x6xf32> {
  %e = tensor.empty() : tensor<3x4xf32>
  %t = linalg.transpose ins(%x : tensor<4x3xf32>) outs(%e : tensor<3x4xf32>) permutation = [1, 0]
  %z = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<3x6xf32>
  %f = linalg.fill ins(%z : f32) outs(%o : tensor<3x6xf32>) -> tensor<3x6xf32>
  %r = linalg.matmul ins(%t, %w : tensor<3x4xf32>, tensor<4x6xf32>) outs(%f : tensor<3x6xf32>) -> tensor<3x6xf32>
  return %r : tensor<3x6xf32>
}

// Two transposes into one generic: both are read in place.
// CHECK-LABEL: func.func @two_transposes
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [#[[PERM]], #[[PERM]], #{{[a-z0-9]+}}]
// CHECK-SAME: ins(%arg0, %arg1 : tensor<4x5x3xf32>, tensor<4x5x3xf32>)
// CHECK: arith.addf
// CHECK-NOT: linalg.generic
func.func @two_transposes(%x: tensor<4x5x3xf32>, %y: tensor<4x5x3xf32>) -> tensor<3x4x5xf32> {
  %e = tensor.empty() : tensor<3x4x5xf32>
  %t = linalg.transpose ins(%x : tensor<4x5x3xf32>) outs(%e : tensor<3x4x5xf32>) permutation = [2, 0, 1]
  %e2 = tensor.empty() : tensor<3x4x5xf32>
  %u = linalg.transpose ins(%y : tensor<4x5x3xf32>) outs(%e2 : tensor<3x4x5xf32>) permutation = [2, 0, 1]
  %o = tensor.empty() : tensor<3x4x5xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%t, %u : tensor<3x4x5xf32>, tensor<3x4x5xf32>) outs(%o : tensor<3x4x5xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<3x4x5xf32>
  return %r : tensor<3x4x5xf32>
}

// The generic's init, not an input: it stays.
// CHECK-LABEL: func.func @as_init
// CHECK: linalg.transpose
func.func @as_init(%x: tensor<4x5x3xf32>, %y: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %e = tensor.empty() : tensor<3x4x5xf32>
  %t = linalg.transpose ins(%x : tensor<4x5x3xf32>) outs(%e : tensor<3x4x5xf32>) permutation = [2, 0, 1]
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%y : tensor<3x4x5xf32>) outs(%t : tensor<3x4x5xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<3x4x5xf32>
  return %r : tensor<3x4x5xf32>
}
