//===- Schedule.h - the learning rate over training -------------*- C++ -*-===//
//
// The learning rate of every optimiser step, from the base rate:
//   constant  lr
//   step      lr * gamma^floor(epoch / step_epochs)   (epoch counted from 0)
//   cosine    lr * (min_factor + (1 - min_factor) (1 + cos(pi t)) / 2),
//             t = fraction of the training steps done, 0 -> 1
// and a linear warm-up over the first `warmup_epochs` epochs (fractional
// epochs allowed): the factor rises from 1/warm-up-steps to 1 step by step.
// Computed from (epoch, step) alone, so a resumed run gets the same rates.
// Plain arithmetic, no LibTorch.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_SCHEDULE_H
#define GOE_TRAINING_SCHEDULE_H

#include "goe/Runtime/Status.h"

#include <cstdint>
#include <string>

namespace goe::train {

struct ScheduleOptions {
  std::string kind = "constant"; // constant | step | cosine
  int64_t stepEpochs = 10;       // step: epochs between decays
  double gamma = 0.1;            // step: the decay factor
  double minFactor = 0;          // cosine: the last rate over the first
  double warmupEpochs = 0;       // linear warm-up; 0: none
};

/// InvalidArgument naming the field when `options` is not a schedule.
runtime::Status checkSchedule(const ScheduleOptions &options);

/// The learning rate of step `step` (0-based) of epoch `epoch` (1-based),
/// `stepsPerEpoch` steps an epoch, `epochs` epochs in all.
double learningRate(const ScheduleOptions &options, double baseLr,
                    int64_t epoch, int64_t step, int64_t stepsPerEpoch,
                    int64_t epochs);

} // namespace goe::train

#endif // GOE_TRAINING_SCHEDULE_H
