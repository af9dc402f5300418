//===- DetectionFastTest.cpp - fast NMS/WBF against the reference ---------===//
//
// The runtime's NMS (heap, candidate cap, column IoU) and WBF (running
// cluster sums, column IoU) must give the same boxes, bit for bit and in
// the same order, as the straightforward versions in DetectionReference.h
// on random finite input: quantised scores and coordinates make ties and
// duplicate boxes common, so the tie orders are exercised. Non-finite input
// must neither crash nor hang: what happens to it is checked last.
//
//===----------------------------------------------------------------------===//

#include "DetectionReference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace goe::runtime::test {
namespace {

void expectSame(const std::vector<Box> &actual,
                const std::vector<Box> &expected, const std::string &what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t i = 0; i < actual.size(); ++i) {
    const Box &a = actual[i], &e = expected[i];
    EXPECT_TRUE(a.x1 == e.x1 && a.y1 == e.y1 && a.x2 == e.x2 && a.y2 == e.y2 &&
                a.score == e.score && a.label == e.label)
        << what << ", box " << i << ": (" << a.x1 << ' ' << a.y1 << ' ' << a.x2
        << ' ' << a.y2 << ' ' << a.score << ' ' << a.label << ") vs (" << e.x1
        << ' ' << e.y1 << ' ' << e.x2 << ' ' << e.y2 << ' ' << e.score << ' '
        << e.label << ')';
  }
}

/// YOLO head rows: boxes on a coarse grid (duplicates and exact overlaps),
/// scores from `levels` distinct values (ties).
std::vector<float> randomRows(std::mt19937 &rng, int64_t count, int64_t classes,
                              int levels) {
  std::uniform_int_distribution<int> cell(0, 15), size(1, 6), level(0, levels);
  std::vector<float> rows;
  for (int64_t r = 0; r < count; ++r) {
    rows.push_back(8.0f * cell(rng));
    rows.push_back(8.0f * cell(rng));
    rows.push_back(6.0f * size(rng));
    rows.push_back(6.0f * size(rng));
    for (int64_t c = 0; c < 1 + classes; ++c)
      rows.push_back(static_cast<float>(level(rng)) / levels);
  }
  return rows;
}

TEST(DetectionFast, NmsMatchesReferenceOnRandomRows) {
  std::mt19937 rng(12);
  for (int trial = 0; trial < 300; ++trial) {
    int64_t count = std::uniform_int_distribution<int64_t>(0, 200)(rng);
    int64_t classes = std::uniform_int_distribution<int64_t>(1, 6)(rng);
    int levels = std::uniform_int_distribution<int>(2, 20)(rng);
    std::vector<float> rows = randomRows(rng, count, classes, levels);
    NmsOptions options;
    options.confThreshold = std::uniform_real_distribution<double>(0, 0.3)(rng);
    options.iouThreshold = std::uniform_real_distribution<double>(0, 1)(rng);
    if (trial % 5 == 0) // IoUs the grid boxes can hit exactly: > is strict
      options.iouThreshold = (trial / 5) % 3 / 4.0;
    options.maxDetections =
        std::uniform_int_distribution<int64_t>(-1, trial % 3 ? 400 : 10)(rng);
    options.maxCandidates =
        std::uniform_int_distribution<int64_t>(-1, trial % 2 ? 2000 : 50)(rng);
    expectSame(
        nonMaxSuppression(rows.data(), count, classes + 5, options),
        reference::referenceNms(rows.data(), count, classes + 5, options),
        "trial " + std::to_string(trial));
  }
}

TEST(DetectionFast, NmsOverBlocksIsNmsOverTheirConcatenation) {
  // A head's levels passed as separate arrays (the wbf combine's way)
  // give what the rows copied into one array give, ties included.
  std::mt19937 rng(21);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<float> rows = randomRows(rng, 120, 3, 4);
    NmsOptions options;
    options.maxDetections = trial % 2 ? 300 : 20;
    std::vector<NmsRows> blocks{{rows.data(), 50},
                                {nullptr, 0},
                                {rows.data() + 50 * 8, 0},
                                {rows.data() + 50 * 8, 70}};
    expectSame(nonMaxSuppression(blocks, 8, options),
               reference::referenceNms(rows.data(), 120, 8, options),
               "trial " + std::to_string(trial));
  }
  EXPECT_TRUE(nonMaxSuppression(std::vector<NmsRows>{}, 8, NmsOptions())
                  .empty());
}

