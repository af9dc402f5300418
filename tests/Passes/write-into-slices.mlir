// RUN: goe-opt %s --pass-pipeline='builtin.module(func.func(goe-write-into-slices))' | FileCheck %s

// Zero padding: the producer writes the padded buffer's interior, which is
// allocated first, only its frame zeroed (four fills around the slice);
// the copy and the fresh buffer go, and the
// padded buffer lives until the last reader of the slice.
// CHECK-LABEL: func.func @pad
// CHECK: %[[B:.*]] = memref.alloc() : memref<1x6x6x4xf32>
// CHECK-NEXT: %[[TOP:.*]] = memref.subview %[[B]][0, 0, 0, 0] [1, 1, 6, 4] [1, 1, 1, 1]
// CHECK-NEXT: linalg.fill ins(%{{.*}} : f32) outs(%[[TOP]] :
// CHECK-NEXT: %[[BOTTOM:.*]] = memref.subview %[[B]][0, 5, 0, 0] [1, 1, 6, 4] [1, 1, 1, 1]
// CHECK-NEXT: linalg.fill ins(%{{.*}} : f32) outs(%[[BOTTOM]] :
// CHECK-NEXT: %[[LEFT:.*]] = memref.subview %[[B]][0, 1, 0, 0] [1, 4, 1, 4] [1, 1, 1, 1]
// CHECK-NEXT: linalg.fill ins(%{{.*}} : f32) outs(%[[LEFT]] :
// CHECK-NEXT: %[[RIGHT:.*]] = memref.subview %[[B]][0, 1, 5, 0] [1, 4, 1, 4] [1, 1, 1, 1]
// CHECK-NEXT: linalg.fill ins(%{{.*}} : f32) outs(%[[RIGHT]] :
// CHECK-NOT: linalg.fill ins(%{{.*}} : f32) outs(%[[B]] :
// CHECK-NEXT: %[[S:.*]] = memref.subview %[[B]][0, 1, 1, 0] [1, 4, 4, 4] [1, 1, 1, 1]
// CHECK-NEXT: linalg.fill ins(%{{.*}} : f32) outs(%[[S]] :
// CHECK-NOT: linalg.copy
// CHECK: linalg.generic {{.*}} ins(%[[B]] :
// CHECK: linalg.generic {{.*}} ins(%[[S]] :
// CHECK: memref.dealloc %[[B]]
// CHECK-NOT: memref.dealloc
// CHECK: return
#id = affine_map<(a, b, c, d) -> (a, b, c, d)>
func.func @pad(%out1: memref<1x6x6x4xf32>, %out2: memref<1x4x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<1x4x4x4xf32>
  linalg.fill ins(%one : f32) outs(%a : memref<1x4x4x4xf32>)
  %b = memref.alloc() : memref<1x6x6x4xf32>
  linalg.fill ins(%zero : f32) outs(%b : memref<1x6x6x4xf32>)
  %s = memref.subview %b[0, 1, 1, 0] [1, 4, 4, 4] [1, 1, 1, 1]
      : memref<1x6x6x4xf32> to memref<1x4x4x4xf32, strided<[144, 24, 4, 1], offset: 28>>
  linalg.copy ins(%a : memref<1x4x4x4xf32>)
      outs(%s : memref<1x4x4x4xf32, strided<[144, 24, 4, 1], offset: 28>>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<1x6x6x4xf32>) outs(%out1 : memref<1x6x6x4xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  }
  memref.dealloc %b : memref<1x6x6x4xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%a : memref<1x4x4x4xf32>) outs(%out2 : memref<1x4x4x4xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  }
  memref.dealloc %a : memref<1x4x4x4xf32>
  return
}

// Concat into an output argument: both producers write their channel
// slices.
// CHECK-LABEL: func.func @concat
// CHECK-DAG: %[[S0:.*]] = memref.subview %arg0[0, 0, 0, 0] [1, 4, 4, 2]
// CHECK-DAG: %[[S1:.*]] = memref.subview %arg0[0, 0, 0, 2] [1, 4, 4, 2]
// CHECK-DAG: linalg.fill ins(%{{.*}} : f32) outs(%[[S0]] :
// CHECK-DAG: linalg.fill ins(%{{.*}} : f32) outs(%[[S1]] :
// CHECK-NOT: linalg.copy
// CHECK-NOT: memref.alloc
// CHECK: return
func.func @concat(%out: memref<1x4x4x4xf32>) {
  %one = arith.constant 1.0 : f32
  %two = arith.constant 2.0 : f32
  %a = memref.alloc() : memref<1x4x4x2xf32>
  linalg.fill ins(%one : f32) outs(%a : memref<1x4x4x2xf32>)
  %b = memref.alloc() : memref<1x4x4x2xf32>
  linalg.fill ins(%two : f32) outs(%b : memref<1x4x4x2xf32>)
  %s0 = memref.subview %out[0, 0, 0, 0] [1, 4, 4, 2] [1, 1, 1, 1]
      : memref<1x4x4x4xf32> to memref<1x4x4x2xf32, strided<[64, 16, 4, 1]>>
  linalg.copy ins(%a : memref<1x4x4x2xf32>) outs(%s0 : memref<1x4x4x2xf32, strided<[64, 16, 4, 1]>>)
  %s1 = memref.subview %out[0, 0, 0, 2] [1, 4, 4, 2] [1, 1, 1, 1]
      : memref<1x4x4x4xf32> to memref<1x4x4x2xf32, strided<[64, 16, 4, 1], offset: 2>>
  linalg.copy ins(%b : memref<1x4x4x2xf32>) outs(%s1 : memref<1x4x4x2xf32, strided<[64, 16, 4, 1], offset: 2>>)
  memref.dealloc %a : memref<1x4x4x2xf32>
  memref.dealloc %b : memref<1x4x4x2xf32>
  return
}

