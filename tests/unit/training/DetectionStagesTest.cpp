//===- DetectionStagesTest.cpp - staged training of a gated detector -----===//
//
// The parts that top-1 gating over whole backbones adds to staged training
// (examples/backbone_gating/detection.yaml): each image's group from its
// boxes, a stage routing every image to one path, one dispatch instance
// selected for training, and a stage starting an expert from another's
// weights. tests/tools/train-backbone-gating.test runs the three stages.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "goe/Frontends/Spec/SpecReader.h"
#include "goe/Frontends/Torch/TorchModel.h"
#include "goe/Training/Stages.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

using namespace goe;

namespace {

const char *kSpec = R"(goe: 1
name: gated_backbones
inputs:
  image: [3, 16, 16]
modules:
  gate_cnn:
    layers:
      - {op: global_avgpool}
      - {op: flatten}
      - {op: linear, out: 2}
  backbone:
    layers:
      - {op: conv, out: 4, kernel: 3, stride: 2}
  head:
    layers:
      - {op: detect, nc: 3, stride: 2, anchors: [[2, 2], [4, 4], [6, 6]]}
routers:
  gate: {kind: topk, choices: 2, k: 1, from: image, gate: gate_cnn}
graph:
  - {name: route, router: gate}
  - {name: backbones, dispatch: route, experts: {module: backbone, copies: 2}, from: image}
  - {name: feats, combine: select, from: backbones}
  - {name: dets, module: head, from: feats}
outputs: [dets]
training:
  groups:
    route: [[0, 1], [2]]
  stages:
    - {name: general, train: [backbones.expert0, dets], loss: dets, route: 0}
    - {name: expert, train: [backbones.expert1], loss: dets, route: groups,
       copy: {from: backbones.expert0, to: backbones.expert1}}
)";

struct Fixture {
  test::Context context;
  spec::Spec spec;
  std::unique_ptr<torchref::Model> model;

  Fixture() {
    auto read = spec::readSpec(kSpec, "gated.yaml", {}, context.get());
    if (mlir::failed(read))
      throw std::runtime_error("spec: " + context.lastError());
    spec = std::move(*read);
    model = torchref::Model::build(spec, {}, context.get());
    if (!model)
      throw std::runtime_error("model: " + context.lastError());
    model->initRandom(3);
  }
};

/// Boxes [B, M, 5] rows (class, cx, cy, w, h); class -1 pads.
at::Tensor boxes(const std::vector<std::vector<int64_t>> &classes) {
  at::Tensor out = torch::full({int64_t(classes.size()), 3, 5}, -1.0);
  for (size_t i = 0; i < classes.size(); ++i)
    for (size_t j = 0; j < classes[i].size(); ++j) {
      out[i][j][0] = double(classes[i][j]);
      out[i][j].slice(0, 1, 5).fill_(0.5);
    }
  return out;
}

TEST(DetectionStagesTest, SpecSectionIsRead) {
  Fixture f;
  const std::vector<spec::TrainingStage> &stages = f.spec.training.stages;
  ASSERT_EQ(stages.size(), 2u);
  EXPECT_EQ(stages[0].routePath, 0);
  EXPECT_FALSE(stages[0].routeByGroups);
  EXPECT_EQ(stages[1].routePath, -1);
  EXPECT_TRUE(stages[1].routeByGroups);
  EXPECT_EQ(stages[1].copyFrom, "backbones.expert0");
  EXPECT_EQ(stages[1].copyTo, "backbones.expert1");
}

