// RUN: not goe-opt %s --goe-map-loops-to-gpu 2>&1 | FileCheck %s

// A loop nest with no parallel dimension would run on the host: refused.
// CHECK: error: 'scf.for' op cannot be mapped to a GPU kernel
func.func @sum(%in: memref<8xf32>, %out: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    %x = memref.load %in[%i] : memref<8xf32>
    %acc = memref.load %out[] : memref<f32>
    %s = arith.addf %x, %acc : f32
    memref.store %s, %out[] : memref<f32>
  }
  return
}
