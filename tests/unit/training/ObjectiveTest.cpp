//===- ObjectiveTest.cpp - the objectives' checks and losses ----------------===//

#include "FieldsOnlyDataset.h"

#include "goe/Training/Objective.h"
#include "goe/Training/TrainingError.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

using namespace goe;
using namespace goe::train;
using runtime::DType;

namespace {

const test::FieldsOnlyDataset kLabelled("fake",
                                         {{"image", {DType::F32, {1, 4, 4}}},
                                          {"label", {DType::I64, {}}}});

ObjectiveSetup setup(std::vector<int64_t> outputShape,
                     const std::string &output = "") {
  ObjectiveSetup s;
  s.outputNames = {"logits"};
  s.outputTypes = {{outputShape, false}};
  s.output = output;
  s.target = "label";
  s.dataset = &kLabelled;
  return s;
}

torchref::ForwardResult outputsOf(std::vector<at::Tensor> outputs) {
  torchref::ForwardResult result;
  result.outputs = std::move(outputs);
  return result;
}

TrainBatch batchOf(std::vector<int64_t> labels) {
  TrainBatch batch;
  batch.split = data::Split::Train;
  int64_t n = (int64_t)labels.size();
  batch.indices = torch::arange(10, 10 + n, at::kLong);
  batch.fields["label"] = torch::tensor(labels, at::kLong);
  return batch;
}

} // namespace

TEST(ObjectiveTest, CrossEntropyMatchesLibTorch) {
  auto objective = makeObjective("cross_entropy", setup({3}));
  ASSERT_TRUE(objective.ok()) << objective.status().message();
  at::Tensor logits = torch::tensor({{2.0f, 0.0f, 0.0f}, {0.0f, 0.0f, 1.0f}});
  TrainBatch batch = batchOf({0, 1});
  Score step;
  at::Tensor loss = (*objective)->loss(outputsOf({logits}), batch, step);
  EXPECT_EQ(step.correct, 1);
  EXPECT_NEAR(step.lossSum, 2 * loss.item<double>(), 1e-6);
  EXPECT_NEAR(loss.item<double>(),
              torch::nn::functional::cross_entropy(logits, batch.fields["label"])
                  .item<double>(),
              1e-7);
  Score score = (*objective)->score(outputsOf({logits}), batch);
  EXPECT_EQ(score.count, 2);
  EXPECT_NEAR(score.loss(), loss.item<double>(), 1e-6);
}

TEST(ObjectiveTest, ATargetOutOfRangeNamesTheOutputAndItsClasses) {
  auto objective = makeObjective("cross_entropy", setup({2}));
  ASSERT_TRUE(objective.ok());
  Score step;
  try {
    (*objective)->loss(outputsOf({torch::zeros({3, 2})}), batchOf({1, 0, 7}),
                       step);
    FAIL() << "no error";
  } catch (const TrainingError &e) {
    EXPECT_EQ(e.status().message(),
              "target class 7 (field 'label' of train sample 12) is out of "
              "range for output 'logits', which has 2 classes (0..1)");
  }
}

TEST(ObjectiveTest, SetupErrorsNameTheOutput) {
  auto unknown = makeObjective("dice", setup({2}));
  EXPECT_NE(unknown.status().message().find(
                "unknown objective 'dice' (known: cross_entropy, yolo)"),
            std::string::npos);
  auto missing = makeObjective("cross_entropy", setup({2}, "boxes"));
  EXPECT_NE(missing.status().message().find(
                "--output boxes: the spec has no such output (it has logits)"),
            std::string::npos);
  auto image = makeObjective("cross_entropy", setup({3, 8, 8}));
  EXPECT_NE(image.status().message().find(
                "objective cross_entropy: output 'logits' is f32 [3, 8, 8] "
                "per sample; it needs class logits [classes]"),
            std::string::npos)
      << image.status().message();
}
