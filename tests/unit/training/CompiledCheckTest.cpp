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
            "image 7: a compiled box of class 3 has no LibTorch match");

  BoxAgreement far;
  far.tolerance = 0.5;
  matchBoxes({{10, 10, 20, 20, 0.9, 0}}, {{11, 10, 20, 20, 0.9, 0}}, 2, far);
  EXPECT_EQ(far.matched, 0);
  EXPECT_NEAR(far.bestUnmatchedScore, 0.9, 1e-12);
  EXPECT_EQ(far.firstMismatch.rfind("image 2: LibTorch's class 0 box", 0), 0u)
      << far.firstMismatch;
}