// A written after the copy: the slice must keep the copied values.
// CHECK-LABEL: func.func @written_after
// CHECK: linalg.copy
func.func @written_after(%out: memref<1x4x4x4xf32>) {
  %one = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<1x4x4x2xf32>
  linalg.fill ins(%one : f32) outs(%a : memref<1x4x4x2xf32>)
  %s0 = memref.subview %out[0, 0, 0, 0] [1, 4, 4, 2] [1, 1, 1, 1]
      : memref<1x4x4x4xf32> to memref<1x4x4x2xf32, strided<[64, 16, 4, 1]>>
  linalg.copy ins(%a : memref<1x4x4x2xf32>) outs(%s0 : memref<1x4x4x2xf32, strided<[64, 16, 4, 1]>>)
  linalg.fill ins(%one : f32) outs(%a : memref<1x4x4x2xf32>)
  memref.dealloc %a : memref<1x4x4x2xf32>
  return
}

// Overlapping slices of one buffer: left alone.
// CHECK-LABEL: func.func @overlapping
// CHECK-COUNT-2: linalg.copy
func.func @overlapping(%out: memref<1x4x4x4xf32>) {
  %one = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<1x4x4x2xf32>
  linalg.fill ins(%one : f32) outs(%a : memref<1x4x4x2xf32>)
  %b = memref.alloc() : memref<1x4x4x2xf32>
  linalg.fill ins(%one : f32) outs(%b : memref<1x4x4x2xf32>)
  %s0 = memref.subview %out[0, 0, 0, 0] [1, 4, 4, 2] [1, 1, 1, 1]
      : memref<1x4x4x4xf32> to memref<1x4x4x2xf32, strided<[64, 16, 4, 1]>>
  linalg.copy ins(%a : memref<1x4x4x2xf32>) outs(%s0 : memref<1x4x4x2xf32, strided<[64, 16, 4, 1]>>)
  %s1 = memref.subview %out[0, 0, 0, 1] [1, 4, 4, 2] [1, 1, 1, 1]
      : memref<1x4x4x4xf32> to memref<1x4x4x2xf32, strided<[64, 16, 4, 1], offset: 1>>
  linalg.copy ins(%b : memref<1x4x4x2xf32>) outs(%s1 : memref<1x4x4x2xf32, strided<[64, 16, 4, 1], offset: 1>>)
  memref.dealloc %a : memref<1x4x4x2xf32>
  memref.dealloc %b : memref<1x4x4x2xf32>
  return
}

// The destination is read between A's producer and the copy: moving its
// fill up would change what that read sees.
// CHECK-LABEL: func.func @read_before_copy
// CHECK: linalg.copy
func.func @read_before_copy(%out: memref<1x6x6x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %b = memref.alloc() : memref<1x6x6x4xf32>
  %a = memref.alloc() : memref<1x4x4x4xf32>
  linalg.fill ins(%one : f32) outs(%a : memref<1x4x4x4xf32>)
  linalg.fill ins(%zero : f32) outs(%b : memref<1x6x6x4xf32>)
  linalg.copy ins(%b : memref<1x6x6x4xf32>) outs(%out : memref<1x6x6x4xf32>)
  %s = memref.subview %b[0, 1, 1, 0] [1, 4, 4, 4] [1, 1, 1, 1]
      : memref<1x6x6x4xf32> to memref<1x4x4x4xf32, strided<[144, 24, 4, 1], offset: 28>>
  linalg.copy ins(%a : memref<1x4x4x4xf32>)
      outs(%s : memref<1x4x4x4xf32, strided<[144, 24, 4, 1], offset: 28>>)
  memref.dealloc %a : memref<1x4x4x4xf32>
  memref.dealloc %b : memref<1x6x6x4xf32>
  return
}

