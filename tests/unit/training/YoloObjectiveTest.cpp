//===- YoloObjectiveTest.cpp - objective yolo, dense and mixture -----------===//
//
// The loss is yoloLoss on the right tensors (and, for a mixture, weighted
// per expert so that the gate gets a gradient); the validation score is
// COCO mAP over the compiled graph's post-processing: logits that encode
// the ground truth exactly score 1, a wrong class scores 0.
//
//===----------------------------------------------------------------------===//

#include "FieldsOnlyDataset.h"
#include "TestUtil.h"

#include "goe/Frontends/Spec/GraphPlan.h"
#include "goe/Frontends/Spec/SpecReader.h"
#include "goe/Frontends/Torch/YoloLoss.h"
#include "goe/Training/Objective.h"
#include "goe/Training/TrainingError.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

using namespace goe;
using namespace goe::train;
using runtime::DType;

namespace {

// One detect level: 32x32 input, stride 4 (8x8 cells), 3 classes.
const char *kDense = R"(goe: 1
name: tiny_dense
vars: {nc: 3}
inputs:
  image: [3, 32, 32]
modules:
  net:
    layers:
      - {op: conv, out: 8, kernel: 3, stride: 2}
      - {op: conv, out: 8, kernel: 3, stride: 2}
      - {op: detect, nc: nc, stride: 4, anchors: [[4, 4], [8, 8], [12, 12]]}
graph:
  - {name: det, module: net, from: image}
outputs: [det]
)";

// The same head as two experts behind a top-2 gate, fused by WBF.
const char *kMixture = R"(goe: 1
name: tiny_mixture
vars: {nc: 3}
inputs:
  image: [3, 32, 32]
modules:
  stem:
    layers:
      - {op: conv, out: 8, kernel: 3, stride: 2}
      - {op: conv, out: 8, kernel: 3, stride: 2}
  head:
    layers:
      - {op: detect, nc: nc, stride: 4, anchors: [[4, 4], [8, 8], [12, 12]]}
  gate_net:
    layers:
      - {op: global_avgpool}
      - {op: flatten}
      - {op: linear, out: 2}
routers:
  gate: {kind: topk, choices: 2, k: 2, from: feats, gate: gate_net}
graph:
  - {name: feats, module: stem, from: image}
  - {name: route, router: gate}
  - {name: heads, dispatch: route, experts: {module: head, copies: 2}, from: feats}
  - {name: dets, combine: wbf, from: heads, max_det: 20}
outputs: [dets]
)";

struct Built {
  test::Context context;
  spec::Spec spec;
  spec::GraphPlan plan;
  std::unique_ptr<torchref::Model> model;
  test::FieldsOnlyDataset dataset{
      "boxes", {{"image", {DType::F32, {3, 32, 32}}},
                {"boxes", {DType::F32, {4, 5}}}}};

  explicit Built(const char *text) {
    auto read = spec::readSpec(text, "test.yaml", {}, context.get());
    EXPECT_TRUE(mlir::succeeded(read)) << context.lastError();
    spec = *read;
    plan = *spec::planGraph(spec, {}, context.get());
    model = torchref::Model::build(spec, {}, context.get());
    model->initRandom(3);
    model->rawDetections(true);
  }

  runtime::StatusOr<std::unique_ptr<Objective>> objective() {
    ObjectiveSetup s;
    s.outputNames = plan.outputNames;
    s.outputTypes = plan.outputTypes;
    s.target = "boxes";
    s.dataset = &dataset;
    s.plan = &plan;
    return makeObjective("yolo", s);
  }
};

/// Two images: image 0 has one box of class 1 centred at (10, 14) px, 8 x 8
/// px; image 1 has none.
TrainBatch twoImages() {
  TrainBatch batch;
  batch.indices = torch::arange(2, at::kLong);
  at::Tensor boxes = torch::full({2, 4, 5}, -1.0f);
  boxes[0][0] = torch::tensor({1.0f, 10 / 32.0f, 14 / 32.0f, 8 / 32.0f, 8 / 32.0f});
  boxes.slice(2, 1).masked_fill_(boxes.slice(2, 0, 1).lt(0), 0);
  batch.fields["boxes"] = boxes;
  batch.inputs["image"] = batch.fields["image"] = torch::rand({2, 3, 32, 32});
  return batch;
}