TEST(DetectionFast, NmsEdgeCases) {
  std::mt19937 rng(3);
  std::vector<float> rows = randomRows(rng, 100, 4, 10);
  NmsOptions options;
  // Empty input.
  EXPECT_TRUE(nonMaxSuppression(rows.data(), 0, 9, options).empty());
  EXPECT_TRUE(nonMaxSuppression(nullptr, 0, 9, options).empty());
  EXPECT_TRUE(nonMaxSuppression(rows.data(), -3, 9, options).empty());
  EXPECT_TRUE(nonMaxSuppression(rows.data(), 100, 5, options).empty());
  // Every score equal: the order is the rows' (ties everywhere).
  std::vector<float> same(300 * 7, 0.5f);
  for (int r = 0; r < 300; ++r)
    same[r * 7] = 10.0f * r; // apart: nothing suppressed
  std::vector<Box> tied = nonMaxSuppression(same.data(), 300, 7, options);
  ASSERT_EQ(tied.size(), 300u);
  EXPECT_EQ(tied[0].x1, 0.0 - 0.25);
  EXPECT_EQ(tied[1].label, 1);
  EXPECT_EQ(tied[2].x1, 10.0 - 0.25);
  expectSame(tied, reference::referenceNms(same.data(), 300, 7, options),
             "all tied");
  // All below the threshold.
  options.confThreshold = 1.5;
  EXPECT_TRUE(nonMaxSuppression(rows.data(), 100, 9, options).empty());
  // max_det truncation: exactly max_det boxes, the reference's first ones.
  options.confThreshold = 0.001;
  options.iouThreshold = 0.99;
  options.maxDetections = 7;
  std::vector<Box> kept = nonMaxSuppression(rows.data(), 100, 9, options);
  EXPECT_EQ(kept.size(), 7u);
  expectSame(kept, reference::referenceNms(rows.data(), 100, 9, options),
             "max_det 7");
  options.maxDetections = 0;
  EXPECT_TRUE(nonMaxSuppression(rows.data(), 100, 9, options).empty());
  // max_nms truncation: only the best candidates are looked at.
  options.maxDetections = 300;
  options.maxCandidates = 5;
  kept = nonMaxSuppression(rows.data(), 100, 9, options);
  EXPECT_LE(kept.size(), 5u);
  expectSame(kept, reference::referenceNms(rows.data(), 100, 9, options),
             "max_nms 5");
}

TEST(DetectionFast, NmsMatchesReferenceOnAnUntrainedHead) {
  // One expert of MoE-YOLOv7-tiny at 320x320 with random weights: 6300
  // anchors x 80 classes, nearly all above 0.001, so the 30000 cap binds.
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> unit(0, 1);
  std::vector<float> rows;
  for (int r = 0; r < 6300; ++r) {
    rows.push_back(320 * unit(rng));
    rows.push_back(320 * unit(rng));
    rows.push_back(10 + 100 * unit(rng));
    rows.push_back(10 + 100 * unit(rng));
    for (int c = 0; c < 81; ++c)
      rows.push_back(0.3f + 0.4f * unit(rng));
  }
  NmsOptions options;
  expectSame(nonMaxSuppression(rows.data(), 6300, 85, options),
             reference::referenceNms(rows.data(), 6300, 85, options),
             "untrained head");
}

/// Normalised boxes, some inverted or outside [0, 1], on a coarse grid;
/// scores from a few levels; labels from a few classes.
std::vector<std::vector<Box>> randomModels(std::mt19937 &rng, size_t numModels,
                                           int maxBoxes, int classes) {
  std::uniform_int_distribution<int> corner(-1, 11), label(0, classes - 1),
      level(0, 8), many(0, maxBoxes);
  std::vector<std::vector<Box>> models(numModels);
  for (std::vector<Box> &boxes : models) {
    int n = many(rng);
    for (int i = 0; i < n; ++i)
      boxes.push_back(Box{corner(rng) / 10.0, corner(rng) / 10.0,
                          corner(rng) / 10.0, corner(rng) / 10.0,
                          level(rng) / 8.0, label(rng)});
  }
  return models;
}

