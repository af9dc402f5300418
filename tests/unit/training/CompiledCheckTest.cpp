//===- CompiledCheckTest.cpp - --check-compiled's box matching ------------===//

#include "goe/Training/CompiledCheck.h"

#include <gtest/gtest.h>

using goe::runtime::Box;
using goe::train::BoxAgreement;
using goe::train::matchBoxes;

TEST(CompiledCheckTest, EachBoxTakesTheClosestOfItsClassWithinTheTolerance) {
  BoxAgreement agreement;
  agreement.tolerance = 0.5;
  std::vector<Box> reference{{10, 10, 20, 20, 0.9, 0},
                             {10, 10, 20, 20, 0.8, 1},
                             {50, 50, 60, 60, 0.3, 0}};
  // In another order, each off by a little; the class-1 box sits on the
  // same spot as a class-0 one and must not be taken by it.
  std::vector<Box> compiled{{50.2, 50, 60, 60, 0.31, 0},
                            {10, 10, 20, 20.1, 0.8, 1},
                            {10.3, 10, 20, 20, 0.9, 0}};
  matchBoxes(reference, compiled, 0, agreement);
  EXPECT_EQ(agreement.matched, 3);
  EXPECT_TRUE(agreement.agrees()) << agreement.summary();
  EXPECT_NEAR(agreement.maxCornerError, 0.3, 1e-12);
  EXPECT_NEAR(agreement.maxScoreError, 0.01, 1e-12);
}

TEST(CompiledCheckTest, LoneBoxesOnEitherSideAreCountedAndNamed) {
  BoxAgreement agreement;
  agreement.tolerance = 0.5;
  matchBoxes({{10, 10, 20, 20, 0.9, 0}}, {{10, 10, 20, 20, 0.9, 0},
                                          {30, 30, 40, 40, 0.02, 3}},
             7, agreement);
  EXPECT_FALSE(agreement.agrees());
  EXPECT_EQ(agreement.matched, 1);
  EXPECT_EQ(agreement.compiledBoxes, 2);
  EXPECT_NEAR(agreement.bestUnmatchedScore, 0.02, 1e-12);
  EXPECT_EQ(agreement.firstMismatch,
            "image 7: the compiled class 3 box (30.00, 30.00, 40.00, 40.00) "
            "score 0.02 has no match");

  BoxAgreement far;
  far.tolerance = 0.5;
  matchBoxes({{10, 10, 20, 20, 0.9, 0}}, {{11, 10, 20, 20, 0.9, 0}}, 2, far);
  EXPECT_EQ(far.matched, 0);
  EXPECT_NEAR(far.bestUnmatchedScore, 0.9, 1e-12);
  EXPECT_EQ(far.firstMismatch.rfind("image 2: LibTorch's class 0 box", 0), 0u)
      << far.firstMismatch;
}

TEST(CompiledCheckTest, BoxesSwappedAtTheMaxDetCutAreNotMismatches) {
  // Both sides kept max_det = 3 boxes; the third differs: each side's
  // lone box scores within 1e-5 of the other side's lowest kept score,
  // the swap a 1e-7 score difference makes at the cut.
  BoxAgreement agreement;
  agreement.tolerance = 0.5;
  agreement.maxDetections = 3;
  std::vector<Box> reference{{10, 10, 20, 20, 0.9, 0},
                             {30, 30, 40, 40, 0.5, 1},
                             {50, 50, 60, 60, 0.0100001f, 2}};
  std::vector<Box> compiled{{10, 10, 20, 20, 0.9, 0},
                            {30, 30, 40, 40, 0.5, 1},
                            {70, 70, 80, 80, 0.0100002f, 4}};
  matchBoxes(reference, compiled, 0, agreement);
  EXPECT_EQ(agreement.matched, 2);
  EXPECT_EQ(agreement.atCut, 2);
  EXPECT_TRUE(agreement.agrees()) << agreement.summary();

  // Not at the cut: a side that kept fewer than max_det boxes was not cut,
  // so a lone box there is a real difference...
  BoxAgreement notFull = BoxAgreement();
  notFull.tolerance = 0.5;
  notFull.maxDetections = 4;
  matchBoxes(reference, compiled, 0, notFull);
  EXPECT_EQ(notFull.atCut, 0);
  EXPECT_FALSE(notFull.agrees());
  // ...and so is a lone box scoring well above the other side's cut.
  BoxAgreement above;
  above.tolerance = 0.5;
  above.maxDetections = 3;
  compiled[2].score = 0.2f;
  matchBoxes(reference, compiled, 0, above);
  EXPECT_EQ(above.atCut, 1); // LibTorch's 0.0100001 is at the cut
  EXPECT_FALSE(above.agrees());
  EXPECT_EQ(above.firstMismatch,
            "image 0: the compiled class 4 box (70.00, 70.00, 80.00, 80.00) "
            "score 0.2 has no match");
}