at::Tensor plainTargets() { // yoloLoss's rows for twoImages()
  return torch::tensor({{0.0f, 1.0f, 10 / 32.0f, 14 / 32.0f, 8 / 32.0f, 8 / 32.0f}});
}

std::vector<torchref::YoloLevel> oneLevel() {
  torchref::YoloLevel level;
  level.stride = 4;
  level.anchors = {{{4, 4}, {8, 8}, {12, 12}}};
  return {level};
}

torchref::YoloLossOptions lossOptions() {
  torchref::YoloLossOptions o;
  o.imageSize = 32;
  o.classes = 3;
  return o;
}

/// Logits [2, 3, 8, 8, 8] that decode to exactly image 0's box (anchor 1,
/// cell (2, 3)), class `cls`, and nothing else.
at::Tensor exactLogits(int64_t cls) {
  at::Tensor logits = torch::full({2, 3, 8, 8, 8}, -12.0f);
  // xy: sigmoid 0.5 -> 2 * 0.5 - 0.5 + 2 = 2.5 cells = 10 px (x), and
  // 3.5 cells = 14 px (y); wh: (2 * 0.5)^2 * 8 = 8 px.
  at::Tensor cell = logits[0][1][3][2];
  cell.slice(0, 0, 4).fill_(0.0f);
  cell[4] = 12.0f;
  cell[5 + cls] = 12.0f;
  return logits;
}

/// A mixture's forward pass in which both experts of both images predict
/// image 0's box exactly (class 1), at route weight 0.5 each.
torchref::ForwardResult bothExpertsExact() {
  torchref::ForwardResult result;
  result.outputs = {torch::stack({exactLogits(1), exactLogits(1)}, 1)};
  result.routeWeightNodes = {"route"};
  result.routeWeights = {torch::full({2, 2}, 0.5f)};
  return result;
}

} // namespace

TEST(YoloObjectiveTest, DenseLossIsYoloLossOnTheDetectLevel) {
  Built built(kDense);
  auto objective = built.objective();
  ASSERT_TRUE(objective.ok()) << objective.status().message();
  EXPECT_FALSE((*objective)->countsCorrect());
  TrainBatch batch = twoImages();
  torchref::ForwardResult result = built.model->forward(batch.inputs);
  ASSERT_TRUE(result.ok()) << result.error;
  ASSERT_EQ(result.outputs[0].sizes(), (at::IntArrayRef{2, 3, 8, 8, 8}));
  Score step;
  at::Tensor loss = (*objective)->loss(result, batch, step);
  torchref::YoloLossParts expected = torchref::yoloLoss(
      {result.outputs[0]}, plainTargets(), oneLevel(), lossOptions());
  EXPECT_NEAR(loss.item<double>(), expected.total.item<double>(), 1e-5);
  EXPECT_NEAR(step.lossSum, expected.total.item<double>(), 1e-5);
  EXPECT_NEAR(step.partSums["box"], 2 * expected.box, 1e-6);
  EXPECT_NEAR(step.partSums["obj"], 2 * expected.obj, 1e-6);
  EXPECT_GT(expected.box, 0);
}

