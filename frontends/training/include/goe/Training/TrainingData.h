//===- TrainingData.h - a Dataset's batches as LibTorch tensors -*- C++ -*-===//
//
// Opens a registered dataset (goe/Data/Dataset.h) for a spec: checks that
// it feeds every spec input (InputMatching.h) and holds the objective's
// target field, and hands out batches of a split as at::Tensors, by the
// samples' positions in the split. Batches are read from the dataset when
// asked for (a kind like celeba decodes its images then), so only what a
// step needs sits in memory. `--max-train N` keeps the first N training
// samples, `--max-val N` the first N validation samples.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_TRAININGDATA_H
#define GOE_TRAINING_TRAININGDATA_H

#include "goe/Data/Dataset.h"
#include "goe/Frontends/Spec/Spec.h"
#include "goe/Training/TrainOptions.h"

#include <ATen/ATen.h>

#include <map>
#include <memory>
#include <string>

namespace goe::train {

using data::Split;

/// Some samples of one split: every dataset field, and the spec's inputs
/// (the same tensors, by input name).
struct TrainBatch {
  Split split = Split::Train;
  at::Tensor indices; // [B] i64: the samples' positions in the split
  std::map<std::string, at::Tensor> fields; // by dataset field name
  std::map<std::string, at::Tensor> inputs; // by spec input name
  int64_t size() const { return indices.numel(); }
};

class TrainingData {
public:
  /// Opens options.dataset at options.dataDir for `spec`'s inputs and the
  /// target field options.target. Errors name the dataset, the input or
  /// the field.
  static runtime::StatusOr<std::unique_ptr<TrainingData>>
  open(const TrainOptions &options, const spec::Spec &spec);

  const data::Dataset &dataset() const { return *dataset_; }
  /// Spec input -> dataset field.
  const std::map<std::string, std::string> &inputFields() const {
    return inputFields_;
  }
  int64_t size(Split split) const;
  /// The next training batches belong to `epoch` (Dataset::beginEpoch).
  void beginEpoch(int64_t epoch) { dataset_->beginEpoch(epoch); }
  /// The samples `indices` ([n] i64) of `split`; throws TrainingError with
  /// the dataset's message if it cannot read them.
  TrainBatch batch(Split split, const at::Tensor &indices) const;
  /// From now on every batch also holds, per router node with training
  /// groups, the group of each sample's `target` class
  /// (Stages.h, groupField); null stops it.
  void deriveGroups(const spec::TrainingPlan *plan, std::string target) {
    groups_ = plan;
    groupTarget_ = std::move(target);
  }
  /// The samples [begin, end) of `split`.
  TrainBatch range(Split split, int64_t begin, int64_t end) const;

  /// Writes `split` as DIR/<field>.npy for each dataset field, the target
  /// as DIR/labels.npy, and DIR/<input>.npy for a spec input fed from a
  /// field of another name (goe-run's --input and --labels).
  runtime::Status exportSplit(Split split, const std::string &dir,
                              const std::string &target) const;

private:
  std::unique_ptr<data::Dataset> dataset_;
  std::map<std::string, std::string> inputFields_;
  int64_t maxTrain_ = 0, maxVal_ = 0;
  const spec::TrainingPlan *groups_ = nullptr;
  std::string groupTarget_;
};

} // namespace goe::train

#endif // GOE_TRAINING_TRAININGDATA_H
