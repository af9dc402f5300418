//===- SyntheticDetectionTest.cpp - the real-image detection set ----------===//
//
// Builds a few small canvases from the fetched MNIST digits and Debian's
// Fashion-MNIST, reads them back as a YOLO set, and checks determinism.
// Skipped (and says so) where either source is missing.
//
//===----------------------------------------------------------------------===//

#include "goe/Data/Detection.h"
#include "goe/Data/SyntheticDetection.h"
#include "goe/Runtime/FileIO.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace goe::data;
namespace fs = std::filesystem;

namespace {

class SyntheticDetectionTest : public ::testing::Test {
protected:
  void SetUp() override {
    if (!fs::exists(std::string(GOE_MNIST_DIR) + "/train-images-idx3-ubyte"))
      GTEST_SKIP() << "no MNIST digits at " GOE_MNIST_DIR
                      " (scripts/fetch-mnist.sh)";
    if (!fs::exists("/usr/share/datasets/fashion-mnist"))
      GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    std::string pattern =
        (fs::temp_directory_path() / "goe-synthetic-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root = pattern;
  }
  void TearDown() override {
    if (!root.empty())
      fs::remove_all(root);
  }

  SyntheticDetectionOptions options(const std::string &name) {
    SyntheticDetectionOptions o;
    o.outDir = (root / name).string();
    o.mnistDir = GOE_MNIST_DIR;
    o.trainImages = 8;
    o.valImages = 4;
    o.size = 96;
    o.seed = 3;
    o.threads = 2;
    return o;
  }

  fs::path root;
};

TEST_F(SyntheticDetectionTest, ReadsBackAsAYoloSet) {
  ASSERT_TRUE(writeSyntheticDetectionSet(options("a")).ok());
  auto set = readYoloDataset((root / "a/data.yaml").string());
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ(set->nc, 20);
  EXPECT_EQ(set->names[19], "ankle_boot");
  ASSERT_EQ(set->split(Split::Train).size(), 8u);
  ASSERT_EQ(set->split(Split::Val).size(), 4u);
  size_t boxes = 0;
  for (Split split : {Split::Train, Split::Val})
    for (const DetectionImage &image : set->split(split)) {
      boxes += image.boxes.size();
      for (const DetectionBox &box : image.boxes) {
        EXPECT_GE(box.cx - box.w / 2, -1e-5);
        EXPECT_LE(box.cx + box.w / 2, 1 + 1e-5);
        EXPECT_GE(box.w * 96, 4 - 1e-3); // at least 4 px
      }
    }
  EXPECT_GE(boxes, 12u); // 2-6 objects per canvas, most of them placed
  auto scenes = goe::runtime::readFileBytes((root / "a/scenes.csv").string());
  ASSERT_TRUE(scenes.ok());
  EXPECT_NE(scenes->find("000003.jpg,train,3\n"), std::string::npos);
}

TEST_F(SyntheticDetectionTest, SameSeedSameBytes) {
  ASSERT_TRUE(writeSyntheticDetectionSet(options("a")).ok());
  SyntheticDetectionOptions single = options("b");
  single.threads = 1; // the result must not depend on scheduling
  ASSERT_TRUE(writeSyntheticDetectionSet(single).ok());
  for (const char *file : {"images/train/000005.jpg", "labels/val/000002.txt"}) {
    auto a = goe::runtime::readFileBytes((root / "a" / file).string());
    auto b = goe::runtime::readFileBytes((root / "b" / file).string());
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(*a, *b) << file;
  }
  SyntheticDetectionOptions other = options("c");
  other.seed = 4;
  ASSERT_TRUE(writeSyntheticDetectionSet(other).ok());
  EXPECT_NE(*goe::runtime::readFileBytes((root / "a/labels/train/000000.txt").string()),
            *goe::runtime::readFileBytes((root / "c/labels/train/000000.txt").string()));
}

TEST_F(SyntheticDetectionTest, BadOptionsAndSources) {
  SyntheticDetectionOptions tiny = options("t");
  tiny.size = 10;
  EXPECT_NE(writeSyntheticDetectionSet(tiny).message().find("canvas size"),
            std::string::npos);
  SyntheticDetectionOptions missing = options("m");
  missing.mnistDir = (root / "nowhere").string();
  auto status = writeSyntheticDetectionSet(missing);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("nowhere"), std::string::npos);
  EXPECT_FALSE(fs::exists(root / "m/data.yaml"));
}

} // namespace
