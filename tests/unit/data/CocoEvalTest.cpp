//===- CocoEvalTest.cpp - COCO statistics on hand-computed cases ----------===//
//
// Each case is small enough to follow COCOeval by hand; the expected values
// are worked out in the comments.
//
//===----------------------------------------------------------------------===//

#include "goe/Data/CocoEval.h"
#include "goe/Runtime/FileIO.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace goe::data;
namespace fs = std::filesystem;

namespace {

CocoBox gt(int64_t image, int64_t category, double x, double y, double w,
           double h, bool crowd = false) {
  CocoBox box{image, category, x, y, w, h, w * h, 0, crowd};
  return box;
}
CocoBox dt(int64_t image, int64_t category, double x, double y, double w,
           double h, double score) {
  CocoBox box{image, category, x, y, w, h, w * h, score, false};
  return box;
}

void expectStats(const CocoStats &got, const CocoStats &want) {
  for (int i = 0; i < 12; ++i)
    EXPECT_NEAR(got[i], want[i], 1e-12) << kCocoStatNames[i];
}

TEST(CocoEval, PerfectSmallDetection) {
  // One small box found exactly: AP and AR 1 for "all" and "small"; medium
  // and large have no relevant ground truth: -1.
  CocoEvalInput input{{1}, {1}, {gt(1, 1, 0, 0, 10, 10)}, {dt(1, 1, 0, 0, 10, 10, 0.9)}};
  expectStats(cocoEvaluate(input), {1, 1, 1, 1, -1, -1, 1, 1, 1, 1, -1, -1});
}

TEST(CocoEval, IouDecidesTheThresholds) {
  // IoU 72/100 = 0.72: matched at 0.50..0.70 (5 of 10 thresholds).
  CocoEvalInput input{{1}, {1}, {gt(1, 1, 0, 0, 10, 10)}, {dt(1, 1, 0, 0, 10, 7.2, 0.9)}};
  CocoStats s = cocoEvaluate(input);
  EXPECT_NEAR(s[0], 0.5, 1e-12); // AP
  EXPECT_NEAR(s[1], 1.0, 1e-12); // AP50
  EXPECT_NEAR(s[2], 0.0, 1e-12); // AP75
  EXPECT_NEAR(s[8], 0.5, 1e-12); // AR100
}

TEST(CocoEval, FalsePositiveRankedFirst) {
  // Order: FP (0.9) then TP (0.8): precision [0, 0.5] made monotone
  // [0.5, 0.5], so every recall point reads 0.5. AR1 sees only the FP.
  CocoEvalInput input{{1}, {1}, {gt(1, 1, 0, 0, 10, 10)},
                      {dt(1, 1, 50, 50, 10, 10, 0.9), dt(1, 1, 0, 0, 10, 10, 0.8)}};
  CocoStats s = cocoEvaluate(input);
  EXPECT_NEAR(s[0], 0.5, 1e-12);
  EXPECT_NEAR(s[6], 0.0, 1e-12); // AR1
  EXPECT_NEAR(s[7], 1.0, 1e-12); // AR10
}

TEST(CocoEval, GreedyMatchingPerThreshold) {
  // GT1 [0,0,10,10], GT2 [5,0,10,10]; DT1 [2,0,10,10] (0.9) has IoU 80/120
  // with GT1, DT2 = GT2 (0.8). Thresholds 0.50-0.65: both match, AP 1.
  // 0.70-0.95: DT1 is a false positive before DT2: precision 0.5 up to
  // recall 0.5 (51 of 101 points), 0 after: 25.5 / 101.
  CocoEvalInput input{{1}, {1},
                      {gt(1, 1, 0, 0, 10, 10), gt(1, 1, 5, 0, 10, 10)},
                      {dt(1, 1, 2, 0, 10, 10, 0.9), dt(1, 1, 5, 0, 10, 10, 0.8)}};
  CocoStats s = cocoEvaluate(input);
  double high = 25.5 / 101;
  EXPECT_NEAR(s[0], (4 + 6 * high) / 10, 1e-12);
  EXPECT_NEAR(s[1], 1.0, 1e-12);
  EXPECT_NEAR(s[2], high, 1e-12);
  EXPECT_NEAR(s[8], (4 * 1.0 + 6 * 0.5) / 10, 1e-12);
}

TEST(CocoEval, CrowdsAndCategoriesWithoutGroundTruth) {
  // Category 1 has only a crowd (ignored) and a detection inside it (IoU by
  // the detection's own area = 1, so the detection is ignored too): no
  // relevant ground truth, left out. Category 2: one exact match. Category
  // 3 has no ground truth but a detection: left out. AP = category 2's = 1.
  CocoEvalInput input{{1, 2}, {1, 2, 3},
                      {gt(1, 1, 0, 0, 100, 100, true), gt(2, 2, 0, 0, 50, 50)},
                      {dt(1, 1, 10, 10, 20, 20, 0.9), dt(2, 2, 0, 0, 50, 50, 0.7),
                       dt(2, 3, 0, 0, 50, 50, 0.99)}};
  expectStats(cocoEvaluate(input), {1, 1, 1, -1, 1, -1, 1, 1, 1, -1, 1, -1});
}

TEST(CocoEval, ScoresAcrossImagesAreRankedTogether) {
  // Two images: image 1's detection (0.6) is a miss, image 2's (0.9) a hit.
  // Ranked: hit, miss: precision [1, 0.5], recall [0.5, 0.5] of 2 GTs:
  // 1 for recall <= 0.5 (51 points), 0 beyond: AP = 51 / 101.
  CocoEvalInput input{{1, 2}, {1},
                      {gt(1, 1, 0, 0, 10, 10), gt(2, 1, 0, 0, 10, 10)},
                      {dt(1, 1, 40, 40, 10, 10, 0.6), dt(2, 1, 0, 0, 10, 10, 0.9)}};
  CocoStats s = cocoEvaluate(input);
  EXPECT_NEAR(s[0], 51.0 / 101, 1e-12);
  EXPECT_NEAR(s[8], 0.5, 1e-12);
}

TEST(CocoEval, FilesAndSummary) {
  fs::path dir = fs::temp_directory_path() / "goe-cocoeval-test";
  fs::create_directories(dir);
  std::string gtPath = (dir / "gt.json").string(), dtPath = (dir / "dt.json").string();
  ASSERT_TRUE(goe::runtime::writeFileAtomically(gtPath, {R"({
      "images": [{"id": 1}], "categories": [{"id": 1}],
      "annotations": [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100}]})"}).ok());
  ASSERT_TRUE(goe::runtime::writeFileAtomically(dtPath, {R"([
      {"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.5}])"}).ok());
  auto input = readCocoEvalFiles(gtPath, dtPath);
  ASSERT_TRUE(input.ok()) << input.status().message();
  std::string summary = formatCocoStats(cocoEvaluate(*input));
  EXPECT_NE(summary.find(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | "
                         "maxDets=100 ] = 1.000\n"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | "
                         "maxDets=100 ] = -1.000\n"),
            std::string::npos)
      << summary;

  ASSERT_TRUE(goe::runtime::writeFileAtomically(dtPath, {R"([
      {"image_id": 5, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.5}])"}).ok());
  auto foreign = readCocoEvalFiles(gtPath, dtPath);
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.status().message().find("[0]: image_id 5 is not an image of"),
            std::string::npos);
  ASSERT_TRUE(goe::runtime::writeFileAtomically(dtPath, {R"([{"image_id": 1}])"}).ok());
  EXPECT_NE(readCocoEvalFiles(gtPath, dtPath).status().message().find(
                "needs image_id, category_id, a 4-number bbox and a score"),
            std::string::npos);
  fs::remove_all(dir);
}

} // namespace

namespace {

TEST(CocoEval, PerCategoryAp) {
  // Category 1: one box found at IoU 0.72 (AP50 1, AP 0.5 as above);
  // category 2: its box missed, a detection elsewhere (AP 0); category 3:
  // no ground truth (-1, and left out of the mean: AP (0.5 + 0) / 2).
  CocoEvalInput input{{1},
                      {1, 2, 3},
                      {gt(1, 1, 0, 0, 10, 10), gt(1, 2, 20, 20, 10, 10)},
                      {dt(1, 1, 0, 0, 10, 7.2, 0.9), dt(1, 2, 60, 60, 10, 10, 0.8),
                       dt(1, 3, 40, 40, 10, 10, 0.7)}};
  std::vector<CocoCategoryStats> classes;
  CocoStats s = cocoEvaluate(input, &classes);
  ASSERT_EQ(classes.size(), 3u);
  EXPECT_EQ(classes[0].categoryId, 1);
  EXPECT_EQ(classes[0].groundTruths, 1);
  EXPECT_NEAR(classes[0].ap50, 1.0, 1e-12);
  EXPECT_NEAR(classes[0].ap, 0.5, 1e-12);
  EXPECT_NEAR(classes[1].ap50, 0.0, 1e-12);
  EXPECT_NEAR(classes[1].ap, 0.0, 1e-12);
  EXPECT_EQ(classes[2].groundTruths, 0);
  EXPECT_EQ(classes[2].ap, -1);
  EXPECT_NEAR(s[0], 0.25, 1e-12);
  EXPECT_NEAR(s[1], 0.5, 1e-12);
}

} // namespace
