//===- InitWeights.cpp - start a run from a weight file -------------------===//
//
// See InitWeights.h.
//
//===----------------------------------------------------------------------===//

#include "goe/Training/InitWeights.h"
#include "goe/Runtime/Artifact.h"
#include "goe/Runtime/Tensor.h"
#include "goe/Runtime/QuoteText.h"

#include <torch/torch.h>

#include <map>
#include <set>

namespace goe::train {

using runtime::Status;

namespace {


/// An f32 artifact tensor as a LibTorch tensor of the same shape, with its
/// byte count checked (a .goew is external input).
runtime::StatusOr<at::Tensor> toTorch(const artifact::Tensor &tensor,
                                      const std::string &where) {
  if (tensor.dtype() != artifact::F32)
    return runtime::invalidArgument(where + ": tensor " +
                                    runtime::quoteText(tensor.name()) +
                                    " is not f32");
  int64_t count = 1;
  for (int64_t dim : tensor.shape()) {
    if (dim < 0 || (dim > 0 && count > INT64_MAX / 4 / dim))
      return runtime::invalidArgument(where + ": tensor " +
                                      runtime::quoteText(tensor.name()) +
                                      " has a bad shape");
    count *= dim;
  }
  if (tensor.data().size() != size_t(count) * sizeof(float))
    return runtime::invalidArgument(
        where + ": tensor " + runtime::quoteText(tensor.name()) + " holds " +
        std::to_string(tensor.data().size()) + " bytes, its shape " +
        runtime::shapeToString({tensor.shape().begin(), tensor.shape().end()}) + " needs " +
        std::to_string(count * sizeof(float)));
  std::vector<int64_t> shape(tensor.shape().begin(), tensor.shape().end());
  return at::from_blob(const_cast<char *>(tensor.data().data()), shape,
                       at::kFloat)
      .clone();
}

} // namespace

runtime::StatusOr<InitWeightsReport>
loadInitWeights(const std::string &path, torchref::Model &model) {
  std::string where = "--init-weights " + path;
  auto bundle = runtime::readWeightBundle(path);
  if (!bundle.ok())
    return bundle.status().withContext(where);
  std::map<std::string, std::vector<int64_t>> shapes = model.parameterShapes();

  // Everything is checked before the first copy.
  InitWeightsReport report;
  std::map<std::string, at::Tensor> chosen;
  std::set<std::string> seen;
  for (const artifact::Tensor &tensor : bundle->tensors()) {
    if (!seen.insert(tensor.name()).second)
      return runtime::invalidArgument(where + ": tensor " +
                                      runtime::quoteText(tensor.name()) +
                                      " appears twice");
    auto it = shapes.find(tensor.name());
    if (it == shapes.end()) {
      report.ignored.push_back(tensor.name());
      continue;
    }
    std::vector<int64_t> shape(tensor.shape().begin(), tensor.shape().end());
    if (shape != it->second)
      return runtime::invalidArgument(
          where + ": tensor " + runtime::quoteText(tensor.name()) +
          " has shape " +
          runtime::shapeToString(shape) + ", the model's is " + runtime::shapeToString(it->second));
    auto value = toTorch(tensor, where);
    if (!value.ok())
      return value.status();
    chosen[tensor.name()] = *value;
  }
  if (chosen.empty())
    return runtime::invalidArgument(
        where + ": none of its " + std::to_string(bundle->tensors_size()) +
        " tensors is a weight of this model (another spec?)");
  for (const auto &[name, shape] : shapes)
    if (!chosen.count(name))
      report.missing.push_back(name);

  torch::NoGradGuard noGrad;
  for (const auto &[name, value] : chosen) {
    std::string why;
    if (!model.setParameter(name, value, &why))
      return runtime::internalError(where + ": " + why);
  }
  report.loaded = int64_t(chosen.size());
  return report;
}

} // namespace goe::train
