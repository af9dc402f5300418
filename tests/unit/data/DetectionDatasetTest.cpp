//===- DetectionDatasetTest.cpp - kinds yolo and coco as training data ----===//
//
// Fixtures in both layouts; the fields, the padding rows, the letterboxed
// validation boxes, augmentation that changes with the epoch, the COCO
// root layout, the ground truth goe-eval builds from YOLO labels, and the
// errors (a non-square model input, too many boxes, a bad --augment).
//
//===----------------------------------------------------------------------===//

#include "goe/Data/CocoEval.h"
#include "goe/Data/Dataset.h"
#include "goe/Data/Detection.h"
#include "goe/Data/DetectionAugment.h"
#include "goe/Runtime/FileIO.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstring>
#include <filesystem>

using namespace goe::data;
namespace fs = std::filesystem;

namespace {

class DetectionDatasetTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern =
        (fs::temp_directory_path() / "goe-detset-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root = pattern;
  }
  void TearDown() override { fs::remove_all(root); }

  void write(const std::string &name, const std::string &text) {
    fs::path path = root / name;
    fs::create_directories(path.parent_path());
    ASSERT_TRUE(goe::runtime::writeFileAtomically(path.string(), {text}).ok());
  }
  void image(const std::string &name, int width, int height) {
    fs::path path = root / name;
    fs::create_directories(path.parent_path());
    cv::Mat pixels(height, width, CV_8UC3, cv::Scalar(20, 40, 60));
    cv::rectangle(pixels, cv::Rect(width / 4, height / 4, width / 2, height / 2),
                  cv::Scalar(250, 250, 250), cv::FILLED);
    ASSERT_TRUE(cv::imwrite(path.string(), pixels));
  }
  /// YOLO: 4 train images 64x64 with one box each, 1 val image 64x32
  /// (letterboxed: padded top and bottom) with one box.
  std::string yolo() {
    for (int i = 0; i < 4; ++i) {
      image("y/images/train/" + std::to_string(i) + ".png", 64, 64);
      write("y/labels/train/" + std::to_string(i) + ".txt",
            std::to_string(i % 2) + " 0.5 0.5 0.5 0.5\n");
    }
    image("y/images/val/7.png", 64, 32);
    write("y/labels/val/7.txt", "1 0.5 0.5 0.5 0.5\n");
    write("y/data.yaml", "train: images/train\nval: images/val\nnc: 2\n"
                         "names: [a, b]\n");
    return (root / "y").string();
  }
  DatasetOptions options(const std::string &path, int64_t side = 32) {
    DatasetOptions o;
    o.path = path;
    o.imageShape = {3, side, side};
    return o;
  }

  fs::path root;
};

} // namespace

TEST_F(DetectionDatasetTest, YoloFieldsPaddingAndLetterboxedValidation) {
  auto dataset = openDataset("yolo", options(yolo()));
  ASSERT_TRUE(dataset.ok()) << dataset.status().message();
  ASSERT_EQ((*dataset)->fields().size(), 2u);
  EXPECT_EQ((*dataset)->fields()[1].spec.shape,
            (std::vector<int64_t>{128, 5}));
  EXPECT_EQ((*dataset)->size(Split::Train), 4);
  EXPECT_EQ((*dataset)->size(Split::Val), 1);
  EXPECT_EQ((*dataset)->size(Split::Test), 0);
  Batch batch;
  ASSERT_TRUE((*dataset)->batch(Split::Val, {0}, batch).ok());
  EXPECT_EQ(batch.at("image").shape(), (std::vector<int64_t>{1, 3, 32, 32}));
  const float *box = batch.at("boxes").f32();
  // 64x32 -> 32x16 centred in 32x32: the box keeps its centre, its height
  // halves relative to the square.
  EXPECT_EQ(box[0], 1);
  EXPECT_NEAR(box[1], 0.5, 1e-6);
  EXPECT_NEAR(box[2], 0.5, 1e-6);
  EXPECT_NEAR(box[3], 0.5, 1e-6);
  EXPECT_NEAR(box[4], 0.25, 1e-6);
  EXPECT_EQ(box[5], -1); // the first padding row
}

