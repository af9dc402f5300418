//===- DetectionTest.cpp - NMS, WBF and the wbf combine -----------------===//

#include "TestModels.h"

#include "goe/Runtime/Detection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace goe::runtime::test {
namespace {

Box box(double x1, double y1, double x2, double y2, double score,
        int64_t label) {
  return Box{x1, y1, x2, y2, score, label};
}

void expectBox(const Box &actual, const Box &expected) {
  EXPECT_NEAR(actual.x1, expected.x1, 1e-6);
  EXPECT_NEAR(actual.y1, expected.y1, 1e-6);
  EXPECT_NEAR(actual.x2, expected.x2, 1e-6);
  EXPECT_NEAR(actual.y2, expected.y2, 1e-6);
  EXPECT_NEAR(actual.score, expected.score, 1e-6);
  EXPECT_EQ(actual.label, expected.label);
}

// The reference case of /work/shared/REFERENCE.md: two models, weights
// [2, 1], iou_thr 0.5, skip 1e-4.
std::vector<std::vector<Box>> referenceModels() {
  return {{box(.1, .1, .5, .5, .9, 1), box(.11, .11, .51, .51, .8, 1),
           box(.6, .6, .8, .8, .7, 1)},
          {box(.59, .59, .79, .79, .85, 1), box(.61, .61, .81, .81, .75, 1),
           box(.8, .8, .9, .9, .65, 0)}};
}

TEST(Wbf, ReferenceCaseAvg) {
  WbfOptions options;
  options.iouThreshold = 0.5;
  options.skipBoxThreshold = 1e-4;
  std::vector<Box> fused =
      weightedBoxesFusion(referenceModels(), {2, 1}, options);
  ASSERT_EQ(fused.size(), 3u);
  // Cluster 1: A0 and A1 (weighted scores 1.8, 1.6); coordinates are their
  // score-weighted mean; score mean 1.7 rescaled by min(2, 2) / 3, i.e.
  // (0.9*2 + 0.8*2) / 3.
  expectBox(fused[0], box(.356 / 3.4, .356 / 3.4, 1.716 / 3.4, 1.716 / 3.4,
                          (0.9 * 2 + 0.8 * 2) / 3, 1));
  // Cluster 2: A2 (1.4), B0 (0.85), B1 (0.75): B1 joins because its IoU with
  // the fused box of A2 and B0 exceeds 0.5. Mean score 1.0 x min(2, 3) / 3.
  expectBox(fused[1], box(1.799 / 3, 1.799 / 3, 2.399 / 3, 2.399 / 3,
                          2.0 / 3, 1));
  // Label 0: B2 alone, 0.65 x min(2, 1) / 3.
  expectBox(fused[2], box(.8, .8, .9, .9, 0.65 / 3, 0));
}

TEST(Wbf, ReferenceCaseOverflowAndMax) {
  WbfOptions options;
  options.iouThreshold = 0.5;
  options.skipBoxThreshold = 1e-4;
  options.allowOverflow = true;
  std::vector<Box> fused =
      weightedBoxesFusion(referenceModels(), {2, 1}, options);
  ASSERT_EQ(fused.size(), 3u);
  EXPECT_NEAR(fused[0].score, (0.9 * 2 + 0.8 * 2) / 3, 1e-9);
  EXPECT_NEAR(fused[1].score, 1.0, 1e-9); // 1.0 x 3 / 3

  options.allowOverflow = false;
  options.confType = WbfConfType::Max;
  fused = weightedBoxesFusion(referenceModels(), {2, 1}, options);
  EXPECT_NEAR(fused[0].score, 1.8 / 2, 1e-9);
  EXPECT_NEAR(fused[1].score, 1.4 / 2, 1e-9);
}

TEST(Wbf, IouThresholdIsStrict) {
  // Two boxes with IoU exactly 0.5 (dyadic coordinates) stay apart.
  std::vector<std::vector<Box>> models{{box(0, 0, .5, .75, .9, 0)},
                                       {box(0, .25, .5, 1, .8, 0)}};
  ASSERT_EQ(boxIou(models[0][0], models[1][0]), 0.5);
  WbfOptions options;
  options.iouThreshold = 0.5;
  EXPECT_EQ(weightedBoxesFusion(models, {1, 1}, options).size(), 2u);
  options.iouThreshold = 0.49;
  EXPECT_EQ(weightedBoxesFusion(models, {1, 1}, options).size(), 1u);
}

TEST(Wbf, CleansBoxes) {
  // Inverted corners are swapped, coordinates clipped, empty boxes and
  // boxes under the skip threshold dropped.
  std::vector<std::vector<Box>> models{{box(.5, .5, .1, .1, .9, 0),
                                        box(-.5, .2, .2, 1.5, .8, 1),
                                        box(.3, .3, .3, .6, .9, 2),
                                        box(.1, .1, .2, .2, .01, 3)}};
  WbfOptions options;
  options.skipBoxThreshold = 0.05;
  std::vector<Box> fused = weightedBoxesFusion(models, {1}, options);
  ASSERT_EQ(fused.size(), 2u);
  expectBox(fused[0], box(.1, .1, .5, .5, .9, 0));
  expectBox(fused[1], box(0, .2, .2, 1, .8, 1));
}

TEST(Nms, PerClassMultiLabel) {
  // cx cy w h obj cls0 cls1
  std::vector<float> rows{
      50, 50, 20, 20, .9f, .9f, 0,    // A: class 0, 0.81
      52, 50, 20, 20, .8f, .8f, 0,    // B: class 0, 0.64, overlaps A
      52, 50, 20, 20, .8f, 0, .9f,    // C: class 1, 0.72, same box as B
      10, 10, 4, 4, .01f, .5f, .5f};  // D: 0.005 each, under threshold
  NmsOptions options;
  options.confThreshold = 0.01;
  options.iouThreshold = 0.65;
  std::vector<Box> kept = nonMaxSuppression(rows.data(), 4, 7, options);
  ASSERT_EQ(kept.size(), 2u);
  expectBox(kept[0], box(40, 40, 60, 60, .9f * .9f, 0));
  expectBox(kept[1], box(42, 40, 62, 60, .8f * .9f, 1));

  options.iouThreshold = 0.9; // B no longer suppressed
  EXPECT_EQ(nonMaxSuppression(rows.data(), 4, 7, options).size(), 3u);
  options.maxDetections = 1;
  EXPECT_EQ(nonMaxSuppression(rows.data(), 4, 7, options).size(), 1u);
}

/// x f32[4] -> topk over 2 experts (k 2, gate = features 0..1) -> each
/// expert a "head" whose output is its weight -> wbf.
artifact::Model wbfModel() {
  artifact::Model model;
  model.set_name("moe-detect");
  addInput(model, "x", valueType({4}));
  std::vector<float> h0(3 * 2 * 2 * 7, 0.0f), h1 = h0;
  std::vector<float> a{50, 50, 20, 20, .9f, .9f, .1f};
  std::vector<float> b{52, 50, 20, 20, .8f, .8f, .1f};
  std::copy(a.begin(), a.end(), h0.begin());
  std::copy(b.begin(), b.end(), h1.begin() + 7 * 3); // another cell
  addWeight(model, "h0", {3, 2, 2, 7}, h0);
  addWeight(model, "h1", {3, 2, 2, 7}, h1);
  addFunction(model, "gate", "gate", {valueType({4})}, {valueType({2})});
  addFunction(model, "expert0", "head", {valueType({4})},
              {valueType({3, 2, 2, 7})}, {"h0"});
  addFunction(model, "expert1", "head", {valueType({4})},
              {valueType({3, 2, 2, 7})}, {"h1"});
  addRouter(model, "router", artifact::Router::kTopk, 2, 2, "gate");
  addStep(model, artifact::Step::ROUTE, {0}, {1}).set_router("router");
  artifact::Step &d = addStep(model, artifact::Step::DISPATCH, {0}, {2});
  d.set_routing(1);
  d.add_paths()->add_functions("expert0");
  d.add_paths()->add_functions("expert1");
  artifact::Step &c = addStep(model, artifact::Step::COMBINE, {2}, {3});
  c.set_routing(1);
  artifact::WbfCombine &p = *c.mutable_combine()->mutable_wbf();
  p.set_nms_conf(0.05);
  p.set_nms_iou(0.65);
  p.set_max_det(5);
  p.set_iou(0.55);
  p.set_image_width(100);
  p.set_image_height(100);
  *c.add_types() = valueType({5, 6});
  model.add_outputs(3);
  model.set_num_values(4);
  addCode(model);
  return model;
}

TEST(Wbf, CombineFusesRoutedExperts) {
  std::shared_ptr<const Model> model = mustLoad(wbfModel());
  std::unique_ptr<Session> session = std::move(Session::create(model)).value();
  std::vector<Tensor> inputs;
  inputs.push_back(f32Tensor({1, 4}, {0, 0, 0, 0})); // equal logits: 0.5 each
  RunResult result;
  Status status = session->run(inputs, result);
  ASSERT_TRUE(status.ok()) << status.toString();
  EXPECT_EQ(result.routes[0].choice(0, 0), 0);
  EXPECT_FLOAT_EQ(result.routes[0].weight(0, 0), 0.5f);

  const Tensor &out = result.outputs[0];
  ASSERT_EQ(out.shape(), (std::vector<int64_t>{1, 5, 6}));
  const float *r = out.f32();
  // Class 0: scores .81 and .64 weighted by .5; mean x min(2, 2) / 1.
  double s0 = .9 * .9 * .5, s1 = .8 * .8 * .5;
  EXPECT_NEAR(r[0], (s0 * 40 + s1 * 42) / (s0 + s1), 1e-3);
  EXPECT_NEAR(r[1], 40, 1e-3);
  EXPECT_NEAR(r[2], (s0 * 60 + s1 * 62) / (s0 + s1), 1e-3);
  EXPECT_NEAR(r[3], 60, 1e-3);
  EXPECT_NEAR(r[4], s0 + s1, 1e-5);
  EXPECT_EQ(r[5], 0);
  // Class 1 (multi-label): .09 and .08.
  EXPECT_NEAR(r[6 + 4], (.09 + .08) * .5, 1e-5);
  EXPECT_EQ(r[6 + 5], 1);
  // Zero rows after the last box.
  for (int i = 12; i < 30; ++i)
    EXPECT_EQ(r[i], 0) << i;
}

TEST(Wbf, OneExpertChosenRunsOnlyThatExpert) {
  artifact::Model proto = wbfModel();
  proto.mutable_routers(0)->set_k(1);
  std::shared_ptr<const Model> model = mustLoad(proto);
  std::unique_ptr<Session> session = std::move(Session::create(model)).value();
  std::vector<Tensor> inputs;
  inputs.push_back(f32Tensor({3, 4}, {0, 9, 0, 0, 0, 9, 0, 0, 0, 9, 0, 0}));
  RunResult result;
  ASSERT_TRUE(session->run(inputs, result).ok());
  EXPECT_EQ(model->functionStats("expert0")->calls, 0u);
  EXPECT_EQ(model->functionStats("expert1")->samples, 3u);
  // Expert 1 alone, weight 1: its boxes with scores unchanged.
  const float *r = result.outputs[0].f32();
  EXPECT_NEAR(r[0], 42, 1e-4);
  EXPECT_NEAR(r[4], .64, 1e-5);
}

} // namespace
} // namespace goe::runtime::test
