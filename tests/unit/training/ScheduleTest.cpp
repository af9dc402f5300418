//===- ScheduleTest.cpp - learning-rate schedules ---------------------------===//

#include "goe/Training/Schedule.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace goe::train;

TEST(ScheduleTest, ConstantIsTheBaseRateExactly) {
  ScheduleOptions s;
  for (int64_t epoch : {1, 5, 10})
    for (int64_t step : {0, 7, 99})
      EXPECT_EQ(learningRate(s, 0.005, epoch, step, 100, 10), 0.005);
}

TEST(ScheduleTest, StepDecaysEveryStepEpochs) {
  ScheduleOptions s;
  s.kind = "step";
  s.stepEpochs = 3;
  s.gamma = 0.5;
  EXPECT_DOUBLE_EQ(learningRate(s, 1, 1, 0, 10, 9), 1);
  EXPECT_DOUBLE_EQ(learningRate(s, 1, 3, 9, 10, 9), 1);
  EXPECT_DOUBLE_EQ(learningRate(s, 1, 4, 0, 10, 9), 0.5);
  EXPECT_DOUBLE_EQ(learningRate(s, 1, 7, 0, 10, 9), 0.25);
}

TEST(ScheduleTest, CosineGoesFromBaseToMinimum) {
  ScheduleOptions s;
  s.kind = "cosine";
  s.minFactor = 0.1;
  EXPECT_DOUBLE_EQ(learningRate(s, 2, 1, 0, 10, 4), 2);
  // Half way: the mean of base and minimum.
  EXPECT_NEAR(learningRate(s, 2, 3, 0, 10, 4), 2 * (0.1 + 0.9 * 0.5), 1e-12);
  EXPECT_NEAR(learningRate(s, 2, 4, 9, 10, 4), 0.2, 0.01);
}

TEST(ScheduleTest, WarmupRisesLinearlyThenHandsOver) {
  ScheduleOptions s;
  s.warmupEpochs = 0.5; // 5 of 10 steps
  EXPECT_DOUBLE_EQ(learningRate(s, 1, 1, 0, 10, 2), 0.2);
  EXPECT_DOUBLE_EQ(learningRate(s, 1, 1, 4, 10, 2), 1.0);
  EXPECT_DOUBLE_EQ(learningRate(s, 1, 1, 5, 10, 2), 1.0);
  EXPECT_DOUBLE_EQ(learningRate(s, 1, 2, 0, 10, 2), 1.0);
}

TEST(ScheduleTest, BadOptionsNameTheFlag) {
  ScheduleOptions s;
  s.kind = "linear";
  EXPECT_NE(checkSchedule(s).message().find("--schedule must be constant, "
                                            "step or cosine, got 'linear'"),
            std::string::npos);
  s = {};
  s.minFactor = 2;
  EXPECT_NE(checkSchedule(s).message().find("--min-lr-factor"),
            std::string::npos);
  EXPECT_TRUE(checkSchedule({}).ok());
}