TEST_F(DetectionDatasetTest, TrainingAugmentationChangesWithTheEpoch) {
  DatasetOptions o = options(yolo());
  o.augment = "mosaic=0,mixup=0,hsv_h=0,hsv_s=0,hsv_v=0,fliplr=0,scale=0.5";
  auto dataset = openDataset("yolo", o);
  ASSERT_TRUE(dataset.ok()) << dataset.status().message();
  auto draw = [&](int64_t epoch) {
    (*dataset)->beginEpoch(epoch);
    Batch batch;
    EXPECT_TRUE((*dataset)->batch(Split::Train, {2}, batch).ok());
    const float *p = batch.at("boxes").f32();
    return std::vector<float>(p, p + 5);
  };
  std::vector<float> first = draw(1);
  EXPECT_EQ(draw(1), first) << "an epoch's draws are reproducible";
  EXPECT_NE(draw(2), first) << "another epoch scales differently";
  EXPECT_EQ(first[0], 0); // image 2's class
}

TEST_F(DetectionDatasetTest, CocoRootLayout) {
  image("c/val2017/5.png", 32, 32);
  write("c/annotations/instances_val2017.json", R"({
    "images": [{"id": 5, "file_name": "5.png", "width": 32, "height": 32}],
    "annotations": [
      {"id": 1, "image_id": 5, "category_id": 9, "bbox": [8, 8, 16, 16],
       "area": 256, "iscrowd": 0},
      {"id": 2, "image_id": 5, "category_id": 9, "bbox": [0, 0, 4, 4],
       "area": 16, "iscrowd": 1}],
    "categories": [{"id": 9, "name": "nine"}]})");
  image("c/train2017/6.png", 32, 32);
  write("c/annotations/instances_train2017.json", R"({
    "images": [{"id": 6, "file_name": "6.png", "width": 32, "height": 32}],
    "annotations": [], "categories": [{"id": 9, "name": "nine"}]})");
  auto dataset = openDataset("coco", options((root / "c").string()));
  ASSERT_TRUE(dataset.ok()) << dataset.status().message();
  EXPECT_EQ((*dataset)->size(Split::Train), 1);
  Batch batch;
  ASSERT_TRUE((*dataset)->batch(Split::Val, {0}, batch).ok());
  const float *box = batch.at("boxes").f32();
  EXPECT_EQ(box[0], 0); // category 9 is class 0
  EXPECT_NEAR(box[1], 0.5, 1e-6);
  EXPECT_EQ(box[5], -1) << "the crowd region is not a training box";

  auto missing = openDataset("coco", options(root.string()));
  EXPECT_NE(missing.status().message().find("no directory"), std::string::npos);
}

TEST_F(DetectionDatasetTest, ErrorsNameTheProblem) {
  std::string set = yolo();
  DatasetOptions wide = options(set);
  wide.imageShape = {3, 32, 48};
  EXPECT_NE(openDataset("yolo", wide).status().message().find(
                "the model's image input must be [3, S, S]"),
            std::string::npos);

  DatasetOptions few = options(set);
  few.maxBoxes = 1;
  few.augment = "none";
  write("y/labels/train/0.txt", "0 0.3 0.3 0.2 0.2\n1 0.7 0.7 0.2 0.2\n");
  auto dataset = openDataset("yolo", few);
  ASSERT_TRUE(dataset.ok());
  Batch batch;
  auto status = (*dataset)->batch(Split::Train, {0}, batch);
  EXPECT_NE(status.message().find("2 boxes, more than the 1 a sample holds "
                                  "(--max-boxes)"),
            std::string::npos)
      << status.message();

  EXPECT_NE(parseAugmentOptions("mosaic=2", 32).status().message().find(
                "mosaic must be a number in [0, 1]"),
            std::string::npos);
  EXPECT_NE(parseAugmentOptions("rotate=0.1", 32).status().message().find(
                "expected KEY=VALUE with KEY one of"),
            std::string::npos);
  auto none = parseAugmentOptions("none", 32);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->mosaic, 0);
}

TEST_F(DetectionDatasetTest, YoloGroundTruthInImagePixels) {
  std::string set = yolo();
  auto gt = yoloGroundTruth(set + "/data.yaml", "val");
  ASSERT_TRUE(gt.ok()) << gt.status().message();
  EXPECT_EQ(gt->imageIds, std::vector<int64_t>{7}); // the numeric file name
  EXPECT_EQ(gt->categoryIds, (std::vector<int64_t>{0, 1}));
  ASSERT_EQ(gt->groundTruth.size(), 1u);
  const CocoBox &box = gt->groundTruth[0];
  EXPECT_DOUBLE_EQ(box.x, 16);
  EXPECT_DOUBLE_EQ(box.y, 8);
  EXPECT_DOUBLE_EQ(box.w, 32);
  EXPECT_DOUBLE_EQ(box.h, 16);
  EXPECT_EQ(cocoImageId("/a/b/0042.jpg", 3), 42);
  EXPECT_EQ(cocoImageId("/a/b/x42.jpg", 3), 3);
}
