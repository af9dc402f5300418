//===- Schedule.cpp - the learning rate over training ---------------------===//

#include "goe/Training/Schedule.h"

#include <algorithm>
#include <cmath>

namespace goe::train {

runtime::Status checkSchedule(const ScheduleOptions &options) {
  auto bad = [](const std::string &message) {
    return runtime::invalidArgument(message);
  };
  if (options.kind != "constant" && options.kind != "step" &&
      options.kind != "cosine")
    return bad("--schedule must be constant, step or cosine, got '" +
               options.kind + "'");
  if (options.stepEpochs < 1)
    return bad("--step-epochs must be at least 1");
  if (!(options.gamma > 0) || !std::isfinite(options.gamma))
    return bad("--gamma must be a positive number");
  if (!(options.minFactor >= 0 && options.minFactor <= 1))
    return bad("--min-lr-factor must be in [0, 1]");
  if (!(options.warmupEpochs >= 0) || !std::isfinite(options.warmupEpochs))
    return bad("--warmup-epochs must be a non-negative number");
  return runtime::okStatus();
}

double learningRate(const ScheduleOptions &options, double baseLr,
                    int64_t epoch, int64_t step, int64_t stepsPerEpoch,
                    int64_t epochs) {
  // Steps done before this one, over the whole run.
  double done = double(epoch - 1) * double(stepsPerEpoch) + double(step);
  double total = std::max<double>(1, double(epochs) * double(stepsPerEpoch));
  double factor = 1;
  if (options.kind == "step") {
    factor = std::pow(options.gamma, double((epoch - 1) / options.stepEpochs));
  } else if (options.kind == "cosine") {
    double t = std::min(1.0, done / total);
    factor = options.minFactor + (1 - options.minFactor) *
                                     (1 + std::cos(M_PI * t)) / 2;
  }
  double warmupSteps = options.warmupEpochs * double(stepsPerEpoch);
  if (warmupSteps > 0 && done < warmupSteps)
    factor *= (done + 1) / std::ceil(warmupSteps);
  return baseLr * factor;
}

} // namespace goe::train
