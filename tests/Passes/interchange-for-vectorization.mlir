// RUN: goe-opt %s --pass-pipeline="builtin.module(func.func(linalg-generalize-named-ops,goe-interchange-for-vectorization))" | FileCheck %s
// The output's contiguous loop moves innermost, after the reductions.

// A matmul [B, I] x [I, O] -> [B, O]: loops (b, o, i) become (b, i, o).
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @matmul
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[W]], #[[O]]], iterator_types = ["parallel", "reduction", "parallel"]}
func.func @matmul(%a: tensor<?x784xf32>, %w: tensor<784x32xf32>, %o: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %r = linalg.matmul ins(%a, %w : tensor<?x784xf32>, tensor<784x32xf32>) outs(%o : tensor<?x32xf32>) -> tensor<?x32xf32>
  return %r : tensor<?x32xf32>
}

// A convolution NHWC x HWCF: (n, oh, ow, f, kh, kw, c) becomes
// (n, oh, ow, kh, kw, c, f).
// CHECK-LABEL: func.func @conv
// CHECK: iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]
func.func @conv(%x: tensor<?x16x16x8xf32>, %w: tensor<3x3x8x16xf32>, %o: tensor<?x14x14x16xf32>) -> tensor<?x14x14x16xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<?x16x16x8xf32>, tensor<3x3x8x16xf32>) outs(%o : tensor<?x14x14x16xf32>) -> tensor<?x14x14x16xf32>
  return %r : tensor<?x14x14x16xf32>
}

// Elementwise ops have no reduction and stay as they are.
// CHECK-LABEL: func.func @add
// CHECK: iterator_types = ["parallel", "parallel"]
func.func @add(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %r = linalg.add ins(%a, %b : tensor<?x4xf32>, tensor<?x4xf32>) outs(%a : tensor<?x4xf32>) -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}
