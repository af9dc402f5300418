// RUN: goe-opt %s --goe-outline-loop-nests="min-function-ops=10 min-nest-ops=4" | FileCheck %s
// RUN: goe-opt %s --goe-outline-loop-nests | FileCheck %s --check-prefix=SMALL
// Each top-level loop nest of a large enough function moves into a private
// function called in its place: memrefs and other outside values become
// arguments (in the order of first use), constants (the bounds here) are
// cloned in. A nest below the
// size threshold and a nest with results stay.

// CHECK-LABEL: func.func @body(
// CHECK-SAME: %[[A:.*]]: memref<8xf32>, %[[B:.*]]: memref<8xf32>, %[[S:.*]]: f32)
// CHECK: call @body.nest0(%[[A]], %[[S]], %[[B]]) : (memref<8xf32>, f32, memref<8xf32>) -> ()
// CHECK: call @body.nest1(%[[B]]) : (memref<8xf32>) -> ()
// CHECK: scf.for {{.*}} iter_args
// CHECK: scf.for
// CHECK-NOT: call
// CHECK: return
// CHECK: func.func private @body.nest0(%[[A0:.*]]: memref<8xf32>, %[[S0:.*]]: f32, %[[B0:.*]]: memref<8xf32>)
// CHECK-SAME: passthrough = ["noinline"]
// CHECK-DAG: arith.constant 0 : index
// CHECK-DAG: arith.constant 8 : index
// CHECK: scf.for
// CHECK: memref.load %[[A0]]
// CHECK: arith.mulf {{.*}}, %[[S0]]
// CHECK: memref.store {{.*}}, %[[B0]]
// CHECK: return
// CHECK: func.func private @body.nest1(

// The default thresholds leave a small function alone.
// SMALL-NOT: call @body.nest

func.func @body(%a: memref<8xf32>, %b: memref<8xf32>, %s: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c8 step %c1 {
    %x = memref.load %a[%i] : memref<8xf32>
    %y = arith.mulf %x, %s : f32
    memref.store %y, %b[%i] : memref<8xf32>
  }
  scf.for %i = %c0 to %c8 step %c1 {
    %x = memref.load %b[%i] : memref<8xf32>
    %y = arith.addf %x, %x : f32
    %z = arith.addf %y, %x : f32
    memref.store %z, %b[%i] : memref<8xf32>
  }
  %sum = scf.for %i = %c0 to %c8 step %c1 iter_args(%acc = %zero) -> f32 {
    %x = memref.load %b[%i] : memref<8xf32>
    %y = arith.addf %acc, %x : f32
    %z = arith.addf %y, %x : f32
    scf.yield %z : f32
  }
  memref.store %sum, %a[%c0] : memref<8xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %zero, %a[%i] : memref<8xf32>
  }
  return
}
