//===- WeightBinding.h - a weights file bound at load -----------*- C++ -*-===//
//
// The rule for a weights file given at run time (goe-run --weights,
// ModelOptions::weightsPath) is the compiler's (goe-compile --weights): the
// file holds every weight the spec declares (Model.weight_sources), with its
// shape, f32, and nothing else but the tables of the model's latent routers.
// Every stored weight is then made from it by its recipe
// (Model.weight_recipes: batch-norms folded, layouts prepacked, by the
// compiler's own code, WeightTransforms.h), so the model computes exactly
// what goe-compile --weights with the same file would have compiled. A file
// that does not fit is refused with every missing, misshapen and unknown
// tensor listed; nothing is half replaced.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_WEIGHTBINDING_H
#define GOE_RUNTIME_WEIGHTBINDING_H

#include "goe/Runtime/Status.h"
#include "goe/Runtime/WeightTransforms.h"
#include "goe/Runtime/proto/artifact.pb.h"

namespace goe::runtime {

/// The plain form of a recipe message; InvalidArgument names what is wrong.
StatusOr<WeightRecipe> recipeFromProto(const artifact::WeightRecipe &recipe);

/// Replaces every weight of `model` (and its routers' learned tables) by
/// what `bundle` makes of it, as described above. On failure `model` is
/// unchanged and the message lists every problem.
Status bindWeightBundle(const artifact::WeightBundle &bundle,
                        artifact::Model &model);

} // namespace goe::runtime

#endif // GOE_RUNTIME_WEIGHTBINDING_H
