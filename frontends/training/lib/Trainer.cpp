//===- Trainer.cpp - one epoch of training, one split's evaluation --------===//

#include "goe/Training/Trainer.h"
#include "goe/Training/Distributed.h"
#include "goe/Training/Interrupt.h"
#include "goe/Training/Optimizer.h"
#include "goe/Training/TrainingError.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <tuple>

namespace goe::train {

uint64_t mixSeed(uint64_t seed, uint64_t stream, uint64_t epoch) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (1 + stream * 0x10001 + epoch);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

torchref::ForwardResult Trainer::forward(const TrainBatch &batch,
                                         std::mt19937_64 &rng) {
  torchref::ForwardResult result =
      model.forward(batch.inputs, router.route(batch, rng));
  if (!result.ok())
    throw TrainingError(runtime::invalidArgument(result.error));
  for (const auto &[node, report] : result.routes) {
    std::vector<int64_t> &c = counts[node];
    c.resize(report.counts.size(), 0);
    for (size_t p = 0; p < c.size(); ++p)
      c[p] += report.counts[p];
  }
  return result;
}

void Trainer::checkFinite(double loss, int64_t epoch, int64_t step,
                          int64_t steps, double lr) const {
  std::string where = "training diverged in epoch " + std::to_string(epoch) +
                      ", step " + std::to_string(step) + " of " +
                      std::to_string(steps);
  char hint[96];
  std::snprintf(hint, sizeof hint,
                "; try a lower --lr (this step's was %g) or a warm-up "
                "(--warmup-epochs); nothing was written",
                lr);
  if (!std::isfinite(loss))
    throw TrainingError(runtime::failedPrecondition(
        where + ": the loss is " + std::to_string(loss) + hint));
  for (const auto &[name, tensor] : model.parameters())
    if (!tensor.isfinite().all().item<bool>())
      throw TrainingError(runtime::failedPrecondition(
          where + ": weight '" + name + "' is no longer finite" + hint));
}

Trainer::EpochResult Trainer::trainEpoch(int64_t epoch) {
  model.train(true);
  TORCH_CHECK(optimizer, "Trainer::trainEpoch without an optimiser");
  int64_t seedEpoch = epochOffset + epoch;
  data.beginEpoch(seedEpoch);
  int64_t n = data.size(Split::Train);
  at::Generator gen =
      at::detail::createCPUGenerator(mixSeed(options.seed, 0, seedEpoch));
  at::Tensor perm = torch::randperm(n, gen, at::kLong);
  // Random routing and dropout draw differently on each data-parallel rank
  // (rank 0 as a lone process).
  uint64_t rankSalt =
      uint64_t(parallel ? parallel->rank() : 0) * 0x9e3779b97f4a7c15ULL;
  std::mt19937_64 rng(mixSeed(options.seed, 1, seedEpoch) + rankSalt);
  // Dropout draws from LibTorch's default generator: seeded per epoch, so a
  // resumed run draws what an uninterrupted one would.
  torch::manual_seed(mixSeed(options.seed, 3, seedEpoch) + rankSalt);
  std::vector<at::Tensor> trained;
  for (const auto &group : optimizer->param_groups())
    for (const at::Tensor &p : group.params())
      trained.push_back(p);
  int64_t steps = (n + options.batch - 1) / options.batch;
  double lr = options.optimizer.lr;
  Score sum;
  int64_t seen = 0; // samples of the global batches so far, all ranks'
  int64_t learned = 0; // steps whose loss reached a learning parameter
  auto start = std::chrono::steady_clock::now();
  for (int64_t b = 0; b < steps; ++b) {
    int64_t begin = b * options.batch;
    int64_t end = std::min(n, begin + options.batch);
    int64_t globalCount = end - begin;
    if (parallel)
      std::tie(begin, end) = parallel->share(begin, end);
    lr = learningRate(options.schedule, options.optimizer.lr, epoch, b, steps,
                      options.epochs);
    setLearningRate(*optimizer, lr);
    optimizer->zero_grad();
    Score step;
    double lossValue = 0;
    if (end > begin) { // a rank's share of a short last batch may be empty
      TrainBatch batch = data.batch(Split::Train, perm.slice(0, begin, end));
      torchref::ForwardResult result = forward(batch, rng);
      step.count = batch.size();
      at::Tensor loss = objective.loss(result, batch, step);
      at::Tensor auxiliary = router.auxiliaryLoss(batch, result);
      if (auxiliary.defined()) {
        loss = loss + auxiliary;
        double value = auxiliary.item<double>();
        step.lossSum += value * double(batch.size());
        step.partSums["router"] += value * double(batch.size());
      }
      // A batch may reach no learning parameter (a stage training one
      // expert, none of whose images are in it): nothing to differentiate.
      if (loss.requires_grad()) {
        loss.backward();
        ++learned;
      }
      lossValue = loss.item<double>();
    }
    if (parallel)
      parallel->reduceGradients(trained, end - begin, globalCount,
                                objective.lossSumsOverSamples(),
                                "epoch " + std::to_string(epoch) + ", step " +
                                    std::to_string(b + 1));
    optimizer->step();
    checkFinite(lossValue, epoch, b + 1, steps, lr);
    if (average)
      average->update(model);
    sum.add(step);
    seen += globalCount;
    double seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count();
    if (callbacks.step)
      callbacks.step({epoch, options.epochs, b + 1, steps, sum.loss(),
                      sum.accuracy(),
                      seconds > 0 ? double(seen) / seconds : 0, lr,
                      seconds, &sum});
    if (int signal = interrupted())
      throw TrainingError(runtime::failedPrecondition(
          std::string("interrupted by ") + signalName(signal) + " in epoch " +
          std::to_string(epoch) + ", step " + std::to_string(b + 1) + " of " +
          std::to_string(steps) + "; no weights written"));
  }
  // A stage whose routing never reaches what it trains (`train:
  // [backbones.expert1]` with `route: 0`) learns nothing: say so.
  if (learned == 0 && n > 0 && !parallel)
    std::fprintf(stderr,
                 "goe-train: warning: epoch %lld: no batch reached a "
                 "trainable parameter (check the stage's train and route)\n",
                 (long long)epoch);
  if (parallel) {
    // The epoch's score over all ranks; rank 0's running statistics for
    // the validation that follows.
    std::string where = "epoch " + std::to_string(epoch);
    parallel->sumScore(sum, where);
    parallel->takeRootState(model, where);
  }
  double seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  EpochResult result;
  result.score = sum;
  result.imagesPerSecond = seconds > 0 ? double(sum.count) / seconds : 0;
  result.lr = lr;
  return result;
}

Score Trainer::validate() {
  Score score = evaluate(Split::Val);
  if (parallel)
    parallel->takeRootScore(score, "the validation split");
  return score;
}

Score Trainer::evaluate(Split split, at::Tensor *outputs,
                        at::Tensor *targets, const BatchObserver &onBatch) {
  torch::NoGradGuard noGrad;
  model.train(false);
  std::mt19937_64 rng(mixSeed(options.seed, 2, 0));
  counts.clear();
  router.beginEvaluation();
  objective.beginScoring();
  Score score;
  std::vector<at::Tensor> all, allTargets;
  int64_t n = data.size(split);
  int64_t chunk = objective.evaluationBatch(options.batch);
  for (int64_t start = 0; start < n; start += chunk) {
    TrainBatch batch = data.range(split, start, std::min(n, start + chunk));
    torchref::ForwardResult result = forward(batch, rng);
    router.observe(batch, result);
    score.add(objective.score(result, batch));
    if (onBatch)
      onBatch(batch, result);
    if (outputs)
      all.push_back(result.outputs.at(objective.outputIndex()));
    if (targets)
      allTargets.push_back(batch.fields.at(options.target));
    if (int signal = interrupted())
      throw TrainingError(runtime::failedPrecondition(
          std::string("interrupted by ") + signalName(signal) +
          " while evaluating the " + data::splitName(split) +
          " split; no weights written"));
  }
  objective.finishScoring(score);
  if (outputs && !all.empty())
    *outputs = torch::cat(all, 0).contiguous();
  if (targets && !allTargets.empty())
    *targets = torch::cat(allTargets, 0).contiguous();
  return score;
}

} // namespace goe::train
