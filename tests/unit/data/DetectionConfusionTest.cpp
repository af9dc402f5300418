//===- DetectionConfusionTest.cpp - the detection confusion matrix --------===//
//
// Hand-worked images: each count is explained where it is checked.
//
//===----------------------------------------------------------------------===//

#include "goe/Data/DetectionConfusion.h"

#include <gtest/gtest.h>

using namespace goe::data;

namespace {

CocoBox box(int64_t image, int64_t category, double x, double y, double w,
            double h, double score = 0, bool crowd = false) {
  return CocoBox{image, category, x, y, w, h, w * h, score, crowd};
}

TEST(DetectionConfusion, MatchesByIouWhateverTheClass) {
  // Classes 0, 1, 2 -> rows/columns 0..2, background 3.
  CocoEvalInput input{
      {1, 2},
      {2, 0, 1},
      {box(1, 0, 0, 0, 10, 10), box(1, 1, 30, 0, 10, 10),
       box(1, 2, 60, 0, 10, 10), box(2, 2, 0, 0, 10, 10),
       box(2, 1, 50, 50, 10, 10, 0, /*crowd=*/true)},
      {
          // Image 1: the class-0 box found as class 0 (IoU 1), the class-1
          // box found as class 2 (IoU 0.8): a confusion; the class-2 box
          // missed; a stray class-1 detection.
          box(1, 0, 0, 0, 10, 10, 0.9),
          box(1, 2, 30, 0, 10, 8, 0.8),
          box(1, 1, 90, 90, 10, 10, 0.7),
          // Image 2: two detections on one class-2 box: the better IoU (1)
          // matches, the other (IoU 0.5) is a false positive; one below
          // the confidence threshold counts nowhere; the crowd box is
          // left out, so the detection on it is a false positive.
          box(2, 2, 0, 0, 10, 10, 0.6),
          box(2, 0, 0, 0, 10, 5, 0.6),
          box(2, 1, 0, 0, 10, 10, 0.1),
          box(2, 1, 50, 50, 10, 10, 0.9),
      }};
  input.categoryNames = {{0, "zero"}, {1, "one,uno"}};
  DetectionConfusion m = detectionConfusion(input, 0.25, 0.45);
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m.categories, (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(m.at(0, 0), 1);          // class 0 found
  EXPECT_EQ(m.at(2, 1), 1);          // class 1 taken for class 2
  EXPECT_EQ(m.at(3, 2), 1);          // the class-2 box of image 1 missed
  EXPECT_EQ(m.at(2, 2), 1);          // image 2's class-2 box found
  EXPECT_EQ(m.at(0, 3), 1);          // image 2's second detection
  EXPECT_EQ(m.at(1, 3), 2);          // the stray one and the one on the crowd
  int64_t total = 0;
  for (int64_t c : m.counts)
    total += c;
  EXPECT_EQ(total, 7);

  EXPECT_EQ(confusionCsv(m, input),
            "predicted\\true,zero,\"one,uno\",2,background\n"
            "zero,1,0,0,1\n"
            "\"one,uno\",0,0,0,2\n"
            "2,0,1,1,0\n"
            "background,0,0,1,0\n");
}

TEST(DetectionConfusion, ThresholdsAreStrict) {
  // IoU exactly 0.5 and score exactly 0.5: neither is above its threshold.
  CocoEvalInput input{{1}, {0}, {box(1, 0, 0, 0, 10, 10)},
                      {box(1, 0, 0, 0, 10, 5, 0.9), box(1, 0, 0, 0, 10, 10, 0.5)}};
  DetectionConfusion m = detectionConfusion(input, 0.5, 0.5);
  EXPECT_EQ(m.at(1, 0), 1); // the ground truth unmatched
  EXPECT_EQ(m.at(0, 1), 1); // the half box, a false positive
  EXPECT_EQ(m.at(0, 0), 0);
}

} // namespace
