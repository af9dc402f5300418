// RUN: goe-opt %s --pass-pipeline="builtin.module(func.func(goe-tile-and-vectorize,canonicalize))" | FileCheck %s
// Register-sized tiles in vector form; the accumulator of each tile stays
// in registers (a loop-carried vector) across the reduction loops.

// A 3x3 conv NHWC x HWCF on one sample, 14x14 output, 8 -> 16 channels:
// tiles of 7 pixels x 16 channels, one window row per step of a loop over
// the 3 rows; no linalg op is left.
// CHECK-LABEL: func.func @conv
// CHECK-NOT: linalg.conv
// CHECK: scf.for %{{.*}} = %c0 to %c14 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c14 step %c7
// CHECK: vector.transfer_read {{.*}} vector<1x7x16xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c3 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (vector<1x7x16xf32>)
// CHECK-COUNT-3: vector.contract
// CHECK: scf.yield %{{.*}} : vector<1x7x16xf32>
// CHECK: vector.transfer_write {{.*}} vector<1x7x16xf32>
// CHECK-NOT: linalg.conv
func.func @conv(%x: tensor<1x16x16x8xf32>, %w: tensor<3x3x8x16xf32>, %o: tensor<1x14x14x16xf32>) -> tensor<1x14x14x16xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x16x16x8xf32>, tensor<3x3x8x16xf32>) outs(%o : tensor<1x14x14x16xf32>) -> tensor<1x14x14x16xf32>
  return %r : tensor<1x14x14x16xf32>
}

// 32 or more output channels: left whole for the C microkernel
// (goe-convs-to-microkernel-calls).
// CHECK-LABEL: func.func @wide_conv
// CHECK-NOT: scf.for
// CHECK: linalg.conv_2d_nhwc_hwcf
func.func @wide_conv(%x: tensor<1x4x4x64xf32>, %w: tensor<1x1x64x32xf32>, %o: tensor<1x4x4x32xf32>) -> tensor<1x4x4x32xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x4x4x64xf32>, tensor<1x1x64x32xf32>) outs(%o : tensor<1x4x4x32xf32>) -> tensor<1x4x4x32xf32>
  return %r : tensor<1x4x4x32xf32>
}

// A matmul [1, 784] x [784, 32]: the depth in steps of 16, a 32-wide
// accumulator carried through them.
// CHECK-LABEL: func.func @matmul
// CHECK: scf.for %{{.*}} = %c0 to %c784 step %c16 iter_args(%{{.*}} = %{{.*}}) -> (vector<1x32xf32>)
// CHECK: vector.contract
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: tensor<1x784xf32>, %w: tensor<784x32xf32>, %o: tensor<1x32xf32>) -> tensor<1x32xf32> {
  %r = linalg.matmul ins(%a, %w : tensor<1x784xf32>, tensor<784x32xf32>) outs(%o : tensor<1x32xf32>) -> tensor<1x32xf32>
  return %r : tensor<1x32xf32>
}

// A 2x2 max pool, stride 2: tiles of 7 pixels, a max over window rows.
// CHECK-LABEL: func.func @pool
// CHECK-NOT: linalg.pooling
// CHECK: arith.maximumf {{.*}} : vector<
func.func @pool(%x: tensor<1x14x14x16xf32>, %o: tensor<1x7x7x16xf32>) -> tensor<1x7x7x16xf32> {
  %k = tensor.empty() : tensor<2x2xf32>
  %r = linalg.pooling_nhwc_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%x, %k : tensor<1x14x14x16xf32>, tensor<2x2xf32>) outs(%o : tensor<1x7x7x16xf32>) -> tensor<1x7x7x16xf32>
  return %r : tensor<1x7x7x16xf32>
}

// An elementwise op over a dynamic batch: one sample per tile, rows of the
// inner two dimensions as vectors.
// CHECK-LABEL: func.func @relu
// CHECK: scf.for %{{.*}} = %c0 to %{{.*}} step %c1
// CHECK: arith.maximumf {{.*}} : vector<1x1x7x16xf32>
// CHECK-NOT: linalg.generic
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @relu(%x: tensor<?x7x7x16xf32>, %o: tensor<?x7x7x16xf32>) -> tensor<?x7x7x16xf32> {
  %zero = arith.constant 0.0 : f32
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<?x7x7x16xf32>) outs(%o : tensor<?x7x7x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<?x7x7x16xf32>
  return %r : tensor<?x7x7x16xf32>
}

// Data movement (a transpose) is left for the loop lowering.
// CHECK-LABEL: func.func @transpose
// CHECK: linalg.transpose
func.func @transpose(%x: tensor<1x7x7x16xf32>, %o: tensor<1x16x7x7xf32>) -> tensor<1x16x7x7xf32> {
  %r = linalg.transpose ins(%x : tensor<1x7x7x16xf32>) outs(%o : tensor<1x16x7x7xf32>) permutation = [0, 3, 1, 2]
  return %r : tensor<1x16x7x7xf32>
}