TEST(DetectionStagesTest, AnImageTakesTheHighestGroupOfItsObjects) {
  train::TrainBatch batch;
  batch.indices = torch::tensor({10, 11, 12, 13}, torch::kLong);
  // Group 1 holds class 2: an image showing one is the specialist's, one
  // without objects is group 0.
  at::Tensor group = train::groupsOf(boxes({{0, 2}, {1, 0}, {}, {2}}),
                                     {{0, 1}, {2}}, "route", batch, "boxes");
  EXPECT_TRUE(group.equal(torch::tensor({1, 0, 0, 1}, torch::kLong)))
      << group;
  try {
    train::groupsOf(boxes({{0}, {1, 5}}), {{0, 1}, {2}}, "route", batch,
                    "boxes");
    FAIL() << "class 5 is in no group";
  } catch (const std::exception &e) {
    EXPECT_NE(std::string(e.what()).find(
                  "class 5 (field 'boxes' of train sample 11) is in no group "
                  "of router node 'route'"),
              std::string::npos)
        << e.what();
  }
}

TEST(DetectionStagesTest, AFixedPathStageSendsEveryImageThere) {
  Fixture f;
  train::RouterTrainer gate; // routes nothing itself: the model's gate would
  std::unique_ptr<train::RouterTrainer> fixed =
      train::routeToPath(gate, f.spec, 1);
  train::TrainBatch batch;
  batch.indices = torch::arange(3, torch::kLong);
  std::mt19937_64 rng(0);
  std::map<std::string, torchref::Routing> routing = fixed->route(batch, rng);
  ASSERT_EQ(routing.size(), 1u);
  EXPECT_EQ(routing.at("route").k, 1);
  EXPECT_EQ(routing.at("route").paths, (std::vector<int64_t>{1, 1, 1}));
}

TEST(DetectionStagesTest, OneInstanceOfADispatchIsSelected) {
  Fixture f;
  std::vector<std::string> names;
  std::string error;
  ASSERT_TRUE(f.model->selectParameters("backbones.expert1", names, error))
      << error;
  ASSERT_FALSE(names.empty());
  for (const std::string &name : names)
    EXPECT_EQ(name.rfind("backbones.expert1.", 0), 0u) << name;
  std::vector<std::string> both;
  ASSERT_TRUE(f.model->selectParameters("backbones", both, error)) << error;
  EXPECT_EQ(both.size(), 2 * names.size());
}

TEST(DetectionStagesTest, AStageStartsAnExpertFromAnother) {
  Fixture f;
  std::map<std::string, at::Tensor> before = f.model->parameters();
  const std::string from = "backbones.expert0.", to = "backbones.expert1.";
  // initRandom draws each instance from its own name: they differ.
  ASSERT_FALSE(before.at(from + "0.conv.weight")
                   .equal(before.at(to + "0.conv.weight")));
  std::map<std::string, at::Tensor> kept;
  for (const auto &[name, tensor] : before)
    kept[name] = tensor.clone();
  ASSERT_TRUE(
      train::copyStageWeights(*f.model, f.spec.training.stages[1]).ok());
  int64_t copied = 0;
  for (const auto &[name, tensor] : f.model->parameters()) {
    if (name.rfind(to, 0) == 0) { // weights and running statistics
      EXPECT_TRUE(tensor.equal(kept.at(from + name.substr(to.size()))))
          << name;
      ++copied;
    } else {
      EXPECT_TRUE(tensor.equal(kept.at(name))) << name << " changed";
    }
  }
  EXPECT_GE(copied, 4); // conv weight, bn weight, bias, mean, var

  spec::TrainingStage wrong = f.spec.training.stages[1];
  EXPECT_TRUE(train::checkStageCopy(*f.model, wrong).ok());
  wrong.copyFrom = "backbones.expert7";
  // Checked before any stage trains, with the message the copy would give.
  EXPECT_EQ(train::checkStageCopy(*f.model, wrong).message(),
            train::copyStageWeights(*f.model, wrong).message());
  runtime::Status status = train::copyStageWeights(*f.model, wrong);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "training stage 'expert': copy from 'backbones.expert7' to "
            "'backbones.expert1': no weight is named 'backbones.expert7....'");
  wrong.copyFrom = "backbones.expert0";
  wrong.copyTo = "dets";
  status = train::copyStageWeights(*f.model, wrong);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("is no weight"), std::string::npos)
      << status.message();
}

} // namespace
