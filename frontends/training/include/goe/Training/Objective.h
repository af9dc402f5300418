//===- Objective.h - what training minimises --------------------*- C++ -*-===//
//
// An Objective turns the model's outputs and a batch's targets into the
// loss to minimise, and scores a split for evaluation. Kinds are registered
// in one table (lib/objectives/Registry.cpp), each in its own file:
//   cross_entropy  softmax cross-entropy of a [B, classes] output against
//                  an i64 class per sample (the default)
// The detection loss (frontends/torch YoloLoss.h) is the next kind; its
// file needs only what this interface gives: the spec's outputs by name,
// the dataset's fields and the batch.
//
// Adding an objective: a file in lib/objectives/ with a class implementing
// Objective and an `extern const ObjectiveKind`, one line in Registry.cpp,
// the file in CMakeLists.txt, a test in tests/unit/training/.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_OBJECTIVE_H
#define GOE_TRAINING_OBJECTIVE_H

#include "goe/Data/Dataset.h"
#include "goe/Frontends/Spec/ShapeInference.h"
#include "goe/Training/TrainingData.h"

#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <vector>

namespace goe::train {

/// What an objective may check itself against before training starts.
struct ObjectiveSetup {
  /// The spec's outputs, one per tensor, as the graph plan names them.
  std::vector<std::string> outputNames;
  std::vector<spec::TensorInfo> outputTypes;
  std::string output; // the output asked for (--output); empty: the first
  std::string target; // the dataset field of the targets (--target)
  const data::Dataset *dataset = nullptr;
};

/// A split's score: loss summed over samples, and the samples counted
/// correct (the metric the objective reports as accuracy).
struct Score {
  double lossSum = 0;
  int64_t correct = 0, count = 0;
  double loss() const { return count ? lossSum / double(count) : 0; }
  double accuracy() const { return count ? double(correct) / double(count) : 0; }
  void add(const Score &other) {
    lossSum += other.lossSum;
    correct += other.correct;
    count += other.count;
  }
};

class Objective {
public:
  virtual ~Objective();
  /// Position of the output it reads in the model's outputs.
  virtual size_t outputIndex() const = 0;
  /// The mean loss of a batch, differentiable; `correct` receives the
  /// samples it counts correct. Throws TrainingError on bad targets,
  /// naming the output and the target (a class out of range).
  virtual at::Tensor loss(const std::vector<at::Tensor> &outputs,
                          const TrainBatch &batch, int64_t &correct) const = 0;
  /// The summed loss and the correct count of an evaluation batch (no
  /// gradient).
  virtual Score score(const std::vector<at::Tensor> &outputs,
                      const TrainBatch &batch) const = 0;
};

struct ObjectiveKind {
  const char *name;
  const char *help; // one line for --help
  runtime::StatusOr<std::unique_ptr<Objective>> (*create)(
      const ObjectiveSetup &setup);
};

const std::vector<const ObjectiveKind *> &objectiveKinds();
/// The objective `name` set up for `setup`; InvalidArgument listing the
/// kinds, or the kind's own message (an output that does not fit).
runtime::StatusOr<std::unique_ptr<Objective>>
makeObjective(const std::string &name, const ObjectiveSetup &setup);

} // namespace goe::train

#endif // GOE_TRAINING_OBJECTIVE_H
