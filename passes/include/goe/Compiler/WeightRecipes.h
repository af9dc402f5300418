//===- WeightRecipes.h - how an artifact's weights are made -----*- C++ -*-===//
//
// The artifact records what a weights file for its model holds (every
// weight global of the spec, by name and PyTorch shape) and, for each
// stored weight, its recipe (sources and transforms, from the `goe.recipe`
// attributes the weight passes leave, BoundWeights.h). The runtime binds a
// weights file given at load by them (goe/Runtime/WeightBinding.h).
//
//===----------------------------------------------------------------------===//

#ifndef GOE_COMPILER_WEIGHTRECIPES_H
#define GOE_COMPILER_WEIGHTRECIPES_H

#include "goe/Runtime/proto/artifact.pb.h"

#include "mlir/IR/BuiltinOps.h"

namespace goe {

/// Fills `model.weight_sources` from the globals of `spec` (the module as
/// the frontend made it) and one `model.weight_recipes` entry per
/// `model.weights` tensor from its global in `bound` (after the weight
/// passes). An error names a weight whose recipe is malformed or reads a
/// tensor the spec does not declare.
mlir::LogicalResult recordWeightRecipes(mlir::ModuleOp spec,
                                        mlir::ModuleOp bound,
                                        artifact::Model &model);

} // namespace goe

#endif // GOE_COMPILER_WEIGHTRECIPES_H
