//===- Trainer.h - one epoch of training, one split's evaluation -*- C++ -*-===//
//
// The loop itself, over the pieces it is given: the model (frontends/torch),
// the data (TrainingData.h), the objective (Objective.h), the router
// trainer (RouterTrainer.h), the optimiser and schedule (Optimizer.h,
// Schedule.h) and the progress callbacks (Progress.h).
//
// A step: the router trainer's routing for the batch -> the model's forward
// -> the objective's loss + the router's auxiliary loss -> backward -> the
// schedule's learning rate -> the optimiser's step. After every step the
// loss and the weights must be finite: otherwise training stops with an
// error naming the epoch and the step (TrainingError; nothing is written),
// and SIGINT/SIGTERM (Interrupt.h) stop it the same way.
//
// Data parallelism (Distributed.h): with a DataParallel, each step trains
// on this rank's share of the global batch and the gradients are summed
// over the ranks after backward; the epoch's score is the ranks' sum, and
// validate() gives rank 0's score on every rank.
//
// Determinism: the batch order of epoch e is a permutation from a generator
// seeded from (seed, e); random routing draws from (seed, 1, e) in training
// and (seed, 2, 0) in evaluation; dropout from LibTorch's default generator,
// seeded from (seed, 3, e) as the epoch starts. The same options give the same weights,
// and a resumed run continues exactly where an uninterrupted one would.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_TRAINER_H
#define GOE_TRAINING_TRAINER_H

#include "goe/Training/Objective.h"
#include "goe/Training/Progress.h"
#include "goe/Training/RouterTrainer.h"
#include "goe/Training/WeightAverage.h"

#include <torch/optim/optimizer.h>

#include <functional>

namespace goe::train {

/// A seed for (seed, stream, epoch): SplitMix64 over the three.
uint64_t mixSeed(uint64_t seed, uint64_t stream, uint64_t epoch);

class DataParallel;

class Trainer {
public:
  Trainer(torchref::Model &model, TrainingData &data, Objective &objective,
          RouterTrainer &router,
          torch::optim::Optimizer *optimizer, const TrainOptions &options,
          ProgressCallbacks callbacks)
      : model(model), data(data), objective(objective), router(router),
        optimizer(optimizer), options(options),
        callbacks(std::move(callbacks)) {}

  struct EpochResult {
    Score score;
    double imagesPerSecond = 0, lr = 0;
  };
  /// Epochs given to trainEpoch are counted from this one on for seeds and
  /// augmentation (a stage's epochs are numbered across the run), while the
  /// schedule and the progress count them from 1 (Stages.h).
  void setEpochOffset(int64_t offset) { epochOffset = offset; }

  /// Trains one epoch (1-based; needs the optimiser). Throws TrainingError on divergence or an
  /// interrupting signal, naming the epoch and the step.
  EpochResult trainEpoch(int64_t epoch);

  /// The objective's score on `split` (eval mode, batches of the
  /// objective's evaluationBatch); with
  /// `outputs`, the objective's output for every sample, with `targets`
  /// their target field; `onBatch` sees every batch with its forward pass
  /// (the compiled check, CompiledCheck.h).
  using BatchObserver = std::function<void(const TrainBatch &,
                                           const torchref::ForwardResult &)>;
  Score evaluate(Split split, at::Tensor *outputs = nullptr,
                 at::Tensor *targets = nullptr,
                 const BatchObserver &onBatch = nullptr);

  /// evaluate(Split::Val), the same on every data-parallel rank.
  Score validate();

  /// Updates `average` after every optimiser step (--ema; null: none).
  void averageWeights(WeightAverage *average) { this->average = average; }

  /// Trains as one rank of `parallel` (null: alone, the default).
  void distribute(DataParallel *parallel) { this->parallel = parallel; }

  /// Per router node: (input, choice) pairs per path in the last
  /// evaluate(), as goe-run counts them.
  const std::map<std::string, std::vector<int64_t>> &routeCounts() const {
    return counts;
  }

private:
  torchref::ForwardResult forward(const TrainBatch &batch,
                                  std::mt19937_64 &rng);
  void checkFinite(double loss, int64_t epoch, int64_t step, int64_t steps,
                   double lr) const;

  torchref::Model &model;
  TrainingData &data;
  Objective &objective;
  RouterTrainer &router;
  torch::optim::Optimizer *optimizer; // null: evaluation only
  const TrainOptions &options;
  int64_t epochOffset = 0;
  WeightAverage *average = nullptr;
  ProgressCallbacks callbacks;
  std::map<std::string, std::vector<int64_t>> counts;
  DataParallel *parallel = nullptr;
};

} // namespace goe::train

#endif // GOE_TRAINING_TRAINER_H
