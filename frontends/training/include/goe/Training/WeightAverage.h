//===- WeightAverage.h - a moving average of the weights ---*- C++ -*-===//
//
// yolov7's ModelEMA (`--ema DECAY`): after every optimiser step,
//   average = d * average + (1 - d) * weights,  d = decay * (1 - exp(-n / tau))
// over every floating-point weight, the batch-norm statistics included; n
// counts the updates, so the first steps follow the weights closely and d
// approaches `decay` after a few tau steps. Validation, the kept weights
// and --out use the average; training continues on the weights themselves.
// Checkpoints hold the average and n, so a resumed run averages on as an
// uninterrupted one would.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_WEIGHTAVERAGE_H
#define GOE_TRAINING_WEIGHTAVERAGE_H

#include "goe/Frontends/Torch/TorchModel.h"

#include <ATen/ATen.h>

#include <cstdint>
#include <map>
#include <string>

namespace goe::train {

class WeightAverage {
public:
  /// decay in (0, 1); tau > 0 steps.
  void configure(double decay, double tau) {
    this->decay = decay;
    this->tau = tau;
  }
  bool enabled() const { return decay > 0; }

  /// One update after an optimiser step (the first copies the weights).
  void update(const torchref::Model &model);
  /// Forgets the average (a new training stage starts its own).
  void reset();

  /// Swaps the average and the model's weights (a second call swaps them
  /// back); nothing before the first update.
  void swap(torchref::Model &model);

  /// The averaged tensors by weight name, and the updates so far: what a
  /// checkpoint stores and restores.
  std::map<std::string, at::Tensor> averaged;
  int64_t updates = 0;

private:
  double decay = 0, tau = 2000;
};

/// Puts the average into the model for a scope (validation), then the
/// trained weights back; does nothing when the average is off or empty.
class AveragedWeightsScope {
public:
  AveragedWeightsScope(WeightAverage &average, torchref::Model &model);
  ~AveragedWeightsScope();
  AveragedWeightsScope(const AveragedWeightsScope &) = delete;
  AveragedWeightsScope &operator=(const AveragedWeightsScope &) = delete;

private:
  WeightAverage &average;
  torchref::Model &model;
  bool swapped = false;
};

} // namespace goe::train

#endif // GOE_TRAINING_WEIGHTAVERAGE_H
