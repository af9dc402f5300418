//===- WeightRecipes.cpp - how an artifact's weights are made -------------===//

#include "goe/Compiler/WeightRecipes.h"
#include "goe/Passes/BoundWeights.h"

#include <set>

using namespace mlir;
using goe::runtime::WeightTransform;
namespace artifact = goe::artifact;

namespace {

artifact::WeightRecipe toProto(const std::string &name,
                               const goe::runtime::WeightRecipe &recipe) {
  artifact::WeightRecipe out;
  out.set_name(name);
  for (const std::string &source : recipe.sources)
    out.add_sources(source);
  for (const WeightTransform &t : recipe.transforms) {
    artifact::WeightTransform *step = out.add_transforms();
    switch (t.kind) {
    case WeightTransform::Kind::Transpose:
      for (int64_t d : t.perm)
        step->mutable_transpose()->add_perm(d);
      break;
    case WeightTransform::Kind::FoldBatchNormWeight:
      step->mutable_fold_batch_norm_weight()->set_eps(t.eps);
      break;
    case WeightTransform::Kind::FoldBatchNormBias:
      step->mutable_fold_batch_norm_bias()->set_eps(t.eps);
      break;
    }
  }
  return out;
}

} // namespace

LogicalResult goe::recordWeightRecipes(ModuleOp spec, ModuleOp bound,
                                       artifact::Model &model) {
  std::set<std::string> declared;
  for (auto global : spec.getOps<ml_program::GlobalOp>()) {
    artifact::WeightSource *source = model.add_weight_sources();
    source->set_name(global.getSymName().str());
    for (int64_t d : cast<RankedTensorType>(global.getType()).getShape())
      source->add_shape(d);
    declared.insert(source->name());
  }
  SymbolTable symbols(bound);
  for (const artifact::Tensor &weight : model.weights()) {
    auto global = symbols.lookup<ml_program::GlobalOp>(weight.name());
    if (!global)
      return bound.emitError("no global for weight '") << weight.name() << "'";
    std::optional<runtime::WeightRecipe> recipe = recipeOf(global);
    if (!recipe)
      return global.emitError("malformed goe.recipe attribute");
    for (const std::string &source : recipe->sources)
      if (!declared.count(source))
        return global.emitError("is made from '")
               << source << "', which is not a weight of the spec";
    *model.add_weight_recipes() = toProto(weight.name(), *recipe);
  }
  return success();
}
