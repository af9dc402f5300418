//===- CrossEntropy.cpp - softmax cross-entropy on a class output ---------===//
//
// Objective `cross_entropy`: the named output must be [B, classes] logits
// and the target field one i64 class per sample; the loss is LibTorch's
// cross_entropy (mean over the batch in training, summed for scores) and
// a sample is correct when the arg-max logit is its class. Targets are
// checked before LibTorch sees them, so a class out of range is a message
// naming the output and its class count, not "Target 7 is out of bounds".
//
//===----------------------------------------------------------------------===//

#include "goe/Training/Objective.h"
#include "goe/Training/TrainingError.h"

#include <torch/nn/functional/loss.h>

namespace goe::train {
namespace {

namespace F = torch::nn::functional;

class CrossEntropy : public Objective {
public:
  CrossEntropy(size_t index, std::string output, int64_t classes,
               std::string target)
      : index(index), output(std::move(output)), classes(classes),
        target(std::move(target)) {}

  size_t outputIndex() const override { return index; }

  at::Tensor loss(const torchref::ForwardResult &result,
                  const TrainBatch &batch, Score &step) const override {
    const at::Tensor &logits = result.outputs.at(index);
    at::Tensor y = targets(batch);
    at::Tensor loss = F::cross_entropy(logits, y);
    step.correct = logits.detach().argmax(1).eq(y).sum().item<int64_t>();
    step.lossSum = loss.item<double>() * double(batch.size());
    return loss;
  }

  Score score(const torchref::ForwardResult &result,
              const TrainBatch &batch) override {
    const at::Tensor &logits = result.outputs.at(index);
    at::Tensor y = targets(batch);
    Score s;
    s.lossSum = F::cross_entropy(logits, y,
                                 F::CrossEntropyFuncOptions().reduction(
                                     torch::kSum))
                    .item<double>();
    s.correct = logits.argmax(1).eq(y).sum().item<int64_t>();
    s.count = batch.size();
    return s;
  }

private:
  /// The batch's classes, each checked to be in [0, classes).
  at::Tensor targets(const TrainBatch &batch) const {
    const at::Tensor &y = batch.fields.at(target);
    at::Tensor bad = (y.lt(0) | y.ge(classes)).nonzero();
    if (bad.numel() > 0) {
      int64_t row = bad[0][0].item<int64_t>();
      throw TrainingError(runtime::invalidArgument(
          "target class " + std::to_string(y[row].item<int64_t>()) +
          " (field '" + target + "' of " + data::splitName(batch.split) +
          " sample " + std::to_string(batch.indices[row].item<int64_t>()) +
          ") is out of range for output '" + output + "', which has " +
          std::to_string(classes) + " classes (0.." +
          std::to_string(classes - 1) + ")"));
    }
    return y;
  }

  size_t index;
  std::string output;
  int64_t classes;
  std::string target;
};

runtime::StatusOr<std::unique_ptr<Objective>>
create(const ObjectiveSetup &setup) {
  if (setup.outputNames.empty())
    return runtime::invalidArgument("the spec has no outputs");
  size_t index = 0;
  if (!setup.output.empty()) {
    std::string names;
    index = setup.outputNames.size();
    for (size_t i = 0; i < setup.outputNames.size(); ++i) {
      if (setup.outputNames[i] == setup.output)
        index = i;
      names += (names.empty() ? "" : ", ") + setup.outputNames[i];
    }
    if (index == setup.outputNames.size())
      return runtime::invalidArgument("--output " + setup.output +
                                      ": the spec has no such output (it has " +
                                      names + ")");
  }
  const std::string &name = setup.outputNames[index];
  const spec::TensorInfo &type = setup.outputTypes[index];
  if (type.isInt || type.shape.size() != 1)
    return runtime::invalidArgument(
        "objective cross_entropy: output '" + name + "' is " +
        std::string(type.isInt ? "i64 " : "f32 ") +
        spec::formatShape(type.shape) +
        " per sample; it needs class logits [classes] (--output names "
        "another output)");
  for (const data::Field &field : setup.dataset->fields())
    if (field.name == setup.target &&
        field.spec != runtime::TensorSpec{runtime::DType::I64, {}})
      return runtime::invalidArgument(
          "objective cross_entropy: the target field '" + setup.target +
          "' of dataset '" + setup.dataset->kind() + "' is " +
          runtime::specToString(field.spec) + "; it needs one i64 class per "
          "sample");
  return std::unique_ptr<Objective>(
      new CrossEntropy(index, name, type.shape[0], setup.target));
}

} // namespace

extern const ObjectiveKind kCrossEntropyObjective = {
    "cross_entropy",
    "softmax cross-entropy of a [classes] output against an i64 class",
    "label", create};

} // namespace goe::train
