// RUN: goe-opt %s --pass-pipeline='builtin.module(func.func(goe-approximate-math))' | FileCheck %s

// A vectorised sigmoid's exp becomes arithmetic on the same vector (no
// math.exp left for LLVM to scalarise into libm calls).
// CHECK-LABEL: func.func @sigmoid
// CHECK-NOT: math.exp
// CHECK: arith.mulf {{.*}} : vector<16xf32>
// CHECK: arith.divf {{.*}} : vector<16xf32>
func.func @sigmoid(%x: vector<16xf32>) -> vector<16xf32> {
  %one = arith.constant dense<1.0> : vector<16xf32>
  %neg = arith.negf %x : vector<16xf32>
  %e = math.exp %neg : vector<16xf32>
  %d = arith.addf %one, %e : vector<16xf32>
  %s = arith.divf %one, %d : vector<16xf32>
  return %s : vector<16xf32>
}

// Scalars too, and tanh.
// CHECK-LABEL: func.func @scalars
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK: return
func.func @scalars(%x: f32) -> (f32, f32) {
  %e = math.exp %x : f32
  %t = math.tanh %x : f32
  return %e, %t : f32, f32
}

// f64 is left to libm (the approximations are for f32).
// CHECK-LABEL: func.func @double
// CHECK: math.exp {{.*}} : f64
func.func @double(%x: f64) -> f64 {
  %e = math.exp %x : f64
  return %e : f64
}