TEST(DetectionFast, WbfMatchesReferenceOnRandomBoxes) {
  std::mt19937 rng(7);
  const WbfConfType confTypes[] = {WbfConfType::Avg, WbfConfType::Max,
                                   WbfConfType::BoxAndModelAvg,
                                   WbfConfType::AbsentModelAwareAvg};
  for (int trial = 0; trial < 400; ++trial) {
    size_t numModels = std::uniform_int_distribution<size_t>(0, 4)(rng);
    std::vector<std::vector<Box>> models =
        randomModels(rng, numModels, trial % 4 ? 40 : 300, 1 + trial % 5);
    std::vector<double> weights;
    for (size_t m = 0; m < numModels; ++m)
      weights.push_back(std::uniform_int_distribution<int>(0, 4)(rng) / 4.0);
    WbfOptions options;
    options.iouThreshold = std::uniform_real_distribution<double>(0, 0.9)(rng);
    if (trial % 5 == 0)
      options.iouThreshold = (trial / 5) % 3 / 4.0;
    options.skipBoxThreshold = trial % 2 ? 0.0 : 0.2;
    options.confType = confTypes[trial % 4];
    options.allowOverflow = trial % 8 < 4;
    expectSame(weightedBoxesFusion(models, weights, options),
               reference::referenceWbf(models, weights, options),
               "trial " + std::to_string(trial));
  }
}

TEST(DetectionFast, WbfEdgeCases) {
  WbfOptions options;
  EXPECT_TRUE(weightedBoxesFusion({}, {}, options).empty());
  EXPECT_TRUE(weightedBoxesFusion({{}, {}}, {1, 1}, options).empty());
  // All under the skip threshold.
  options.skipBoxThreshold = 0.5;
  EXPECT_TRUE(
      weightedBoxesFusion({{Box{0, 0, .5, .5, .4, 0}}}, {1}, options).empty());
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(DetectionFast, NmsDropsNonFiniteCandidates) {
  // Good rows, then one row per kind of bad value; the bad ones are dropped
  // (a non-finite box or score is no detection) and the rest is what the
  // reference makes of the good rows alone.
  std::mt19937 rng(9);
  std::vector<float> rows = randomRows(rng, 50, 3, 10);
  std::vector<float> good = rows;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<std::vector<float>> bad{
      {nan, 10, 5, 5, .9f, .9f, .9f, .9f},
      {10, 10, inf, 5, .9f, .9f, .9f, .9f},
      {10, 10, 5, 5, nan, .9f, .9f, .9f},
      {10, 10, 5, 5, inf, .9f, .9f, .9f},
      {10, 10, 5, 5, .9f, nan, -inf, inf}};
  for (const std::vector<float> &row : bad)
    rows.insert(rows.end(), row.begin(), row.end());
  NmsOptions options;
  options.confThreshold = 0.01;
  expectSame(nonMaxSuppression(rows.data(), 55, 8, options),
             reference::referenceNms(good.data(), 50, 8, options),
             "bad rows dropped");
}

TEST(DetectionFast, WbfDropsNonFiniteBoxes) {
  std::vector<std::vector<Box>> models{
      {Box{.1, .1, .5, .5, .9, 0}, Box{kNaN, .1, .5, .5, .9, 0},
       Box{.1, .1, .5, .5, kNaN, 0}, Box{.1, .1, .5, .5, kInf, 1}},
      {Box{.12, .1, .5, .5, .8, 0}, Box{-kInf, 0, kInf, .5, .7, 2}}};
  WbfOptions options;
  std::vector<Box> fused = weightedBoxesFusion(models, {1, 1}, options);
  std::vector<std::vector<Box>> finite{{models[0][0]},
                                       {models[1][0], models[1][1]}};
  // Infinite coordinates are clipped to the image like any other.
  finite[1][1].x1 = 0;
  finite[1][1].x2 = 1;
  expectSame(fused, reference::referenceWbf(finite, {1, 1}, options),
             "non-finite boxes dropped");

  // A NaN model weight drops that model's boxes and makes every score NaN
  // (the total weight is NaN); the call still returns every cluster.
  fused = weightedBoxesFusion(models, {kNaN, 1}, options);
  ASSERT_EQ(fused.size(), 2u);
  EXPECT_TRUE(std::isnan(fused[0].score) && std::isnan(fused[1].score));
}

} // namespace
} // namespace goe::runtime::test
