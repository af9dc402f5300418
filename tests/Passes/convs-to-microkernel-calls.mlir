// RUN: goe-opt %s --goe-convs-to-microkernel-calls | FileCheck %s
// A convolution on buffers with at least 32 output channels becomes a call
// of the C microkernel: each operand cast to a fully dynamic strided
// memref, then what the sums start from (the output itself, or the bias
// that filled it), then the strides and dilations as i64, then the
// epilogue (1: LeakyReLU folded in, with its slope; 0: none). The callee is declared
// once, private, with llvm.emit_c_interface. Narrower convolutions and
// ones on tensors stay.

// CHECK: func.func private @goe_conv2d_nhwc_hwcf_f32(memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64, i64, f32) attributes {llvm.emit_c_interface}

// CHECK-LABEL: func.func @wide(
// CHECK-SAME: %[[X:.*]]: memref<1x9x9x8xf32>, %[[W:.*]]: memref<3x3x8x255xf32>, %[[O:.*]]: memref<1x4x4x255xf32>
// CHECK-DAG: %[[CX:.*]] = memref.cast %[[X]]
// CHECK-DAG: %[[CW:.*]] = memref.cast %[[W]]
// CHECK-DAG: %[[CO:.*]] = memref.cast %[[O]]
// CHECK-DAG: %[[CS:.*]] = memref.cast %[[O]]
// CHECK: %[[SH:.*]] = arith.constant 2 : i64
// CHECK: %[[SW:.*]] = arith.constant 2 : i64
// CHECK: %[[DH:.*]] = arith.constant 1 : i64
// CHECK: %[[DW:.*]] = arith.constant 1 : i64
// CHECK: %[[NONE:.*]] = arith.constant 0 : i64
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: call @goe_conv2d_nhwc_hwcf_f32(%[[CX]], %[[CW]], %[[CO]], %[[CS]], %[[SH]], %[[SW]], %[[DH]], %[[DW]], %[[NONE]], %[[ZERO]])
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

// The LeakyReLU after a convolution, into a fresh buffer nothing else
// reads: applied by the call (epilogue 1, slope 0.1); the generic and its
// buffer go, their readers read the convolution's buffer, which now the
// result's deallocation frees.
#identity = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#batch0 = affine_map<(d0, d1, d2, d3) -> (0, d1, d2, d3)>
// CHECK-LABEL: func.func @leaky(
// CHECK: %[[CONV:.*]] = memref.alloc() : memref<1x4x4x32xf32>
// CHECK: linalg.fill
// CHECK: arith.constant 1 : i64
// CHECK: arith.constant 1 : i64
// CHECK: arith.constant 1 : i64
// CHECK: arith.constant 1 : i64
// CHECK-NEXT: arith.constant 1 : i64
// CHECK: %[[SLOPE:.*]] = arith.constant 1.000000e-01 : f32
// CHECK-NEXT: call @goe_conv2d_nhwc_hwcf_f32({{.*}}, %[[LEAKY:[^,]*]], %[[SLOPE]])
// CHECK-NOT: linalg.generic
// CHECK-NOT: memref.alloc
// CHECK: linalg.copy ins(%[[CONV]] : memref<1x4x4x32xf32>)
// CHECK-NEXT: memref.dealloc %[[CONV]]
// CHECK-NOT: memref.dealloc
// CHECK: return
func.func @leaky(%x: memref<1x4x4x64xf32>, %w: memref<1x1x64x32xf32>, %o: memref<1x4x4x32xf32>) {
  %slope = arith.constant 0.1 : f32
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<1x4x4x32xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<1x4x4x32xf32>)
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x4x4x64xf32>, memref<1x1x64x32xf32>) outs(%c : memref<1x4x4x32xf32>)
  %a = memref.alloc() : memref<1x4x4x32xf32>
  linalg.generic {indexing_maps = [#batch0, #identity], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : memref<1x4x4x32xf32>) outs(%a : memref<1x4x4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %slope : f32
    %r = arith.maximumf %in, %m : f32
    linalg.yield %r : f32
  }
  memref.dealloc %c : memref<1x4x4x32xf32>
  linalg.copy ins(%a : memref<1x4x4x32xf32>) outs(%o : memref<1x4x4x32xf32>)
  memref.dealloc %a : memref<1x4x4x32xf32>
  return
}

