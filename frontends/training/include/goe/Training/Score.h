//===- Score.h - what a split or a training step scored ---------*- C++ -*-===//
//
// Filled by the objective (Objective.h) and the trainer, read by the
// progress callbacks (Progress.h) and the choice of the kept weights. No
// LibTorch.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_SCORE_H
#define GOE_TRAINING_SCORE_H

#include <cstdint>
#include <map>
#include <string>

namespace goe::train {

/// A split's (or a step's) score: loss summed over samples, the samples
/// counted correct (the metric the objective reports as accuracy, if it
/// counts one), named parts of the loss summed over samples, and figures
/// only a whole split gives.
struct Score {
  double lossSum = 0;
  int64_t correct = 0, count = 0;
  /// yolo: box, obj, cls; a router's auxiliary loss: balance.
  std::map<std::string, double> partSums;
  /// Set by Objective::finishScoring (yolo: mAP50, mAP50_95, fitness). A
  /// `fitness` (higher is better) picks the kept weights in place of the
  /// validation loss.
  std::map<std::string, double> metrics;

  double loss() const { return count ? lossSum / double(count) : 0; }
  double accuracy() const { return count ? double(correct) / double(count) : 0; }
  double part(const std::string &name) const {
    auto it = partSums.find(name);
    return it == partSums.end() || !count ? 0 : it->second / double(count);
  }
  /// Lower is better: -fitness when there is one, else the loss.
  double selection() const {
    auto it = metrics.find("fitness");
    return it != metrics.end() ? -it->second : loss();
  }
  void add(const Score &other) {
    lossSum += other.lossSum;
    correct += other.correct;
    count += other.count;
    for (const auto &[name, sum] : other.partSums)
      partSums[name] += sum;
  }
};

} // namespace goe::train

#endif // GOE_TRAINING_SCORE_H
