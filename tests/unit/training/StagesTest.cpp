//===- StagesTest.cpp - staged training ----------------------------------===//
//
// The parts of staged training: the stage plan (--stages, --stage-epochs,
// epochs numbered across the run), the model's inner outputs and parameter
// selection, and whole staged runs on Fashion-MNIST (Debian's package,
// installed by the set-up) that check what each stage froze and learned.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "goe/Frontends/Spec/SpecReader.h"
#include "goe/Frontends/Torch/TorchModel.h"
#include "goe/Runtime/Artifact.h"
#include "goe/Training/Stages.h"
#include "goe/Training/Training.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>

#include <unistd.h>

using namespace goe;

namespace {

/// A gated mixture of 8 x 8 images: baseline, gate, two experts with a
/// 3-class score head and an importance head.
const char *kSpec = R"(goe: 1
name: tiny_mixture
inputs:
  image: [1, 8, 8]
modules:
  head:
    layers:
      - {op: flatten}
      - {op: linear, out: 3}
  gate_net:
    layers:
      - {op: flatten}
      - {op: linear, out: 2}
  expert:
    layers:
      - {op: flatten}
      - {op: linear, out: 16}
      - {op: relu}
      - {op: linear, out: 3, name: scores}
      - {op: flatten, from: x}
      - {op: linear, out: 6}
      - {op: reshape, shape: [3, 2]}
      - {op: softmax, axis: -1}
    outputs: {scores: scores, importance: -1}
routers:
  gate: {kind: topk, choices: 2, k: 1, from: image, gate: gate_net, balance_weight: 0}
  pair: {kind: topk, choices: 2, k: 2, from: image, gate: gate_net}
graph:
  - {name: base, module: head, from: image}
  - {name: route, router: gate}
  - {name: experts, dispatch: route, experts: {module: expert, copies: 2}, from: image}
  - {name: out, combine: importance_mix, from: [base, experts]}
outputs: [out]
training:
  groups:
    route: [[0, 2], [1]]
  stages:
    - {name: baseline, train: [base], loss: base, epochs: 3}
    - {name: gate, train: [route], loss: route}
    - {name: experts, train: [experts.scores], loss: experts.scores, route: groups, epochs: 2}
)";

struct Fixture {
  test::Context context;
  spec::Spec spec;
  std::unique_ptr<torchref::Model> model;

  explicit Fixture(const char *text = kSpec) {
    auto read = spec::readSpec(text, "tiny.yaml", {}, context.get());
    if (mlir::failed(read))
      throw std::runtime_error("spec: " + context.lastError());
    spec = std::move(*read);
    model = torchref::Model::build(spec, {}, context.get());
    if (!model)
      throw std::runtime_error("model: " + context.lastError());
  }
};

TEST(StagesTest, SpecSectionIsRead) {
  Fixture f;
  const spec::TrainingPlan &plan = f.spec.training;
  ASSERT_EQ(plan.stages.size(), 3u);
  EXPECT_EQ(plan.stages[0].loss, "base");
  EXPECT_EQ(plan.stages[1].epochs, -1);
  EXPECT_TRUE(plan.stages[2].routeByGroups);
  EXPECT_EQ(plan.stages[2].train, std::vector<std::string>{"experts.scores"});
  ASSERT_EQ(plan.groups.at("route").size(), 2u);
  EXPECT_EQ(plan.groups.at("route")[0], (std::vector<int64_t>{0, 2}));
}

