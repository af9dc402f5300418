// RUN: goe-opt %s --goe-map-loops-to-gpu | FileCheck %s
// RUN: goe-opt %s --goe-map-loops-to-gpu=block-size=128 | FileCheck %s --check-prefix=B128
// RUN: not goe-opt %s --goe-map-loops-to-gpu=block-size=4096 2>&1 | FileCheck %s --check-prefix=BADBLOCK

// One launch per top-level parallel loop: the [?, 7, 8] space linearised,
// ceildiv(total, 256) blocks of 256 threads, the tail guarded, the
// contiguous (last) dimension fastest. The subview of the allocation is
// recomputed in the kernel, so the launch captures only whole buffers.
// CHECK: module attributes {gpu.container_module}
// CHECK-LABEL: func.func @relu
// CHECK: %[[ALLOC:[a-z0-9_]+]] = memref.alloc
// CHECK: %[[GRID:[0-9]+]] = arith.ceildivui %{{[0-9]+}}, %[[C256:c256[_0-9]*]] : index
// CHECK: gpu.launch blocks(%[[BX:[a-z0-9_]+]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[GRID]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) threads(%[[TX:[a-z0-9_]+]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C256]],
// CHECK: memref.subview %[[ALLOC]]
// CHECK: %[[BASE:[0-9]+]] = arith.muli %[[BX]]
// CHECK: %[[ID:[0-9]+]] = arith.addi %[[BASE]], %[[TX]]
// CHECK: arith.cmpi ult, %[[ID]]
// CHECK: scf.if
// CHECK: arith.remui %[[ID]]
// CHECK: arith.maximumf
// CHECK: gpu.terminator
// CHECK-NOT: scf.parallel
// B128: arith.ceildivui %{{.*}}, %c128
// BADBLOCK: block-size must be in [1, 1024], got 4096
func.func @relu(%in: memref<?x7x8xf32>, %out: memref<?x7x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c7 = arith.constant 7 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %in, %c0 : memref<?x7x8xf32>
  %tmp = memref.alloc(%n) : memref<?x7x16xf32>
  %view = memref.subview %tmp[0, 0, 0] [%n, 7, 8] [1, 1, 1] : memref<?x7x16xf32> to memref<?x7x8xf32, strided<[112, 16, 1]>>
  scf.parallel (%b, %h, %c) = (%c0, %c0, %c0) to (%n, %c7, %c8) step (%c1, %c1, %c1) {
    %x = memref.load %in[%b, %h, %c] : memref<?x7x8xf32>
    %y = arith.maximumf %x, %zero : f32
    memref.store %y, %view[%b, %h, %c] : memref<?x7x8xf32, strided<[112, 16, 1]>>
    scf.reduce
  }
  return
}
