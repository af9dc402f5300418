//===- BoundWeights.h - weight globals made from other weights --*- C++ -*-===//
//
// Once weights are bound, passes replace weight globals by transformed ones
// (goe-fold-batchnorm: `<conv>.folded_weight`; goe-prepack-weights:
// `<weight>.hwcf`, `.io`). A new global's values are computed by the shared
// transforms (goe/Runtime/WeightTransforms.h, the code the runtime runs on a
// weights file at load), and the global records how it was made in a
// `goe.recipe` attribute: the source tensors as the spec names them and the
// transforms, e.g.
//
//   {sources = ["c.0.conv.weight", "c.0.bn.weight", "c.0.bn.running_var"],
//    transforms = [{kind = "fold_batch_norm_weight", eps = 1.0e-05 : f32},
//                  {kind = "transpose", perm = array<i64: 2, 3, 1, 0>}]}
//
// A global without the attribute is its own source. The artifact builder
// writes these recipes into the artifact (goe/Compiler/WeightRecipes.h).
//
//===----------------------------------------------------------------------===//

#ifndef GOE_PASSES_BOUNDWEIGHTS_H
#define GOE_PASSES_BOUNDWEIGHTS_H

#include "goe/Runtime/WeightTransforms.h"

#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/IR/SymbolTable.h"

#include <optional>

namespace goe {

/// The values of `global` if it holds bound f32 values, else nullopt.
std::optional<runtime::FloatTensor>
boundValues(mlir::ml_program::GlobalOp global);

/// How `global` is made: its `goe.recipe`, or the global itself as the one
/// source. nullopt if the attribute is malformed.
std::optional<runtime::WeightRecipe>
recipeOf(mlir::ml_program::GlobalOp global);

/// A new private global `name`, inserted before `operands[0]`, holding
/// `transform` applied to the bound values of `operands` and recording its
/// recipe. Null, changing nothing, if an operand is not bound, the
/// transform refuses the operands, or the recipe cannot be written (an
/// operand with several sources under a transform of several operands).
mlir::ml_program::GlobalOp
deriveWeight(const runtime::WeightTransform &transform,
             llvm::ArrayRef<mlir::ml_program::GlobalOp> operands,
             llvm::StringRef name, mlir::SymbolTable &symbols);

} // namespace goe

#endif // GOE_PASSES_BOUNDWEIGHTS_H