// The convolution's buffer read again after the activation (the
// pre-activation value is needed): the generic stays, epilogue 0.
// CHECK-LABEL: func.func @read_twice(
// CHECK: %[[NONE:.*]] = arith.constant 0 : i64
// CHECK: call @goe_conv2d_nhwc_hwcf_f32({{.*}}, %[[NONE]], %{{.*}})
// CHECK: linalg.generic
func.func @read_twice(%x: memref<1x4x4x64xf32>, %w: memref<1x1x64x32xf32>, %o: memref<1x4x4x32xf32>, %p: memref<1x4x4x32xf32>) {
  %slope = arith.constant 0.1 : f32
  %c = memref.alloca() : memref<1x4x4x32xf32>
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x4x4x64xf32>, memref<1x1x64x32xf32>) outs(%c : memref<1x4x4x32xf32>)
  %a = memref.alloca() : memref<1x4x4x32xf32>
  linalg.generic {indexing_maps = [#identity, #identity], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : memref<1x4x4x32xf32>) outs(%a : memref<1x4x4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %slope : f32
    %r = arith.maximumf %in, %m : f32
    linalg.yield %r : f32
  }
  linalg.copy ins(%a : memref<1x4x4x32xf32>) outs(%o : memref<1x4x4x32xf32>)
  linalg.copy ins(%c : memref<1x4x4x32xf32>) outs(%p : memref<1x4x4x32xf32>)
  return
}

// Not max(x, slope x) (here x * 0.1 + x): stays a generic.
// CHECK-LABEL: func.func @not_leaky(
// CHECK: %[[NONE:.*]] = arith.constant 0 : i64
// CHECK: call @goe_conv2d_nhwc_hwcf_f32({{.*}}, %[[NONE]], %{{.*}})
// CHECK: linalg.generic
func.func @not_leaky(%x: memref<1x4x4x64xf32>, %w: memref<1x1x64x32xf32>, %o: memref<1x4x4x32xf32>) {
  %slope = arith.constant 0.1 : f32
  %c = memref.alloca() : memref<1x4x4x32xf32>
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x4x4x64xf32>, memref<1x1x64x32xf32>) outs(%c : memref<1x4x4x32xf32>)
  %a = memref.alloca() : memref<1x4x4x32xf32>
  linalg.generic {indexing_maps = [#identity, #identity], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : memref<1x4x4x32xf32>) outs(%a : memref<1x4x4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %slope : f32
    %r = arith.addf %in, %m : f32
    linalg.yield %r : f32
  }
  linalg.copy ins(%a : memref<1x4x4x32xf32>) outs(%o : memref<1x4x4x32xf32>)
  return
}

// The activation written into the function's output (not a fresh
// buffer): stays.
// CHECK-LABEL: func.func @into_argument(
// CHECK: %[[NONE:.*]] = arith.constant 0 : i64
// CHECK: call @goe_conv2d_nhwc_hwcf_f32({{.*}}, %[[NONE]], %{{.*}})
// CHECK: linalg.generic
func.func @into_argument(%x: memref<1x4x4x64xf32>, %w: memref<1x1x64x32xf32>, %o: memref<1x4x4x32xf32>) {
  %slope = arith.constant 0.1 : f32
  %c = memref.alloca() : memref<1x4x4x32xf32>
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x4x4x64xf32>, memref<1x1x64x32xf32>) outs(%c : memref<1x4x4x32xf32>)
  linalg.generic {indexing_maps = [#identity, #identity], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : memref<1x4x4x32xf32>) outs(%o : memref<1x4x4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %slope : f32
    %r = arith.maximumf %in, %m : f32
    linalg.yield %r : f32
  }
  return
}

// A view of the convolution's buffer taken before it could be read after
// the activation: stays.
// CHECK-LABEL: func.func @viewed_before(
// CHECK: %[[NONE:.*]] = arith.constant 0 : i64
// CHECK: call @goe_conv2d_nhwc_hwcf_f32({{.*}}, %[[NONE]], %{{.*}})
// CHECK: linalg.generic
func.func @viewed_before(%x: memref<1x4x4x64xf32>, %w: memref<1x1x64x32xf32>, %o: memref<1x4x4x32xf32>, %p: memref<4x4x32xf32>) {
  %slope = arith.constant 0.1 : f32
  %c = memref.alloca() : memref<1x4x4x32xf32>
  %v = memref.collapse_shape %c [[0, 1], [2], [3]] : memref<1x4x4x32xf32> into memref<4x4x32xf32>
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x4x4x64xf32>, memref<1x1x64x32xf32>) outs(%c : memref<1x4x4x32xf32>)
  %a = memref.alloca() : memref<1x4x4x32xf32>
  linalg.generic {indexing_maps = [#identity, #identity], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : memref<1x4x4x32xf32>) outs(%a : memref<1x4x4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %slope : f32
    %r = arith.maximumf %in, %m : f32
    linalg.yield %r : f32
  }
  linalg.copy ins(%a : memref<1x4x4x32xf32>) outs(%o : memref<1x4x4x32xf32>)
  linalg.copy ins(%v : memref<4x4x32xf32>) outs(%p : memref<4x4x32xf32>)
  return
}

