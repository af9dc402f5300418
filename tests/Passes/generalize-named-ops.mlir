// RUN: goe-opt %s --pass-pipeline="builtin.module(func.func(goe-generalize-named-ops))" | FileCheck %s
// Named linalg ops become linalg.generic, except a convolution the C
// microkernel will run (at least 32 output channels, f32, static shapes).

// CHECK-LABEL: func.func @kept
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: linalg.generic
func.func @kept(%x: tensor<1x4x4x64xf32>, %w: tensor<1x1x64x32xf32>, %o: tensor<1x4x4x32xf32>) -> tensor<1x4x4x32xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x4x4x64xf32>, tensor<1x1x64x32xf32>) outs(%o : tensor<1x4x4x32xf32>) -> tensor<1x4x4x32xf32>
  return %r : tensor<1x4x4x32xf32>
}

// CHECK-LABEL: func.func @generalized
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: linalg.matmul
// CHECK-COUNT-2: linalg.generic
func.func @generalized(%x: tensor<1x16x16x8xf32>, %w: tensor<3x3x8x16xf32>, %o: tensor<1x14x14x16xf32>, %a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<2x4xf32>) -> (tensor<1x14x14x16xf32>, tensor<2x4xf32>) {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x16x16x8xf32>, tensor<3x3x8x16xf32>) outs(%o : tensor<1x14x14x16xf32>) -> tensor<1x14x14x16xf32>
  %m = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x4xf32>) outs(%c : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %r, %m : tensor<1x14x14x16xf32>, tensor<2x4xf32>
}
