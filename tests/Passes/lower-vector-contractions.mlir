// RUN: goe-opt %s --pass-pipeline="builtin.module(func.func(goe-lower-vector-contractions,canonicalize))" | FileCheck %s
// A tile's contraction [1 x 7 x 2] x [2 x 16] becomes, per reduction index
// and output row, one broadcast of the input and one FMA into a 16-wide
// accumulator: 2 x 7 FMAs, no dot products, no contraction left.

// CHECK-LABEL: func.func @tile
// CHECK-NOT: vector.contract
// CHECK-NOT: vector.reduction
// CHECK-COUNT-14: vector.fma {{.*}} : vector<16xf32>
// CHECK-NOT: vector.fma
// CHECK: return
#lhs = affine_map<(n, w, f, c) -> (n, w, c)>
#rhs = affine_map<(n, w, f, c) -> (c, f)>
#acc = affine_map<(n, w, f, c) -> (n, w, f)>
func.func @tile(%x: vector<1x7x2xf32>, %w: vector<2x16xf32>, %acc: vector<1x7x16xf32>) -> vector<1x7x16xf32> {
  %r = vector.contract {indexing_maps = [#lhs, #rhs, #acc], iterator_types = ["parallel", "parallel", "parallel", "reduction"], kind = #vector.kind<add>} %x, %w, %acc : vector<1x7x2xf32>, vector<2x16xf32> into vector<1x7x16xf32>
  return %r : vector<1x7x16xf32>
}
