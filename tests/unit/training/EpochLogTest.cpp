//===- EpochLogTest.cpp - goe-train --csv ----------------------------------===//

#include "goe/Training/EpochLog.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace goe::train;

namespace {

std::string readAll(const std::string &path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

EpochProgress yoloEpoch(int64_t epoch) {
  EpochProgress p;
  p.epoch = epoch;
  p.lr = 0.01;
  p.loss = 0.5;
  p.countsCorrect = false;
  p.train.count = 2;
  p.train.partSums = {{"box", 0.2}, {"obj", 0.6}};
  p.imagesPerSecond = 10;
  p.seconds = 3;
  p.valLoss = 0.25;
  p.val.metrics = {{"mAP50", 0.75}};
  p.best = epoch == 1;
  return p;
}

} // namespace

TEST(EpochLogTest, WritesAHeaderThenARowPerEpochAndAppendsOnResume) {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("goe-epochs-" + std::to_string(::getpid()) + ".csv"))
                         .string();
  std::filesystem::remove(path);
  {
    EpochLog log;
    ASSERT_TRUE(log.open(path).ok());
    ASSERT_TRUE(log.append(yoloEpoch(1)).ok());
  }
  { // a resumed run
    EpochLog log;
    ASSERT_TRUE(log.open(path).ok());
    ASSERT_TRUE(log.append(yoloEpoch(2)).ok());
  }
  EXPECT_EQ(readAll(path),
            "epoch,lr,loss,box,obj,images_per_s,seconds,val_loss,val_mAP50,"
            "best\n"
            "1,0.01,0.5,0.1,0.3,10,3,0.25,0.75,1\n"
            "2,0.01,0.5,0.1,0.3,10,3,0.25,0.75,0\n");
  // Another run's columns are refused, naming both.
  EpochLog other;
  ASSERT_TRUE(other.open(path).ok());
  EpochProgress classifier;
  classifier.epoch = 3;
  auto status = other.append(classifier);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("are not this run's"), std::string::npos);
  std::filesystem::remove(path);
}
