//===- CombineTest.cpp - top-k gating and the combine kinds -------------===//

#include "TestModels.h"

#include <algorithm>
#include <cmath>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace goe::runtime::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Combine, TopkWeightsSumToOneAndWeightedSumIsRight) {
  std::shared_ptr<const Model> model = mustLoad(topkModel());
  std::unique_ptr<Session> session = std::move(Session::create(model)).value();
  // Features 0..2 are the gate's logits; ties go to the lower index.
  std::vector<std::vector<float>> rows{
      {0.0f, 1.0f, 2.0f, 5.0f},  // picks 2 then 1
      {3.0f, -1.0f, 0.5f, -2.0f}, // picks 0 then 2
      {1.0f, 1.0f, 1.0f, 0.25f},  // all equal: 0 then 1, weights 1/2
      {-4.0f, 2.0f, 2.0f, 1.0f}}; // tie 1, 2: 1 then 2
  std::vector<std::vector<int64_t>> expectedChoices{{2, 1}, {0, 2}, {0, 1}, {1, 2}};
  std::vector<float> x;
  for (const auto &row : rows)
    x.insert(x.end(), row.begin(), row.end());
  std::vector<Tensor> inputs;
  inputs.push_back(f32Tensor({4, 4}, x));
  RunResult result;
  Status status = session->run(inputs, result);
  ASSERT_TRUE(status.ok()) << status.toString();

  const RouteDecision &r = result.routes[0];
  ASSERT_EQ(r.k, 2);
  for (int64_t b = 0; b < 4; ++b) {
    EXPECT_EQ(r.choice(b, 0), expectedChoices[b][0]) << b;
    EXPECT_EQ(r.choice(b, 1), expectedChoices[b][1]) << b;
    EXPECT_NEAR(r.weight(b, 0) + r.weight(b, 1), 1.0f, 1e-6f);
    // Renormalised top-2 softmax = softmax over the two chosen logits.
    float l0 = rows[b][r.choice(b, 0)], l1 = rows[b][r.choice(b, 1)];
    float w0 = 1.0f / (1.0f + std::exp(l1 - l0));
    EXPECT_NEAR(r.weight(b, 0), w0, 1e-6f);
    for (int i = 0; i < 4; ++i) {
      float expected = r.weight(b, 0) * pathResult(r.choice(b, 0), rows[b][i]) +
                       r.weight(b, 1) * pathResult(r.choice(b, 1), rows[b][i]);
      EXPECT_NEAR(result.outputs[0].f32()[b * 4 + i], expected, 1e-5f);
    }
  }
  // Every sample runs two paths: 8 path-samples split as chosen.
  EXPECT_THAT(result.dispatches[0].samplesPerPath, ElementsAre(2, 3, 3));
  EXPECT_EQ(model->functionStats("gate")->samples, 4u);
}

TEST(Combine, TopkRejectsNonFiniteLogits) {
  std::unique_ptr<Session> session =
      std::move(Session::create(mustLoad(topkModel()))).value();
  std::vector<Tensor> inputs;
  inputs.push_back(f32Tensor({1, 4}, {0, NAN, 1, 1}));
  RunResult result;
  Status status = session->run(inputs, result);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("logit 1 of input 0"));
}

