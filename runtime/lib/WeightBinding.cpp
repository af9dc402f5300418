//===- WeightBinding.cpp - a weights file bound to a compiled model -------===//

#include "goe/Runtime/WeightBinding.h"

#include "goe/Runtime/QuoteText.h"
#include "goe/Runtime/Tensor.h"

#include <cstring>
#include <map>
#include <set>

namespace goe::runtime {
namespace {

std::string quote(const std::string &name) { return quoteText(name); }

template <typename Range> std::vector<int64_t> shapeOf(const Range &shape) {
  return {shape.begin(), shape.end()};
}

std::string describe(const artifact::Tensor &tensor) {
  TensorSpec spec;
  spec.dtype = static_cast<DType>(tensor.dtype());
  spec.shape = shapeOf(tensor.shape());
  return specToString(spec);
}

std::string joined(const std::vector<std::string> &items) {
  std::string out;
  for (const std::string &item : items)
    out += (out.empty() ? "" : ", ") + item;
  return out;
}

/// The replacement tables of Model.routers[router]; null: it has none.
struct RouterTables {
  int router;
  const artifact::Tensor *codebook, *centres;
};

/// The tensors a weights file brings, checked against what the model
/// declares; every problem is collected, so one message lists them all.
class BundleCheck {
public:
  /// Indexes `bundle` by name; a name given twice is an error at once.
  Status index(const artifact::WeightBundle &bundle) {
    for (const artifact::Tensor &tensor : bundle.tensors())
      if (!given.emplace(tensor.name(), &tensor).second)
        return invalidArgument("holds " + quote(tensor.name()) + " twice");
    return okStatus();
  }

  /// The weight sources, as f32 tensors.
  void checkSources(const artifact::Model &model) {
    int total = model.weight_sources_size();
    std::vector<std::string> absent;
    for (const artifact::WeightSource &source : model.weight_sources()) {
      std::vector<int64_t> shape = shapeOf(source.shape());
      const artifact::Tensor *tensor = take(source.name());
      if (!tensor) {
        absent.push_back(quote(source.name()) + " " + shapeToString(shape));
        continue;
      }
      if (!fits(*tensor, shape))
        continue;
      FloatTensor &values = sources[source.name()];
      values.shape = shape;
      values.values.resize(tensor->data().size() / sizeof(float));
      std::memcpy(values.values.data(), tensor->data().data(),
                  tensor->data().size());
    }
    if (!absent.empty())
      problems.insert(problems.begin(),
                      std::to_string(absent.size()) + " of " +
                          std::to_string(total) +
                          " weight(s) missing: " + joined(absent));
  }

  /// The learned tables of routers that have them: given, both replace the
  /// model's; a used router needs both; an unused one without both has none
  /// (the compiler attaches a router's tables only as a pair).
  void checkRouterTables(const artifact::Model &model) {
    std::set<std::string> used;
    for (const artifact::Step &step : model.steps())
      if (step.kind() == artifact::Step::ROUTE)
        used.insert(step.router());
    for (int r = 0; r < model.routers_size(); ++r) {
      const artifact::Router &router = model.routers(r);
      // Only the latent router carries tables (VqvaeHclustRouter).
      if (!router.has_vqvae_hclust())
        continue;
      const artifact::VqvaeHclustRouter &latent = router.vqvae_hclust();
      if (!latent.has_codebook() && !latent.has_centres())
        continue;
      RouterTables tables{r, nullptr, nullptr};
      const artifact::Tensor *codebook = take(router.name() + ".codebook");
      const artifact::Tensor *centres = take(router.name() + ".centres");
      bool fit =
          (!codebook || fits(*codebook, shapeOf(latent.codebook().shape()))) &&
          (!centres || fits(*centres, shapeOf(latent.centres().shape())));
      if (codebook && centres) {
        tables.codebook = codebook;
        tables.centres = centres;
      } else if (used.count(router.name())) {
        problems.push_back("router " + quote(router.name()) +
                           " routes this model and needs both " +
                           quote(router.name() + ".codebook") + " and " +
                           quote(router.name() + ".centres") +
                           " (goe-train --router " + router.name() +
                           " writes them)");
      }
      if (fit)
        routerTables.push_back(tables);
    }
  }

  /// Names the file holds that the model does not read.
  void checkUnknown() {
    std::vector<std::string> unknown;
    for (const auto &entry : given)
      unknown.push_back(quote(entry.first));
    if (!unknown.empty())
      problems.push_back(std::to_string(unknown.size()) +
                         " tensor(s) the model does not have (another spec "
                         "or --var?): " +
                         joined(unknown));
  }

  std::map<std::string, const artifact::Tensor *> given; // not yet taken
  std::map<std::string, FloatTensor> sources;
  std::vector<RouterTables> routerTables;
  std::vector<std::string> problems;

private:
  const artifact::Tensor *take(const std::string &name) {
    auto it = given.find(name);
    if (it == given.end())
      return nullptr;
    const artifact::Tensor *tensor = it->second;
    given.erase(it);
    return tensor;
  }

