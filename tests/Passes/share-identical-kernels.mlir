// RUN: goe-opt %s --goe-share-identical-kernels | FileCheck %s
// Two experts copied from one module: their per-sample bodies are equal op
// for op, so the second entry point calls the first body and the second
// body is gone. A body of another shape, and one that differs in an
// attribute, stay. Entry points (public) are never merged.

// CHECK-LABEL: func.func private @a.sample(
// CHECK-NOT: func.func private @b.sample
// CHECK-LABEL: func.func private @c.sample(
// CHECK-LABEL: func.func private @d.sample(
// CHECK: max_fp = 6.000000e+00
// CHECK-LABEL: func.func @a(
// CHECK: call @a.sample(
// CHECK-LABEL: func.func @b(
// CHECK: call @a.sample(
// CHECK-LABEL: func.func @c(
// CHECK: call @c.sample(
// CHECK-LABEL: func.func @d(
// CHECK: call @d.sample(
// CHECK-LABEL: func.func @e(
// CHECK-LABEL: func.func @f(

func.func private @a.sample(%x: tensor<1x4xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> tensor<1x3xf32> {
  %y = tosa.fully_connected %x, %w, %b : (tensor<1x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  %r = tosa.clamp %y {max_fp = 3.4e38 : f32, max_int = 2147483647 : i64, min_fp = 0.0 : f32, min_int = 0 : i64} : (tensor<1x3xf32>) -> tensor<1x3xf32>
  return %r : tensor<1x3xf32>
}
func.func private @b.sample(%x: tensor<1x4xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> tensor<1x3xf32> {
  %y = tosa.fully_connected %x, %w, %b : (tensor<1x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  %r = tosa.clamp %y {max_fp = 3.4e38 : f32, max_int = 2147483647 : i64, min_fp = 0.0 : f32, min_int = 0 : i64} : (tensor<1x3xf32>) -> tensor<1x3xf32>
  return %r : tensor<1x3xf32>
}
func.func private @c.sample(%x: tensor<1x4xf32>, %w: tensor<5x4xf32>, %b: tensor<5xf32>) -> tensor<1x5xf32> {
  %y = tosa.fully_connected %x, %w, %b : (tensor<1x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<1x5xf32>
  return %y : tensor<1x5xf32>
}
func.func private @d.sample(%x: tensor<1x4xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> tensor<1x3xf32> {
  %y = tosa.fully_connected %x, %w, %b : (tensor<1x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  %r = tosa.clamp %y {max_fp = 6.0 : f32, max_int = 2147483647 : i64, min_fp = 0.0 : f32, min_int = 0 : i64} : (tensor<1x3xf32>) -> tensor<1x3xf32>
  return %r : tensor<1x3xf32>
}
func.func @a(%x: tensor<1x4xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> tensor<1x3xf32> {
  %r = func.call @a.sample(%x, %w, %b) : (tensor<1x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  return %r : tensor<1x3xf32>
}
func.func @b(%x: tensor<1x4xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> tensor<1x3xf32> {
  %r = func.call @b.sample(%x, %w, %b) : (tensor<1x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  return %r : tensor<1x3xf32>
}
func.func @c(%x: tensor<1x4xf32>, %w: tensor<5x4xf32>, %b: tensor<5xf32>) -> tensor<1x5xf32> {
  %r = func.call @c.sample(%x, %w, %b) : (tensor<1x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<1x5xf32>
  return %r : tensor<1x5xf32>
}
func.func @d(%x: tensor<1x4xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> tensor<1x3xf32> {
  %r = func.call @d.sample(%x, %w, %b) : (tensor<1x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  return %r : tensor<1x3xf32>
}
// Public and identical: both stay.
func.func @e(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  return %x : tensor<1x4xf32>
}
func.func @f(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  return %x : tensor<1x4xf32>
}