TEST(Combine, ImportanceMix) {
  artifact::Model model;
  addInput(model, "baseline", valueType({3}));
  addInput(model, "scores", valueType({1, 3}));
  addInput(model, "importance", valueType({1, 3, 2}));
  artifact::Step &mix = addStep(model, artifact::Step::COMBINE, {0, 1, 2}, {3});
  mix.mutable_combine()->mutable_importance_mix();
  *mix.add_types() = valueType({3});
  model.add_outputs(3);
  model.set_num_values(4);
  std::unique_ptr<Session> session =
      std::move(Session::create(mustLoad(model))).value();

  std::vector<Tensor> inputs;
  inputs.push_back(f32Tensor({2, 3}, {1, 2, 3, 4, 5, 6}));
  inputs.push_back(f32Tensor({2, 1, 3}, {10, 20, 30, 40, 50, 60}));
  inputs.push_back(f32Tensor({2, 1, 3, 2}, {1.0f, 0.0f, 0.5f, 0.5f, 0.0f, 1.0f,
                                            0.25f, 0.75f, 0.9f, 0.1f, 0.2f, 0.8f}));
  RunResult result;
  Status status = session->run(inputs, result);
  ASSERT_TRUE(status.ok()) << status.toString();
  const float *y = result.outputs[0].f32();
  EXPECT_FLOAT_EQ(y[0], 1);                  // all baseline
  EXPECT_FLOAT_EQ(y[1], 0.5f * 2 + 0.5f * 20);
  EXPECT_FLOAT_EQ(y[2], 30);                 // all expert
  EXPECT_FLOAT_EQ(y[3], 0.25f * 4 + 0.75f * 40);
  EXPECT_FLOAT_EQ(y[4], 0.9f * 5 + 0.1f * 50);
  EXPECT_FLOAT_EQ(y[5], 0.2f * 6 + 0.8f * 60);
}

TEST(Combine, ImportanceMixShapesAreChecked) {
  artifact::Model model;
  addInput(model, "baseline", valueType({3}));
  addInput(model, "scores", valueType({1, 3}));
  addInput(model, "importance", valueType({1, 3}));
  addStep(model, artifact::Step::COMBINE, {0, 1, 2}, {3})
      .mutable_combine()->mutable_importance_mix();
  model.add_outputs(3);
  model.set_num_values(4);
  StatusOr<std::shared_ptr<const Model>> loaded = Model::fromProto(model);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(),
              HasSubstr("gets f32[3], f32[1, 3], f32[1, 3]"));
}

TEST(Combine, ClusterGateRoutesByTheLargestLogit) {
  // The topk model with its router made a cluster_gate (k = 1) and the
  // combine a select: each sample takes the path of its largest gate logit
  // (ties to the lower index) with weight 1.
  artifact::Model proto = topkModel();
  proto.mutable_routers(0)->mutable_cluster_gate();
  proto.mutable_routers(0)->set_k(1);
  proto.mutable_steps(2)->mutable_combine()->mutable_select();
  std::unique_ptr<Session> session =
      std::move(Session::create(mustLoad(proto))).value();
  std::vector<float> x{0.0f, 1.0f, 2.0f, 5.0f,  3.0f, -1.0f, 0.5f, -2.0f,
                       1.0f, 1.0f, 1.0f, 0.25f, -4.0f, 2.0f, 2.0f, 1.0f};
  std::vector<Tensor> inputs;
  inputs.push_back(f32Tensor({4, 4}, x));
  RunResult result;
  Status status = session->run(inputs, result);
  ASSERT_TRUE(status.ok()) << status.toString();
  const RouteDecision &r = result.routes[0];
  ASSERT_EQ(r.k, 1);
  EXPECT_THAT(r.choices, ElementsAre(2, 0, 0, 1));
  EXPECT_THAT(r.weights, ElementsAre(1.0f, 1.0f, 1.0f, 1.0f));
  for (int64_t b = 0; b < 4; ++b)
    for (int i = 0; i < 4; ++i)
      EXPECT_NEAR(result.outputs[0].f32()[b * 4 + i],
                  pathResult(r.choice(b, 0), x[b * 4 + i]), 1e-5f);
}

TEST(Combine, ClusterGatePicksOneAndNeedsABody) {
  artifact::Model proto = topkModel();
  proto.mutable_routers(0)->mutable_cluster_gate(); // k stays 2
  StatusOr<std::shared_ptr<const Model>> loaded = Model::fromProto(proto);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(),
              HasSubstr("a cluster_gate router picks one choice (k = 1), not 2"));
  proto.mutable_routers(0)->set_k(1);
  proto.mutable_routers(0)->clear_body();
  proto.mutable_steps(2)->mutable_combine()->mutable_select();
  loaded = Model::fromProto(proto);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(),
              HasSubstr("a cluster_gate router needs a body function"));
}

TEST(Combine, SelectNeedsKOne) {
  artifact::Model model = topkModel();
  model.mutable_steps(2)->mutable_combine()->mutable_select();
  StatusOr<std::shared_ptr<const Model>> loaded = Model::fromProto(model);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(), HasSubstr("k = 1"));
}