// The bias broadcast that fills the output just before the convolution
// (only pure ops between): folded. The sums start from the bias, read in
// place as a view with pixel strides 0; the fill goes.
#channel = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-LABEL: func.func @bias(
// CHECK-SAME: %[[X:[^:]*]]: memref<1x4x4x64xf32>, %[[W:[^:]*]]: memref<1x1x64x32xf32>, %[[B:[^:]*]]: memref<32xf32>, %[[O:[^:]*]]: memref<1x4x4x32xf32>
// CHECK-NOT: linalg.generic
// CHECK: %[[VIEW:.*]] = memref.reinterpret_cast %[[B]] to offset: [0], sizes: [1, 4, 4, 32], strides: [0, 0, 0, 1]
// CHECK: %[[CB:.*]] = memref.cast %[[VIEW]]
// CHECK: call @goe_conv2d_nhwc_hwcf_f32(%{{.*}}, %{{.*}}, %{{.*}}, %[[CB]],
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @bias(%x: memref<1x4x4x64xf32>, %w: memref<1x1x64x32xf32>, %b: memref<32xf32>, %o: memref<1x4x4x32xf32>) {
  linalg.generic {indexing_maps = [#channel, #identity], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : memref<32xf32>) outs(%o : memref<1x4x4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  %unused = arith.constant 3 : index
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x4x4x64xf32>, memref<1x1x64x32xf32>) outs(%o : memref<1x4x4x32xf32>)
  return
}

// A write between the fill and the convolution: the fill stays, the sums
// start from the output.
// CHECK-LABEL: func.func @bias_then_store(
// CHECK-SAME: %[[O:[^:]*]]: memref<1x4x4x32xf32>)
// CHECK: linalg.generic
// CHECK: memref.store
// CHECK: memref.cast %[[O]]
// CHECK-NEXT: %[[CS:.*]] = memref.cast %[[O]]
// CHECK: call @goe_conv2d_nhwc_hwcf_f32(%{{.*}}, %{{.*}}, %{{.*}}, %[[CS]],
func.func @bias_then_store(%x: memref<1x4x4x64xf32>, %w: memref<1x1x64x32xf32>, %b: memref<32xf32>, %o: memref<1x4x4x32xf32>) {
  linalg.generic {indexing_maps = [#channel, #identity], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : memref<32xf32>) outs(%o : memref<1x4x4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  memref.store %one, %o[%c0, %c0, %c0, %c0] : memref<1x4x4x32xf32>
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x4x4x64xf32>, memref<1x1x64x32xf32>) outs(%o : memref<1x4x4x32xf32>)
  return
}

// A bias in a strided view (not an identity layout): the fill stays.
// CHECK-LABEL: func.func @strided_bias(
// CHECK: linalg.generic
// CHECK: call @goe_conv2d_nhwc_hwcf_f32(
func.func @strided_bias(%x: memref<1x4x4x64xf32>, %w: memref<1x1x64x32xf32>, %b: memref<32xf32, strided<[2]>>, %o: memref<1x4x4x32xf32>) {
  linalg.generic {indexing_maps = [#channel, #identity], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : memref<32xf32, strided<[2]>>) outs(%o : memref<1x4x4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x4x4x64xf32>, memref<1x1x64x32xf32>) outs(%o : memref<1x4x4x32xf32>)
  return
}

// A bias that is not a function argument (here a fresh buffer): the fill
// stays (only a weight argument is known not to alias the output).
// CHECK-LABEL: func.func @bias_not_argument(
// CHECK: linalg.generic
// CHECK-NOT: memref.reinterpret_cast
// CHECK: call @goe_conv2d_nhwc_hwcf_f32(
func.func @bias_not_argument(%x: memref<1x4x4x64xf32>, %w: memref<1x1x64x32xf32>, %o: memref<1x4x4x32xf32>) {
  %b = memref.alloc() : memref<32xf32>
  linalg.generic {indexing_maps = [#channel, #identity], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : memref<32xf32>) outs(%o : memref<1x4x4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x4x4x64xf32>, memref<1x1x64x32xf32>) outs(%o : memref<1x4x4x32xf32>)
  memref.dealloc %b : memref<32xf32>
  return
}