  /// Whether `tensor` is f32 `shape` with its data; records the problem.
  bool fits(const artifact::Tensor &tensor, const std::vector<int64_t> &shape) {
    TensorSpec expected{DType::F32, shape};
    if (tensor.dtype() != artifact::F32 || shapeOf(tensor.shape()) != shape) {
      problems.push_back(quote(tensor.name()) + " is " + describe(tensor) +
                         ", the model needs " + specToString(expected));
      return false;
    }
    StatusOr<int64_t> count = checkedNumel(shape);
    if (!count.ok() || tensor.data().size() != size_t(*count) * sizeof(float)) {
      problems.push_back(quote(tensor.name()) + " has " +
                         std::to_string(tensor.data().size()) +
                         " bytes of data, " + specToString(expected) +
                         " needs " +
                         std::to_string(count.ok() ? *count * 4 : -1));
      return false;
    }
    return true;
  }
};

/// Every stored weight made by its recipe, in Model.weights order.
StatusOr<std::vector<FloatTensor>> makeWeights(const artifact::Model &model,
                                               const BundleCheck &check) {
  std::map<std::string, const artifact::WeightRecipe *> recipes;
  for (const artifact::WeightRecipe &recipe : model.weight_recipes())
    recipes[recipe.name()] = &recipe;
  auto lookup = [&](const std::string &name) -> const FloatTensor * {
    auto it = check.sources.find(name);
    return it == check.sources.end() ? nullptr : &it->second;
  };
  std::vector<FloatTensor> made;
  for (const artifact::Tensor &weight : model.weights()) {
    std::string what = "weight " + quote(weight.name());
    auto it = recipes.find(weight.name());
    if (it == recipes.end())
      return invalidArgument(what + " has no recipe in the artifact");
    StatusOr<WeightRecipe> recipe = recipeFromProto(*it->second);
    if (!recipe.ok())
      return recipe.status().withContext(what);
    TransformResult result = applyWeightRecipe(*recipe, lookup);
    if (!result.ok())
      return invalidArgument(what + ": its recipe fails: " + result.error);
    if (weight.dtype() != artifact::F32 ||
        result.tensor.shape != shapeOf(weight.shape()))
      return invalidArgument(what + " is " + describe(weight) +
                             ", its recipe makes f32" +
                             shapeToString(result.tensor.shape));
    made.push_back(std::move(result.tensor));
  }
  return made;
}

} // namespace

StatusOr<WeightRecipe> recipeFromProto(const artifact::WeightRecipe &recipe) {
  WeightRecipe out;
  out.sources.assign(recipe.sources().begin(), recipe.sources().end());
  for (const artifact::WeightTransform &step : recipe.transforms()) {
    WeightTransform transform;
    switch (step.kind_case()) {
    case artifact::WeightTransform::kTranspose:
      transform.kind = WeightTransform::Kind::Transpose;
      transform.perm = shapeOf(step.transpose().perm());
      break;
    case artifact::WeightTransform::kFoldBatchNormWeight:
      transform.kind = WeightTransform::Kind::FoldBatchNormWeight;
      transform.eps = step.fold_batch_norm_weight().eps();
      break;
    case artifact::WeightTransform::kFoldBatchNormBias:
      transform.kind = WeightTransform::Kind::FoldBatchNormBias;
      transform.eps = step.fold_batch_norm_bias().eps();
      break;
    default:
      return invalidArgument("a transform of an unknown kind (" +
                             std::to_string(step.kind_case()) +
                             "; a newer compiler?)");
    }
    out.transforms.push_back(std::move(transform));
  }
  return out;
}

Status bindWeightBundle(const artifact::WeightBundle &bundle,
                        artifact::Model &model) {
  if (model.weight_sources_size() == 0 && model.weights_size() > 0)
    return failedPrecondition("the model does not record which weights it is "
                              "made of; recompile it with this goe-compile");
  BundleCheck check;
  GOE_RETURN_IF_ERROR(check.index(bundle));
  check.checkSources(model);
  check.checkRouterTables(model);
  check.checkUnknown();
  if (!check.problems.empty()) {
    std::string message = "does not fit the model: ";
    for (size_t i = 0; i < check.problems.size(); ++i)
      message += (i ? "; " : "") + check.problems[i];
    return invalidArgument(message);
  }
  StatusOr<std::vector<FloatTensor>> made = makeWeights(model, check);
  if (!made.ok())
    return made.status();
  // Everything fits: replace, all at once.
  for (int i = 0; i < model.weights_size(); ++i) {
    const std::vector<float> &values = (*made)[i].values;
    model.mutable_weights(i)->set_data(values.data(),
                                       values.size() * sizeof(float));
  }
  for (const RouterTables &tables : check.routerTables) {
    artifact::VqvaeHclustRouter &latent =
        *model.mutable_routers(tables.router)->mutable_vqvae_hclust();
    latent.clear_codebook();
    latent.clear_centres();
    if (tables.codebook) {
      *latent.mutable_codebook() = *tables.codebook;
      *latent.mutable_centres() = *tables.centres;
    }
  }
  return okStatus();
}

} // namespace goe::runtime