TEST(StagesTest, EpochsAreNumberedAcrossTheRun) {
  Fixture f;
  train::TrainOptions options;
  options.epochs = 5; // the gate stage declares none
  auto plans = train::planStages(f.spec, options);
  ASSERT_TRUE(plans.ok()) << plans.status().message();
  ASSERT_EQ(plans->size(), 3u);
  EXPECT_EQ((*plans)[0].first, 1);
  EXPECT_EQ((*plans)[0].last, 3);
  EXPECT_EQ((*plans)[1].first, 4);
  EXPECT_EQ((*plans)[1].last, 8);
  EXPECT_EQ((*plans)[2].first, 9);
  EXPECT_EQ((*plans)[2].last, 10);

  options.stages = "experts,baseline"; // the spec's order, not the list's
  options.stageEpochs = {{"baseline", 1}};
  plans = train::planStages(f.spec, options);
  ASSERT_TRUE(plans.ok()) << plans.status().message();
  ASSERT_EQ(plans->size(), 2u);
  EXPECT_EQ((*plans)[0].name, "baseline");
  EXPECT_EQ((*plans)[0].epochs(), 1);
  EXPECT_EQ((*plans)[1].name, "experts");
  EXPECT_EQ((*plans)[1].first, 2);

  options.stages = "none";
  options.stageEpochs.clear();
  plans = train::planStages(f.spec, options);
  ASSERT_TRUE(plans.ok());
  ASSERT_EQ(plans->size(), 1u);
  EXPECT_EQ((*plans)[0].stage, nullptr);
  EXPECT_EQ((*plans)[0].last, 5);
}

TEST(StagesTest, UnknownStagesAreNamed) {
  Fixture f;
  train::TrainOptions options;
  options.stages = "baseline,gates";
  auto plans = train::planStages(f.spec, options);
  ASSERT_FALSE(plans.ok());
  EXPECT_NE(plans.status().message().find(
                "--stages: the spec declares no stage 'gates' (it declares "
                "baseline, gate, experts)"),
            std::string::npos)
      << plans.status().message();
  options.stages = "";
  options.stageEpochs = {{"subgates", 2}};
  plans = train::planStages(f.spec, options);
  ASSERT_FALSE(plans.ok());
  EXPECT_NE(plans.status().message().find("--stage-epochs"),
            std::string::npos);
}

TEST(StagesTest, ParameterSelectionFollowsTheOutputsLayers) {
  Fixture f;
  std::vector<std::string> names;
  std::string error;
  ASSERT_TRUE(f.model->selectParameters("experts.importance", names, error))
      << error;
  // Layer 5 (linear 6) of each expert: the importance head alone.
  EXPECT_EQ(names, (std::vector<std::string>{
                       "experts.expert0.5.bias", "experts.expert0.5.weight",
                       "experts.expert1.5.bias", "experts.expert1.5.weight"}));
  names.clear();
  ASSERT_TRUE(f.model->selectParameters("experts.scores", names, error));
  EXPECT_EQ(names.size(), 8u); // layers 1 and 3 of two experts
  EXPECT_TRUE(std::find(names.begin(), names.end(),
                        "experts.expert1.3.weight") != names.end());
  names.clear();
  ASSERT_TRUE(f.model->selectParameters("route", names, error));
  EXPECT_EQ(names, (std::vector<std::string>{"gate.gate_net.1.bias",
                                             "gate.gate_net.1.weight"}));
  names.clear();
  EXPECT_FALSE(f.model->selectParameters("out", names, error));
  EXPECT_EQ(error, "'out' has no parameters to train");
  EXPECT_FALSE(f.model->selectParameters("experts.bogus", names, error));
  EXPECT_EQ(error,
            "node 'experts' has no output 'bogus' (it has scores, importance)");
}