// The batch's results gathered in a buffer and copied to the output at the
// end: gathered in the output.
// CHECK-LABEL: func.func @batch_output
// CHECK-NOT: memref.alloc
// CHECK: memref.subview %arg1[%{{.*}}, 0] [1, 4]
// CHECK-NOT: linalg.copy ins(%{{.*}} : memref<?x4xf32>)
// CHECK-NOT: memref.dealloc
// CHECK: return
func.func @batch_output(%in: memref<?x4xf32>, %out: memref<?x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f32
  %n = memref.dim %in, %c0 : memref<?x4xf32>
  %all = memref.alloc(%n) : memref<?x4xf32>
  scf.for %i = %c0 to %n step %c1 {
    %row = memref.subview %all[%i, 0] [1, 4] [1, 1] : memref<?x4xf32> to memref<1x4xf32, strided<[4, 1], offset: ?>>
    linalg.fill ins(%one : f32) outs(%row : memref<1x4xf32, strided<[4, 1], offset: ?>>)
  }
  linalg.copy ins(%all : memref<?x4xf32>) outs(%out : memref<?x4xf32>)
  memref.dealloc %all : memref<?x4xf32>
  return
}

// An output also read by the function: the copy stays.
// CHECK-LABEL: func.func @output_read
// CHECK: linalg.copy
func.func @output_read(%in: memref<4xf32>, %out: memref<4xf32>) {
  %one = arith.constant 1.0 : f32
  %all = memref.alloc() : memref<4xf32>
  linalg.fill ins(%one : f32) outs(%all : memref<4xf32>)
  linalg.copy ins(%out : memref<4xf32>) outs(%in : memref<4xf32>)
  linalg.copy ins(%all : memref<4xf32>) outs(%out : memref<4xf32>)
  memref.dealloc %all : memref<4xf32>
  return
}

// A fill whose value depends on the position (linalg.index): the copy
// still goes, but the fill stays whole (a copy of it on a frame piece
// would count from that piece's corner).
// (B itself becomes the output argument.)
// CHECK-LABEL: func.func @indexed_fill
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : memref<1x6x6x4xf32>)
// CHECK: linalg.index
// CHECK-NOT: [1, 1, 6, 4]
// CHECK-NOT: linalg.copy
// CHECK: return
#idx = affine_map<(a, b, c, d) -> (a, b, c, d)>
func.func @indexed_fill(%out1: memref<1x6x6x4xf32>) {
  %one = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<1x4x4x4xf32>
  linalg.fill ins(%one : f32) outs(%a : memref<1x4x4x4xf32>)
  %b = memref.alloc() : memref<1x6x6x4xf32>
  linalg.generic {indexing_maps = [#idx], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%b : memref<1x6x6x4xf32>) {
  ^bb0(%y: f32):
    %i = linalg.index 1 : index
    %n = arith.index_cast %i : index to i32
    %f = arith.sitofp %n : i32 to f32
    linalg.yield %f : f32
  }
  %s = memref.subview %b[0, 1, 1, 0] [1, 4, 4, 4] [1, 1, 1, 1]
      : memref<1x6x6x4xf32> to memref<1x4x4x4xf32, strided<[144, 24, 4, 1], offset: 28>>
  linalg.copy ins(%a : memref<1x4x4x4xf32>)
      outs(%s : memref<1x4x4x4xf32, strided<[144, 24, 4, 1], offset: 28>>)
  linalg.copy ins(%b : memref<1x6x6x4xf32>) outs(%out1 : memref<1x6x6x4xf32>)
  memref.dealloc %b : memref<1x6x6x4xf32>
  return
}

// The slice read before the copy (it holds B's zeros there): no rewrite.
// CHECK-LABEL: func.func @slice_read_before_copy
// CHECK: linalg.copy ins(%{{.*}} : memref<1x4x4x4xf32>) outs(%{{.*}} : memref<1x4x4x4xf32, strided
func.func @slice_read_before_copy(%out1: memref<1x6x6x4xf32>, %out2: memref<1x4x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %b = memref.alloc() : memref<1x6x6x4xf32>
  linalg.fill ins(%zero : f32) outs(%b : memref<1x6x6x4xf32>)
  %s = memref.subview %b[0, 1, 1, 0] [1, 4, 4, 4] [1, 1, 1, 1]
      : memref<1x6x6x4xf32> to memref<1x4x4x4xf32, strided<[144, 24, 4, 1], offset: 28>>
  linalg.copy ins(%s : memref<1x4x4x4xf32, strided<[144, 24, 4, 1], offset: 28>>)
      outs(%out2 : memref<1x4x4x4xf32>)
  %a = memref.alloc() : memref<1x4x4x4xf32>
  linalg.fill ins(%one : f32) outs(%a : memref<1x4x4x4xf32>)
  linalg.copy ins(%a : memref<1x4x4x4xf32>)
      outs(%s : memref<1x4x4x4xf32, strided<[144, 24, 4, 1], offset: 28>>)
  memref.dealloc %a : memref<1x4x4x4xf32>
  linalg.copy ins(%b : memref<1x6x6x4xf32>) outs(%out1 : memref<1x6x6x4xf32>)
  memref.dealloc %b : memref<1x6x6x4xf32>
  return
}
