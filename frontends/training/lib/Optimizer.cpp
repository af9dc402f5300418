//===- Optimizer.cpp - the optimiser a run trains with --------------------===//

#include "goe/Training/Optimizer.h"

#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

#include <cmath>
#include <cstdio>

namespace goe::train {

runtime::Status checkOptimizer(const OptimizerOptions &options) {
  if (options.kind != "adam" && options.kind != "sgd")
    return runtime::invalidArgument("--optimizer must be adam or sgd, got '" +
                                    options.kind + "'");
  if (!(options.lr > 0) || !std::isfinite(options.lr))
    return runtime::invalidArgument("--lr wants a finite positive number");
  if (!(options.momentum >= 0 && options.momentum < 1))
    return runtime::invalidArgument("--momentum must be in [0, 1)");
  if (!(options.weightDecay >= 0) || !std::isfinite(options.weightDecay))
    return runtime::invalidArgument("--weight-decay must be non-negative");
  if (options.nesterov && (options.kind != "sgd" || options.momentum == 0))
    return runtime::invalidArgument(
        "--nesterov needs --optimizer sgd and a momentum above 0");
  return runtime::okStatus();
}

std::unique_ptr<torch::optim::Optimizer>
makeOptimizer(const std::vector<at::Tensor> &parameters,
              const OptimizerOptions &options) {
  if (options.kind == "sgd")
    return std::make_unique<torch::optim::SGD>(
        parameters, torch::optim::SGDOptions(options.lr)
                        .momentum(options.momentum)
                        .nesterov(options.nesterov)
                        .weight_decay(options.weightDecay));
  return std::make_unique<torch::optim::Adam>(
      parameters,
      torch::optim::AdamOptions(options.lr).weight_decay(options.weightDecay));
}

void setLearningRate(torch::optim::Optimizer &optimizer, double lr) {
  for (torch::optim::OptimizerParamGroup &group : optimizer.param_groups())
    group.options().set_lr(lr);
}

std::string describeOptimizer(const OptimizerOptions &options) {
  char text[128];
  if (options.kind == "sgd")
    std::snprintf(text, sizeof text, "SGD lr %g momentum %g%s", options.lr,
                  options.momentum, options.nesterov ? " nesterov" : "");
  else
    std::snprintf(text, sizeof text, "Adam lr %g", options.lr);
  std::string out = text;
  if (options.weightDecay > 0) {
    std::snprintf(text, sizeof text, " weight decay %g", options.weightDecay);
    out += text;
  }
  return out;
}

} // namespace goe::train