TEST(StagesTest, InnerOutputsReplaceTheSpecs) {
  Fixture f;
  f.model->initRandom(3);
  torch::manual_seed(3);
  at::Tensor image = torch::randn({5, 1, 8, 8});
  std::vector<spec::TensorInfo> types;
  std::string error;
  ASSERT_TRUE(f.model->setOutputs({"base", "route", "experts.scores"}, types,
                                  error))
      << error;
  ASSERT_EQ(types.size(), 3u);
  EXPECT_EQ(types[1].shape, (spec::Shape{2}));
  EXPECT_EQ(types[2].shape, (spec::Shape{3})); // k = 1: one choice
  torchref::ForwardResult result = f.model->forward({{"image", image}});
  ASSERT_TRUE(result.ok()) << result.error;
  ASSERT_EQ(result.outputs.size(), 3u);
  EXPECT_TRUE(result.outputs[0].allclose(
      f.model->runInstance("base", {image})[0]));
  EXPECT_TRUE(result.outputs[1].allclose(
      f.model->runInstance("gate.gate_net", {image})[0]));
  // Each sample's scores are those of the expert its gate picked.
  for (int64_t b = 0; b < 5; ++b) {
    int64_t path = result.routes.at("route").paths[b];
    at::Tensor one = image.slice(0, b, b + 1);
    at::Tensor expected = f.model->runInstance(
        "experts.expert" + std::to_string(path), {one})[0];
    // One sample alone against it inside a group: the convolutions may sum
    // in another order, so not bit for bit (allclose's default 1e-8
    // absolute tolerance failed one random image in a few).
    EXPECT_TRUE(result.outputs[2].slice(0, b, b + 1).allclose(expected, 1e-5,
                                                              1e-6));
  }
  // A given routing: the gate does not run, so it cannot be an output.
  torchref::Routing given;
  given.paths = {0, 1, 0, 1, 0};
  result = f.model->forward({{"image", image}}, {{"route", given}});
  EXPECT_EQ(result.error,
            "router node 'route' was given its routing: its gate did not run");
  // The spec's outputs again.
  ASSERT_TRUE(f.model->setOutputs({}, types, error));
  result = f.model->forward({{"image", image}});
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result.outputs.size(), 1u);
  EXPECT_EQ(result.outputs[0].sizes(), (c10::IntArrayRef{5, 3}));
  // What cannot be read.
  EXPECT_FALSE(f.model->setOutputs({"experts"}, types, error));
  EXPECT_EQ(error, "node 'experts' has 2 outputs: name one ('experts.<output>')");
  EXPECT_FALSE(f.model->setOutputs({"nowhere"}, types, error));
  EXPECT_EQ(error, "'nowhere' is not a node of the graph");
}

TEST(StagesTest, GroupsOfLabels) {
  train::TrainBatch batch;
  batch.indices = torch::arange(4);
  at::Tensor group = train::groupsOf(torch::tensor({2, 0, 1, 2}),
                                     {{0, 2}, {1}}, "route", batch, "label");
  EXPECT_TRUE(group.equal(torch::tensor({0, 0, 1, 0}, torch::kLong)));
  try {
    train::groupsOf(torch::tensor({0, 3}), {{0, 2}, {1}}, "route", batch,
                    "label");
    FAIL() << "class 3 is in no group";
  } catch (const std::exception &e) {
    EXPECT_NE(std::string(e.what()).find(
                  "class 3 (field 'label' of train sample 1) is in no group "
                  "of router node 'route'"),
              std::string::npos)
        << e.what();
  }
}

// --- Whole staged runs on Fashion-MNIST -------------------------------------

const char *kFashionSpec = GOE_EXAMPLES_DIR "/gated_mixture/fashion_mnist.yaml";

std::map<std::string, at::Tensor> readWeights(const std::string &path) {
  auto bundle = runtime::readWeightBundle(path);
  if (!bundle.ok())
    throw std::runtime_error(bundle.status().message());
  std::map<std::string, at::Tensor> out;
  for (const artifact::Tensor &t : bundle->tensors()) {
    std::vector<int64_t> shape(t.shape().begin(), t.shape().end());
    out[t.name()] = torch::from_blob(const_cast<char *>(t.data().data()),
                                     shape, torch::kFloat)
                        .clone();
  }
  return out;
}

/// Weights whose name starts with `prefix`: how many differ between `a`
/// and `b`, and how many there are.
std::pair<int, int> changed(const std::map<std::string, at::Tensor> &a,
                            const std::map<std::string, at::Tensor> &b,
                            const std::string &prefix,
                            const std::string &contains = "") {
  int differ = 0, total = 0;
  for (const auto &[name, tensor] : a) {
    if (name.rfind(prefix, 0) != 0 || name.find(contains) == std::string::npos)
      continue;
    ++total;
    differ += !tensor.equal(b.at(name));
  }
  return {differ, total};
}

