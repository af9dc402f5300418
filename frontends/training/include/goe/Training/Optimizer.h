//===- Optimizer.h - the optimiser a run trains with ------------*- C++ -*-===//
//
//   adam  torch::optim::Adam (lr, weight decay)
//   sgd   torch::optim::SGD with momentum, optionally Nesterov's (lr,
//         momentum, weight decay); yolov7's choice
// The learning rate of each step comes from the schedule (Schedule.h) and
// is set on every parameter group before the step.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_OPTIMIZER_H
#define GOE_TRAINING_OPTIMIZER_H

#include "goe/Training/TrainOptions.h"
#include "goe/Runtime/Status.h"

#include <torch/optim/optimizer.h>

#include <memory>
#include <vector>

namespace goe::train {

/// InvalidArgument naming the flag when `options` are not usable.
runtime::Status checkOptimizer(const OptimizerOptions &options);

std::unique_ptr<torch::optim::Optimizer>
makeOptimizer(const std::vector<at::Tensor> &parameters,
              const OptimizerOptions &options);

/// Sets the learning rate of every parameter group.
void setLearningRate(torch::optim::Optimizer &optimizer, double lr);

/// "Adam lr 0.005" / "SGD lr 0.01 momentum 0.937 nesterov".
std::string describeOptimizer(const OptimizerOptions &options);

} // namespace goe::train

#endif // GOE_TRAINING_OPTIMIZER_H
