// RUN: goe-opt %s --goe-convs-to-microkernel-calls | FileCheck %s
// A convolution on buffers with at least 32 output channels becomes a call
// of the C microkernel: each operand cast to a fully dynamic strided
// memref, then the strides and dilations as i64. The callee is declared
// once, private, with llvm.emit_c_interface. Narrower convolutions and
// ones on tensors stay.

// CHECK: func.func private @goe_conv2d_nhwc_hwcf_f32(memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64) attributes {llvm.emit_c_interface}

// CHECK-LABEL: func.func @wide(
// CHECK-SAME: %[[X:.*]]: memref<1x9x9x8xf32>, %[[W:.*]]: memref<3x3x8x255xf32>, %[[O:.*]]: memref<1x4x4x255xf32>
// CHECK-DAG: %[[CX:.*]] = memref.cast %[[X]]
// CHECK-DAG: %[[CW:.*]] = memref.cast %[[W]]
// CHECK-DAG: %[[CO:.*]] = memref.cast %[[O]]
// CHECK: %[[SH:.*]] = arith.constant 2 : i64
// CHECK: %[[SW:.*]] = arith.constant 2 : i64
// CHECK: %[[DH:.*]] = arith.constant 1 : i64
// CHECK: %[[DW:.*]] = arith.constant 1 : i64
// CHECK: call @goe_conv2d_nhwc_hwcf_f32(%[[CX]], %[[CW]], %[[CO]], %[[SH]], %[[SW]], %[[DH]], %[[DW]])
// CHECK-NOT: linalg.conv
// CHECK: return
func.func @wide(%x: memref<1x9x9x8xf32>, %w: memref<3x3x8x255xf32>, %o: memref<1x4x4x255xf32>) {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : memref<1x9x9x8xf32>, memref<3x3x8x255xf32>) outs(%o : memref<1x4x4x255xf32>)
  return
}

// A second call site reuses the declaration.
// CHECK-LABEL: func.func @pointwise(
// CHECK: call @goe_conv2d_nhwc_hwcf_f32(
func.func @pointwise(%x: memref<1x4x4x64xf32>, %w: memref<1x1x64x32xf32>, %o: memref<1x4x4x32xf32>) {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x4x4x64xf32>, memref<1x1x64x32xf32>) outs(%o : memref<1x4x4x32xf32>)
  return
}

// 16 output channels: the MLIR-tiled code's.
// CHECK-LABEL: func.func @narrow(
// CHECK-NOT: call
// CHECK: linalg.conv_2d_nhwc_hwcf
func.func @narrow(%x: memref<1x16x16x8xf32>, %w: memref<3x3x8x16xf32>, %o: memref<1x14x14x16xf32>) {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x16x16x8xf32>, memref<3x3x8x16xf32>) outs(%o : memref<1x14x14x16xf32>)
  return
}

// An input whose channels are not contiguous (a strided view): stays.
// CHECK-LABEL: func.func @strided_channels(
// CHECK-NOT: call
// CHECK: linalg.conv_2d_nhwc_hwcf
func.func @strided_channels(%x: memref<1x4x4x32xf32, strided<[1024, 256, 64, 2]>>, %w: memref<1x1x32x32xf32>, %o: memref<1x4x4x32xf32>) {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x4x4x32xf32, strided<[1024, 256, 64, 2]>>, memref<1x1x32x32xf32>) outs(%o : memref<1x4x4x32xf32>)
  return
}

// On tensors (before bufferisation): stays.
// CHECK-LABEL: func.func @on_tensors(
// CHECK-NOT: call
// CHECK: linalg.conv_2d_nhwc_hwcf
func.func @on_tensors(%x: tensor<1x4x4x64xf32>, %w: tensor<1x1x64x32xf32>, %o: tensor<1x4x4x32xf32>) -> tensor<1x4x4x32xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x4x4x64xf32>, tensor<1x1x64x32xf32>) outs(%o : tensor<1x4x4x32xf32>) -> tensor<1x4x4x32xf32>
  return %r : tensor<1x4x4x32xf32>
}