class StagedRunTest : public ::testing::Test {
protected:
  void SetUp() override {
    if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist"))
      GTEST_SKIP() << "no Fashion-MNIST (Debian dataset-fashion-mnist; "
                      "make deps installs it)";
    dir = std::filesystem::temp_directory_path() /
          ("goe-stages-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  train::TrainOptions options(const std::string &out) {
    train::TrainOptions o;
    o.specPath = kFashionSpec;
    o.vars = {{"width", 4}};
    o.dataset = "fashion_mnist";
    o.maxTrain = 1024;
    o.maxVal = 256;
    o.epochs = 1;
    o.optimizer.lr = 0.003;
    o.out = (dir / out).string();
    return o;
  }
  std::filesystem::path dir;
};

TEST_F(StagedRunTest, EachStageTrainsOnlyItsParameters) {
  train::TrainOptions init = options("init.goew");
  init.stages = "none";
  init.epochs = 0;
  ASSERT_TRUE(train::runTraining(init).ok());
  auto before = readWeights(init.out);

  train::TrainOptions gate = options("gate.goew");
  gate.stages = "gate";
  gate.stageEpochs = {{"gate", 1}};
  train::TrainResult result;
  runtime::Status status = train::runTraining(gate, &result);
  ASSERT_TRUE(status.ok()) << status.message();
  auto afterGate = readWeights(gate.out);
  auto gateChanged = changed(before, afterGate, "gate.");
  EXPECT_EQ(gateChanged.first, gateChanged.second); // every gate weight
  EXPECT_EQ(changed(before, afterGate, "base.").first, 0);
  EXPECT_EQ(changed(before, afterGate, "experts.").first, 0);
  // The gate learned the two groups (chance: 0.6, always "apparel").
  ASSERT_EQ(result.stages.size(), 1u);
  EXPECT_EQ(result.stages[0].name, "gate");
  EXPECT_EQ(result.stages[0].testCount, 10000);
  EXPECT_GT(result.stages[0].testAccuracy, 0.8);

  train::TrainOptions experts = options("experts.goew");
  experts.stages = "experts";
  experts.stageEpochs = {{"experts", 1}};
  result = {};
  status = train::runTraining(experts, &result);
  ASSERT_TRUE(status.ok()) << status.message();
  auto afterExperts = readWeights(experts.out);
  EXPECT_EQ(changed(before, afterExperts, "gate.").first, 0);
  EXPECT_EQ(changed(before, afterExperts, "base.").first, 0);
  // Scores layers (0 conv, 3 conv, 8 linear, 11 linear) learned; the
  // importance head (13, 16: linear) did not.
  auto scores = changed(before, afterExperts, "experts.expert0.8.");
  EXPECT_EQ(scores.first, 2);
  EXPECT_EQ(changed(before, afterExperts, "experts.expert1.11.").first, 2);
  EXPECT_EQ(changed(before, afterExperts, "experts.expert0.13.").first, 0);
  EXPECT_EQ(changed(before, afterExperts, "experts.expert1.16.").first, 0);
  // Each expert was scored on its own classes.
  ASSERT_EQ(result.stages.size(), 1u);
  ASSERT_EQ(result.stages[0].groupCount.size(), 2u);
  EXPECT_EQ(result.stages[0].groupCount[0], 6000);
  EXPECT_EQ(result.stages[0].groupCount[1], 4000);
  // 4 classes: chance is 1000; one epoch on 1,024 images gives 1,828.
  EXPECT_GT(result.stages[0].groupCorrect[1], 1400);
}

TEST_F(StagedRunTest, ResumedStagedRunMatchesAnUninterruptedOne) {
  train::TrainOptions whole = options("whole.goew");
  whole.stageEpochs = {{"baseline", 1}, {"gate", 1}, {"experts", 1},
                       {"subgates", 1}};
  ASSERT_TRUE(train::runTraining(whole).ok());

  // The same run stopped after epoch 2 (the gate's), then resumed.
  train::TrainOptions first = whole;
  first.out = (dir / "first.goew").string();
  first.checkpoint = (dir / "ck.pt").string();
  first.stages = "baseline,gate";
  ASSERT_TRUE(train::runTraining(first).ok());
  train::TrainOptions rest = whole;
  rest.out = (dir / "resumed.goew").string();
  rest.resume = first.checkpoint;
  train::TrainResult result;
  runtime::Status status = train::runTraining(rest, &result);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(result.epochs.size(), 2u); // experts and subgates only
  auto a = readWeights(whole.out), b = readWeights(rest.out);
  ASSERT_EQ(a.size(), b.size());
  for (const auto &[name, tensor] : a)
    EXPECT_TRUE(tensor.equal(b.at(name))) << name;
}

} // namespace