/// Two experts' head rows, one input: a level [2 choices, 3 anchors, 1, 1,
/// cx cy w h obj p0 p1] under a random top-2-of-2 router, combined by
/// `combine` (nms or wbf).
artifact::Model detectionCombineModel(const artifact::Combine &combine) {
  return levelCombineModel({2, 3, 1, 1, 7}, 2, 2, combine);
}

/// Both experts see one class-0 object (IoU 0.82 between their boxes);
/// the second also sees a class-1 object no one else does.
Tensor twoExpertsRows() {
  std::vector<float> rows(2 * 3 * 7, 0.0f);
  auto put = [&](int slot, int anchor, std::vector<float> row) {
    std::copy(row.begin(), row.end(), rows.begin() + (slot * 3 + anchor) * 7);
  };
  put(0, 0, {50, 50, 20, 20, 0.9f, 1, 0});
  put(1, 0, {52, 50, 20, 20, 0.8f, 1, 0});
  put(1, 2, {100, 100, 10, 10, 0.7f, 0, 1});
  return f32Tensor({1, 2, 3, 1, 1, 7}, rows);
}

std::vector<float> runCombine(const artifact::Model &model) {
  std::unique_ptr<Session> session =
      std::move(Session::create(mustLoad(model))).value();
  std::vector<Tensor> inputs;
  inputs.push_back(twoExpertsRows());
  RunResult result;
  Status status = session->run(inputs, result);
  EXPECT_TRUE(status.ok()) << status.toString();
  if (!status.ok())
    return {};
  const Tensor &out = result.outputs[0];
  return std::vector<float>(out.f32(), out.f32() + out.numel());
}

TEST(Combine, NmsKeepsTheBestOfOverlappingExpertBoxesUnfused) {
  artifact::Combine nms;
  nms.mutable_nms()->set_max_det(4);
  std::vector<float> y = runCombine(detectionCombineModel(nms));
  ASSERT_EQ(y.size(), 4u * 6u);
  // Expert 0's box, as it was (no averaging with expert 1's), then the
  // class-1 box; the rest is padding.
  std::vector<float> expected{40, 40, 60, 60, 0.9f, 0, 95, 95, 105, 105,
                              0.7f, 1};
  expected.resize(24, 0.0f);
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_FLOAT_EQ(y[i], expected[i]) << "element " << i;

  // wbf on the same rows fuses the two class-0 boxes instead: x1 moves
  // towards expert 1's 42.
  artifact::Combine wbf;
  wbf.mutable_wbf()->set_image_width(128);
  wbf.mutable_wbf()->set_image_height(128);
  wbf.mutable_wbf()->set_max_det(4);
  std::vector<float> fused = runCombine(detectionCombineModel(wbf));
  ASSERT_EQ(fused.size(), 24u);
  EXPECT_GT(fused[0], 40.5f);
  EXPECT_LT(fused[0], 42.0f);

  // max_det caps what is kept: only the best box.
  nms.mutable_nms()->set_max_det(1);
  y = runCombine(detectionCombineModel(nms));
  ASSERT_EQ(y.size(), 6u);
  EXPECT_FLOAT_EQ(y[4], 0.9f);
}

TEST(Combine, NmsChecksItsFieldsAndLevels) {
  artifact::Combine nms;
  nms.mutable_nms()->set_max_det(0);
  StatusOr<std::shared_ptr<const Model>> loaded =
      Model::fromProto(detectionCombineModel(nms));
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(),
              HasSubstr("nms max_det must be in [1, 1e6]"));

  nms.mutable_nms()->clear_max_det();
  artifact::Model model = detectionCombineModel(nms);
  *model.mutable_inputs(0)->mutable_type() = valueType({2, 3, 1, 1, 5});
  loaded = Model::fromProto(model);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(),
              HasSubstr("nms level 0 is f32[2, 3, 1, 1, 5], expected f32[2, "
                        "..., nc + 5]"));
}

} // namespace
} // namespace goe::runtime::test
