// RUN: goe-opt %s --goe-annotate-macs | FileCheck %s
// MACs per sample: conv = output elements x (KH x KW x IC); linear = O x I;
// a call adds the callee's count; elementwise ops and pooling add nothing.

// 28x28x8 outputs x (3x3x1) = 56448
// CHECK-LABEL: func.func private @conv
// CHECK-SAME: goe.macs = 56448 : i64
func.func private @conv(%x: tensor<?x28x28x1xf32>, %w: tensor<8x3x3x1xf32>, %b: tensor<8xf32>) -> tensor<?x28x28x8xf32> {
  %y = tosa.conv2d %x, %w, %b {dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<?x28x28x1xf32>, tensor<8x3x3x1xf32>, tensor<8xf32>) -> tensor<?x28x28x8xf32>
  %z = tosa.sigmoid %y : (tensor<?x28x28x8xf32>) -> tensor<?x28x28x8xf32>
  return %z : tensor<?x28x28x8xf32>
}

// 10 x 32 = 320
// CHECK-LABEL: func.func private @linear
// CHECK-SAME: goe.macs = 320 : i64
func.func private @linear(%x: tensor<?x32xf32>, %w: tensor<10x32xf32>, %b: tensor<10xf32>) -> tensor<?x10xf32> {
  %y = tosa.fully_connected %x, %w, %b : (tensor<?x32xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}

// 56448 + 320
// CHECK-LABEL: func.func @both
// CHECK-SAME: goe.macs = 56768 : i64
func.func @both(%x: tensor<?x28x28x1xf32>, %w: tensor<8x3x3x1xf32>, %b: tensor<8xf32>, %v: tensor<?x32xf32>, %w2: tensor<10x32xf32>, %b2: tensor<10xf32>) {
  %0 = call @conv(%x, %w, %b) : (tensor<?x28x28x1xf32>, tensor<8x3x3x1xf32>, tensor<8xf32>) -> tensor<?x28x28x8xf32>
  %1 = call @linear(%v, %w2, %b2) : (tensor<?x32xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return
}

// A count the frontend gave (its layer ops' MACs) is kept, and callers add it.
// CHECK-LABEL: func.func private @annotated
// CHECK-SAME: goe.macs = 7 : i64
func.func private @annotated(%x: tensor<?x32xf32>, %w: tensor<10x32xf32>, %b: tensor<10xf32>) -> tensor<?x10xf32> attributes {goe.macs = 7 : i64} {
  %y = tosa.fully_connected %x, %w, %b : (tensor<?x32xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}

// CHECK-LABEL: func.func @callsAnnotated
// CHECK-SAME: goe.macs = 7 : i64
func.func @callsAnnotated(%v: tensor<?x32xf32>, %w: tensor<10x32xf32>, %b: tensor<10xf32>) {
  %0 = call @annotated(%v, %w, %b) : (tensor<?x32xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return
}
