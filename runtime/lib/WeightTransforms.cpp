//===- WeightTransforms.cpp - stored weights from trained ones ------------===//

#include "goe/Runtime/WeightTransforms.h"

#include <cmath>

namespace goe::runtime {
namespace {

std::string dims(const std::vector<int64_t> &shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

TransformResult failure(const WeightTransform &transform, std::string message) {
  TransformResult result;
  result.error = std::string(weightTransformName(transform.kind)) + ": " +
                 std::move(message);
  return result;
}

/// Whether `tensor` holds as many values as its shape says.
bool consistent(const FloatTensor &tensor) {
  int64_t count = 1;
  for (int64_t d : tensor.shape) {
    if (d < 0)
      return false;
    count *= d;
  }
  return count == int64_t(tensor.values.size());
}

TransformResult transpose(const WeightTransform &t, const FloatTensor &in) {
  size_t rank = in.shape.size();
  std::vector<bool> seen(rank, false);
  for (int64_t d : t.perm) {
    if (d < 0 || size_t(d) >= rank || seen[d])
      return failure(t, "perm " + dims(t.perm) + " is not a permutation of " +
                            std::to_string(rank) + " dimensions");
    seen[d] = true;
  }
  if (t.perm.size() != rank)
    return failure(t, "perm " + dims(t.perm) + " does not fit shape " +
                          dims(in.shape));
  std::vector<int64_t> inStrides(rank, 1);
  for (size_t d = rank; d-- > 1;)
    inStrides[d - 1] = inStrides[d] * in.shape[d];
  TransformResult result;
  FloatTensor &out = result.tensor;
  for (int64_t d : t.perm)
    out.shape.push_back(in.shape[d]);
  out.values.resize(in.values.size());
  std::vector<int64_t> index(rank, 0); // position in the output
  for (size_t flat = 0; flat < out.values.size(); ++flat) {
    int64_t source = 0;
    for (size_t d = 0; d < rank; ++d)
      source += index[d] * inStrides[t.perm[d]];
    out.values[flat] = in.values[source];
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < out.shape[d])
        break;
      index[d] = 0;
    }
  }
  return result;
}

/// Checks that each of `vectors` is [channels]; names the first that is not.
std::string checkChannels(const std::vector<const FloatTensor *> &vectors,
                          const std::vector<const char *> &names,
                          int64_t channels) {
  for (size_t i = 0; i < vectors.size(); ++i)
    if (vectors[i]->shape != std::vector<int64_t>{channels})
      return std::string(names[i]) + " has shape " + dims(vectors[i]->shape) +
             ", expected [" + std::to_string(channels) + "]";
  return "";
}

/// gamma / sqrt(running_var + eps): the per-channel scale of a batch-norm.
/// Both folds use it, so weight and bias see the same bits.
float batchNormScale(float gamma, float var, float eps) {
  return gamma / std::sqrt(var + eps);
}

TransformResult foldWeight(const WeightTransform &t, const FloatTensor &weight,
                           const FloatTensor &gamma, const FloatTensor &var) {
  if (weight.shape.empty() || weight.shape[0] < 1)
    return failure(t, "the weight has shape " + dims(weight.shape) +
                          ", expected [out channels, ...]");
  int64_t channels = weight.shape[0];
  std::string bad =
      checkChannels({&gamma, &var}, {"gamma", "running_var"}, channels);
  if (!bad.empty())
    return failure(t, bad);
  TransformResult result;
  result.tensor = weight;
  std::vector<float> &values = result.tensor.values;
  size_t perChannel = values.size() / size_t(channels);
  for (int64_t o = 0; o < channels; ++o) {
    float s = batchNormScale(gamma.values[o], var.values[o], t.eps);
    for (size_t i = 0; i < perChannel; ++i)
      values[o * perChannel + i] *= s;
  }
  return result;
}

TransformResult foldBias(const WeightTransform &t,
                         const std::vector<const FloatTensor *> &operands) {
  if (operands.size() != 4 && operands.size() != 5)
    return failure(t, "takes [bias,] running_mean, gamma, running_var, beta; "
                      "got " +
                          std::to_string(operands.size()) + " operands");
  size_t first = operands.size() - 4; // 1 with a bias
  const FloatTensor &mean = *operands[first];
  if (mean.shape.size() != 1)
    return failure(t, "running_mean has shape " + dims(mean.shape) +
                          ", expected [channels]");
  int64_t channels = mean.shape[0];
  std::string bad = checkChannels(
      {operands.begin(), operands.end()},
      first ? std::vector<const char *>{"bias", "running_mean", "gamma",
                                        "running_var", "beta"}
            : std::vector<const char *>{"running_mean", "gamma", "running_var",
                                        "beta"},
      channels);
  if (!bad.empty())
    return failure(t, bad);
  const FloatTensor &gamma = *operands[first + 1];
  const FloatTensor &var = *operands[first + 2];
  const FloatTensor &beta = *operands[first + 3];
  TransformResult result;
  result.tensor.shape = {channels};
  result.tensor.values =
      first ? operands[0]->values : std::vector<float>(size_t(channels), 0.f);
  std::vector<float> &bias = result.tensor.values;
  for (int64_t o = 0; o < channels; ++o) {
    float s = batchNormScale(gamma.values[o], var.values[o], t.eps);
    bias[o] = (bias[o] - mean.values[o]) * s + beta.values[o];
  }
  return result;
}

} // namespace

