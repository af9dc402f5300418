//===- Checkpoint.h - saving and resuming a training run --------*- C++ -*-===//
//
// A checkpoint (--checkpoint FILE, written after every epoch) is a LibTorch
// archive (torch::serialize::OutputArchive) holding:
//   "format"            int tensor, 2 (format 1, without router state and
//                       optimiser kind, is still read)
//   "epoch"             epochs completed
//   "best_epoch"        epoch of the best validation loss (0: none yet)
//   "best_val_loss"     its loss
//   "count"             number of weights; "weights_<i>" the current ones
//                       and "best_<i>" the best so far, in name order
//   "optimizer_kind"    adam | sgd
//   "optimizer"         the optimiser's state (Optimizer::save)
//   "router"            the router trainer's state (the latent router's
//                       codebook and centres), RouterTrainer::saveState
//   "average_updates"   --ema's update count, and "average_<i>" its
//                       average of weight i where it has one (absent in
//                       older checkpoints: no average)
// It is written to a temporary file beside FILE (runtime/TempFile.h) and renamed
// over it, so FILE is always a whole checkpoint and an interrupted write
// leaves nothing. --resume FILE restores all of it; the run must use the
// same spec, data, --var, --router, --batch, optimiser and --seed for the
// continuation to be exact.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_CHECKPOINT_H
#define GOE_TRAINING_CHECKPOINT_H

#include "goe/Training/WeightAverage.h"
#include "goe/Frontends/Torch/TorchModel.h"
#include "goe/Runtime/Status.h"
#include "goe/Training/RouterTrainer.h"

#include <torch/optim/optimizer.h>

#include <limits>
#include <map>
#include <string>

namespace goe::train {

struct CheckpointState {
  int64_t epoch = 0, bestEpoch = 0;
  double bestValLoss = std::numeric_limits<double>::infinity();
  std::map<std::string, at::Tensor> best;
  WeightAverage average; // --ema: its tensors and update count travel too
};

runtime::Status saveCheckpoint(const std::string &path,
                               const torchref::Model &model,
                               const torch::optim::Optimizer &optimizer,
                               const std::string &optimizerKind,
                               const RouterTrainer &router,
                               const CheckpointState &state);

/// Restores the weights into `model`, the router trainer's state
/// (loadState) and `state`. Errors name the file and what does not fit
/// (another spec).
runtime::Status loadCheckpoint(const std::string &path, torchref::Model &model,
                               RouterTrainer &router, CheckpointState &state);

/// Restores the optimiser's state, once the optimiser of the stage the run
/// continues in exists (a staged run's stages each have their own).
/// Errors name the file and another optimiser kind.
runtime::Status loadOptimizerState(const std::string &path,
                                   torch::optim::Optimizer &optimizer,
                                   const std::string &optimizerKind);

} // namespace goe::train

#endif // GOE_TRAINING_CHECKPOINT_H
