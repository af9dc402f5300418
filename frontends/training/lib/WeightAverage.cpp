//===- WeightAverage.cpp - an exponential moving average of the weights ---===//

#include "goe/Training/WeightAverage.h"

#include <torch/torch.h>

#include <cmath>

namespace goe::train {

void WeightAverage::update(const torchref::Model &model) {
  torch::NoGradGuard noGrad;
  ++updates;
  double d = decay * (1.0 - std::exp(-double(updates) / tau));
  for (const auto &[name, weight] : model.parameters()) {
    if (!weight.is_floating_point())
      continue; // a step counter has no average
    auto found = averaged.find(name);
    if (found == averaged.end()) {
      averaged.emplace(name, weight.detach().clone());
      continue;
    }
    found->second.mul_(d).add_(weight.detach(), 1.0 - d);
  }
}

void WeightAverage::reset() {
  averaged.clear();
  updates = 0;
}

void WeightAverage::swap(torchref::Model &model) {
  torch::NoGradGuard noGrad;
  for (auto &[name, weight] : model.parameters()) {
    auto found = averaged.find(name);
    if (found == averaged.end())
      continue;
    at::Tensor trained = weight.detach().clone();
    weight.copy_(found->second);
    found->second = trained;
  }
}

AveragedWeightsScope::AveragedWeightsScope(WeightAverage &average,
                                           torchref::Model &model)
    : average(average), model(model) {
  if (average.enabled() && !average.averaged.empty()) {
    average.swap(model);
    swapped = true;
  }
}

AveragedWeightsScope::~AveragedWeightsScope() {
  if (swapped)
    average.swap(model);
}

} // namespace goe::train
