//===- YoloLossTest.cpp - YOLOv7's loss on hand-computed cases ------------===//

#include "goe/Frontends/Torch/YoloLoss.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

using namespace goe::torchref;

namespace {

at::Tensor rows(std::vector<float> values, int64_t width) {
  return at::tensor(values).view({-1, width});
}

TEST(YoloLoss, CompleteIouByHand) {
  // Same shape, centres 1 apart: IoU 2/6, enclosing box 3 x 2 (diagonal²
  // 13), centre distance² 1, no aspect term: 1/3 - 1/13.
  auto ciou = completeIou(rows({0, 0, 2, 2}, 4), rows({1, 0, 2, 2}, 4));
  EXPECT_NEAR(ciou.item<double>(), 1.0 / 3 - 1.0 / 13, 1e-6);
  auto same = completeIou(rows({5, 5, 3, 4}, 4), rows({5, 5, 3, 4}, 4));
  EXPECT_NEAR(same.item<double>(), 1.0, 1e-6);
  // Different aspect, same centre: v = 4/pi² (atan 2 - atan 0.5)².
  auto aspect = completeIou(rows({0, 0, 2, 1}, 4), rows({0, 0, 1, 2}, 4));
  double iou = 1.0 / 3, v = 4 / (M_PI * M_PI) * std::pow(std::atan(0.5) - std::atan(2.0), 2);
  double alpha = v / (v - iou + 1);
  double rho = 0, c2 = 2 * 2 + 2 * 2;
  EXPECT_NEAR(aspect.item<double>(), iou - (rho / c2 + v * alpha), 1e-6);
}

TEST(YoloLoss, MatchesAnchorsByRatioAndNeighbourCells) {
  // A 4x4 grid (stride 8 on 32 px): the target's centre at grid (2.2, 3.2),
  // size 1 x 1 grid. Anchors 8, 16, 40 px = 1, 2, 5 grid: ratios 1, 2, 5;
  // the third fails anchor_t 4. Centre fractions 0.2 < 0.5: the cells to the
  // left and above join; none to the right or below.
  YoloLevel level{8, {{{8, 8}, {16, 16}, {40, 40}}}};
  auto targets = rows({0, 1, 2.2f / 4, 3.2f / 4, 0.25f, 0.25f}, 6);
  YoloMatches m = matchTargets(targets, 4, 4, level, 4.0);
  ASSERT_EQ(m.image.size(0), 6);
  std::set<std::tuple<int64_t, int64_t, int64_t>> cells;
  for (int64_t i = 0; i < 6; ++i) {
    cells.insert({m.anchor[i].item<int64_t>(), m.gi[i].item<int64_t>(),
                  m.gj[i].item<int64_t>()});
    EXPECT_EQ(m.cls[i].item<int64_t>(), 1);
    // The box is relative to the cell it was given to.
    EXPECT_NEAR(m.box[i][0].item<double>() + m.gi[i].item<double>(), 2.2, 1e-5);
    EXPECT_NEAR(m.box[i][1].item<double>() + m.gj[i].item<double>(), 3.2, 1e-5);
  }
  std::set<std::tuple<int64_t, int64_t, int64_t>> expected;
  for (int64_t a : {0, 1})
    for (auto [gi, gj] : {std::pair{2, 3}, {1, 3}, {2, 2}})
      expected.insert({a, gi, gj});
  EXPECT_EQ(cells, expected);
  EXPECT_EQ(matchTargets(rows({}, 6), 4, 4, level, 4.0).image.size(0), 0);
}

TEST(YoloLoss, ZeroLogitsGiveLog2PerBceTerm) {
  // With every logit 0 each BCE term is log 2 whatever its target, so
  // obj = log 2 * (4 + 1 + 0.4) and cls = log 2 per level with matches; the
  // box term is 1 - CIoU of the anchor-sized box at the cell centre.
  std::vector<YoloLevel> levels = {{8, {{{10, 13}, {16, 30}, {33, 23}}}},
                                   {16, {{{30, 61}, {62, 45}, {59, 119}}}},
                                   {32, {{{116, 90}, {156, 198}, {373, 326}}}}};
  int64_t size = 64, nc = 4, batch = 2;
  std::vector<at::Tensor> predictions;
  for (const YoloLevel &level : levels) {
    int64_t n = size / level.stride;
    predictions.push_back(at::zeros({batch, 3, n, n, nc + 5}).requires_grad_());
  }
  auto targets = rows({0, 2, 0.3f, 0.4f, 0.2f, 0.3f, 1, 0, 0.7f, 0.6f, 0.5f, 0.4f}, 6);
  YoloLossOptions options;
  options.imageSize = size;
  options.classes = nc;
  YoloLossParts parts = yoloLoss(predictions, targets, levels, options);

  double boxGain = 0.05, clsGain = 0.5 * nc / 80.0;
  double objGain = std::pow(size / 640.0, 2);
  double box = 0;
  int levelsWithMatches = 0;
  for (size_t i = 0; i < levels.size(); ++i) {
    int64_t n = size / levels[i].stride;
    YoloMatches m = matchTargets(targets, n, n, levels[i], 4.0);
    if (m.image.size(0) == 0)
      continue;
    ++levelsWithMatches;
    auto centre = at::full({m.image.size(0), 2}, 0.5);
    box += (1 - completeIou(at::cat({centre, m.anchorWh}, 1), m.box)).mean().item<double>();
  }
  ASSERT_GT(levelsWithMatches, 0);
  EXPECT_NEAR(parts.obj, objGain * std::log(2.0) * 5.4, 1e-6);
  EXPECT_NEAR(parts.cls, clsGain * std::log(2.0) * levelsWithMatches, 1e-6);
  EXPECT_NEAR(parts.box, boxGain * box, 1e-6);
  EXPECT_NEAR(parts.total.item<double>(),
              batch * (parts.box + parts.obj + parts.cls), 1e-5);
  parts.total.backward();
  EXPECT_GT(predictions[0].grad().abs().sum().item<double>(), 0);
}

TEST(YoloLoss, ABetterPredictionLowersTheLoss) {
  std::vector<YoloLevel> levels = {{8, {{{8, 8}, {16, 16}, {32, 32}}}}};
  auto targets = rows({0, 0, 0.5f, 0.5f, 0.25f, 0.25f}, 6);
  YoloLossOptions options;
  options.imageSize = 32;
  options.classes = 1;
  options.balance = {1.0};
  auto p = at::zeros({1, 3, 4, 4, 6});
  double before = yoloLoss({p}, targets, levels, options).total.item<double>();
  // Every matched cell predicts the target box exactly (the inverse of the
  // decode) with confident objectness; every other cell confident nothing.
  p.select(4, 4).fill_(-6);
  YoloMatches m = matchTargets(targets, 4, 4, levels[0], 4.0);
  auto logit = [](double y) { return std::log(y / (1 - y)); };
  for (int64_t i = 0; i < m.image.size(0); ++i) {
    auto cell = p[0][m.anchor[i].item<int64_t>()][m.gj[i].item<int64_t>()]
                 [m.gi[i].item<int64_t>()];
    for (int d = 0; d < 2; ++d) {
      cell[d] = logit((m.box[i][d].item<double>() + 0.5) / 2);
      cell[2 + d] = logit(std::sqrt(m.box[i][2 + d].item<double>() /
                                    m.anchorWh[i][d].item<double>()) / 2);
    }
    cell[4] = 6;
  }
  YoloLossParts after = yoloLoss({p}, targets, levels, options);
  EXPECT_NEAR(after.box, 0, 1e-5);
  EXPECT_LT(after.total.item<double>(), before * 0.05);
}

} // namespace