TEST(YoloObjectiveTest, MixtureWeightsEachExpertsLossAndTrainsTheGate) {
  Built built(kMixture);
  auto objective = built.objective();
  ASSERT_TRUE(objective.ok()) << objective.status().message();
  TrainBatch batch = twoImages();
  torchref::ForwardResult result = built.model->forward(batch.inputs);
  ASSERT_TRUE(result.ok()) << result.error;
  ASSERT_EQ(result.outputs[0].sizes(), (at::IntArrayRef{2, 2, 3, 8, 8, 8}));
  ASSERT_EQ(result.routeWeightNodes, std::vector<std::string>{"route"});
  Score step;
  at::Tensor loss = (*objective)->loss(result, batch, step);
  at::Tensor weights = result.routeWeights[0];
  double expected = 0;
  for (int64_t slot = 0; slot < 2; ++slot)
    expected += torchref::yoloLoss({result.outputs[0].select(1, slot)},
                                   plainTargets(), oneLevel(), lossOptions(),
                                   weights.select(1, slot))
                    .total.item<double>();
  EXPECT_NEAR(loss.item<double>(), expected, 1e-5);
  // The gate's weights get a gradient through the router weights.
  loss.backward();
  at::Tensor gateWeight = built.model->parameters().at("gate.gate_net.2.weight");
  ASSERT_TRUE(gateWeight.grad().defined());
  EXPECT_GT(gateWeight.grad().abs().sum().item<double>(), 0);
}

TEST(YoloObjectiveTest, ImageWeightsOfOneAreThePlainLoss) {
  at::Tensor logits = torch::randn({2, 3, 8, 8, 8});
  auto plain = torchref::yoloLoss({logits}, plainTargets(), oneLevel(),
                                  lossOptions());
  auto ones = torchref::yoloLoss({logits}, plainTargets(), oneLevel(),
                                 lossOptions(), torch::ones({2}));
  EXPECT_NEAR(plain.total.item<double>(), ones.total.item<double>(), 1e-6);
  // Weight 0 on the image with the box leaves no box loss.
  auto none = torchref::yoloLoss({logits}, plainTargets(), oneLevel(),
                                 lossOptions(), torch::tensor({0.0f, 1.0f}));
  EXPECT_EQ(none.box, 0);
  EXPECT_LT(none.obj, plain.obj);
}

TEST(YoloObjectiveTest, ExactPredictionsScoreMapOneAndAWrongClassZero) {
  Built built(kDense);
  auto objective = built.objective();
  ASSERT_TRUE(objective.ok());
  for (int64_t cls : {1, 2}) {
    torchref::ForwardResult result;
    result.outputs = {exactLogits(cls)};
    (*objective)->beginScoring();
    Score score = (*objective)->score(result, twoImages());
    (*objective)->finishScoring(score);
    EXPECT_EQ(score.count, 2);
    double expected = cls == 1 ? 1.0 : 0.0;
    EXPECT_NEAR(score.metrics["mAP50"], expected, 1e-9) << "class " << cls;
    EXPECT_NEAR(score.metrics["mAP50_95"], expected, 1e-9) << "class " << cls;
  }
}

TEST(YoloObjectiveTest, MixtureScoresTheFusedBoxes) {
  Built built(kMixture);
  auto objective = built.objective();
  ASSERT_TRUE(objective.ok());
  torchref::ForwardResult result = bothExpertsExact();
  (*objective)->beginScoring();
  Score score = (*objective)->score(result, twoImages());
  (*objective)->finishScoring(score);
  EXPECT_NEAR(score.metrics["mAP50"], 1.0, 1e-9);
  EXPECT_NEAR(score.metrics["fitness"], 1.0, 1e-9);
}

TEST(YoloObjectiveTest, AClassBeyondNcNamesTheSample) {
  Built built(kDense);
  auto objective = built.objective();
  ASSERT_TRUE(objective.ok());
  TrainBatch batch = twoImages();
  batch.fields["boxes"][1][0][0] = 3.0f;
  torchref::ForwardResult result = built.model->forward(batch.inputs);
  Score step;
  try {
    (*objective)->loss(result, batch, step);
    FAIL() << "no error";
  } catch (const TrainingError &e) {
    EXPECT_EQ(e.status().message(),
              "box class 3 (train sample 1) is out of range for the detect "
              "layers, which have nc = 3");
  }
}