std::string_view weightTransformName(WeightTransform::Kind kind) {
  switch (kind) {
  case WeightTransform::Kind::Transpose:
    return "transpose";
  case WeightTransform::Kind::FoldBatchNormWeight:
    return "fold_batch_norm_weight";
  case WeightTransform::Kind::FoldBatchNormBias:
    return "fold_batch_norm_bias";
  }
  return "unknown";
}

std::optional<WeightTransform::Kind>
weightTransformKind(std::string_view name) {
  for (auto kind : {WeightTransform::Kind::Transpose,
                    WeightTransform::Kind::FoldBatchNormWeight,
                    WeightTransform::Kind::FoldBatchNormBias})
    if (weightTransformName(kind) == name)
      return kind;
  return std::nullopt;
}

TransformResult
applyWeightTransform(const WeightTransform &transform,
                     const std::vector<const FloatTensor *> &operands) {
  for (const FloatTensor *operand : operands)
    if (!operand || !consistent(*operand))
      return failure(transform, "an operand's values do not fill its shape");
  switch (transform.kind) {
  case WeightTransform::Kind::Transpose:
    if (operands.size() != 1)
      return failure(transform, "takes one operand, got " +
                                    std::to_string(operands.size()));
    return transpose(transform, *operands[0]);
  case WeightTransform::Kind::FoldBatchNormWeight:
    if (operands.size() != 3)
      return failure(transform, "takes weight, gamma, running_var; got " +
                                    std::to_string(operands.size()) +
                                    " operands");
    return foldWeight(transform, *operands[0], *operands[1], *operands[2]);
  case WeightTransform::Kind::FoldBatchNormBias:
    return foldBias(transform, operands);
  }
  return failure(transform, "unknown transform");
}

TransformResult applyWeightRecipe(
    const WeightRecipe &recipe,
    const std::function<const FloatTensor *(const std::string &)> &lookup) {
  std::vector<const FloatTensor *> sources;
  for (const std::string &name : recipe.sources) {
    const FloatTensor *tensor = lookup(name);
    if (!tensor) {
      TransformResult result;
      result.error = "no tensor '" + name + "'";
      return result;
    }
    sources.push_back(tensor);
  }
  if (recipe.transforms.empty()) {
    TransformResult result;
    if (sources.size() != 1)
      result.error = "a recipe without transforms needs one source, it has " +
                     std::to_string(sources.size());
    else
      result.tensor = *sources[0];
    return result;
  }
  TransformResult result = applyWeightTransform(recipe.transforms[0], sources);
  for (size_t i = 1; i < recipe.transforms.size() && result.ok(); ++i)
    result = applyWeightTransform(recipe.transforms[i], {&result.tensor});
  return result;
}

std::optional<WeightRecipe>
composeRecipe(const WeightTransform &transform,
              const std::vector<WeightRecipe> &operands) {
  if (operands.size() == 1) {
    WeightRecipe out = operands[0];
    out.transforms.push_back(transform);
    return out;
  }
  WeightRecipe out;
  for (const WeightRecipe &operand : operands) {
    if (!operand.transforms.empty() || operand.sources.size() != 1)
      return std::nullopt;
    out.sources.push_back(operand.sources[0]);
  }
  out.transforms.push_back(transform);
  return out;
}

} // namespace goe::runtime