TEST(YoloObjectiveTest, SetupErrorsSayWhatIsMissing) {
  Built built(kDense);
  ObjectiveSetup s;
  s.outputNames = built.plan.outputNames;
  s.outputTypes = built.plan.outputTypes;
  s.target = "label";
  s.dataset = &built.dataset;
  s.plan = &built.plan;
  auto noBoxes = makeObjective("yolo", s);
  EXPECT_NE(noBoxes.status().message().find(
                "objective yolo: dataset 'boxes' has no box field 'label'"),
            std::string::npos)
      << noBoxes.status().message();

  const char *noDetect = R"(goe: 1
name: plain
inputs:
  image: [3, 32, 32]
modules:
  net:
    layers:
      - {op: global_avgpool}
      - {op: flatten}
      - {op: linear, out: 2}
graph:
  - {name: out, module: net, from: image}
outputs: [out]
)";
  Built plain(noDetect);
  auto none = plain.objective();
  EXPECT_EQ(none.status().message(),
            "objective yolo: the spec has no detect layer");
}

TEST(YoloObjectiveTest, NmsMixtureKeepsOneOfTheExpertsBoxes) {
  std::string text = kMixture;
  text.replace(text.find("combine: wbf"), 12, "combine: nms");
  Built built(text.c_str());
  auto objective = built.objective();
  ASSERT_TRUE(objective.ok()) << objective.status().toString();
  torchref::ForwardResult result = bothExpertsExact();
  (*objective)->beginScoring();
  Score score = (*objective)->score(result, twoImages());
  (*objective)->finishScoring(score);
  EXPECT_NEAR(score.metrics["mAP50"], 1.0, 1e-9);
}

/// The compiled model's [2, 20, 6] boxes: image 0's box (exactLogits),
/// its corners moved by `shift` px, class `cls`; image 1 none.
runtime::Tensor compiledDets(float shift, float cls) {
  std::vector<float> rows(2 * 20 * 6, 0.0f);
  float score = 1.0f / (1.0f + std::exp(-12.0f)); // objectness x class
  score *= score;
  std::vector<float> box{6 + shift, 10, 14 + shift, 18, score, cls};
  std::copy(box.begin(), box.end(), rows.begin());
  return std::move(runtime::Tensor::fromF32({2, 20, 6}, rows)).value();
}

TEST(YoloObjectiveTest, CompareCompiledMatchesBoxByBox) {
  Built built(kMixture);
  auto objective = built.objective();
  ASSERT_TRUE(objective.ok());
  torchref::ForwardResult result = bothExpertsExact();

  // Within the tolerance (1e-3 of 32 px): agrees.
  runtime::Tensor same = compiledDets(0.01f, 1);
  BoxAgreement agreement;
  ASSERT_TRUE((*objective)
                  ->compareCompiled(result, {{"dets", &same}}, agreement)
                  .ok());
  EXPECT_NEAR(agreement.tolerance, 0.032, 1e-12);
  EXPECT_EQ(agreement.images, 2);
  EXPECT_EQ(agreement.referenceBoxes, 1);
  EXPECT_EQ(agreement.compiledBoxes, 1);
  EXPECT_TRUE(agreement.agrees()) << agreement.summary();
  EXPECT_NEAR(agreement.maxCornerError, 0.01, 1e-5);

  // A corner 0.1 px away, or another class: no match, named.
  for (auto [shift, cls] : {std::pair{0.1f, 1.0f}, std::pair{0.0f, 2.0f}}) {
    runtime::Tensor moved = compiledDets(shift, cls);
    BoxAgreement off;
    ASSERT_TRUE((*objective)
                    ->compareCompiled(result, {{"dets", &moved}}, off)
                    .ok());
    EXPECT_FALSE(off.agrees());
    EXPECT_EQ(off.matched, 0);
    EXPECT_NE(off.firstMismatch.find("image 0: LibTorch's class 1 box"),
              std::string::npos)
        << off.firstMismatch;
  }

  // The wrong artifact: no output of that name.
  BoxAgreement none;
  runtime::Status status =
      (*objective)->compareCompiled(result, {{"other", &same}}, none);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("has no output 'dets'"), std::string::npos);
}
