//===- DetectionAugmentTest.cpp - augmented samples keep boxes on objects -===//
//
// Fixture images are black with red rectangles whose boxes are exact, so a
// test can check after any geometric augmentation that every box still
// covers red pixels.
//
//===----------------------------------------------------------------------===//

#include "goe/Data/DetectionAugment.h"
#include "goe/Data/Letterbox.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>

using namespace goe::data;
namespace fs = std::filesystem;

namespace {

class DetectionAugmentTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "goe-augment-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root = pattern;
    // Three images of different shapes, one or two red rectangles each
    // (x, y, width, height).
    addImage(80, 40, {{10, 10, 30, 30}});
    addImage(40, 60, {{5, 20, 30, 35}, {0, 0, 10, 10}});
    addImage(64, 64, {{20, 24, 40, 16}});
  }
  void TearDown() override { fs::remove_all(root); }

  void addImage(int w, int h, std::vector<cv::Rect2d> rects) {
    cv::Mat bgr(h, w, CV_8UC3, cv::Scalar::all(0));
    DetectionImage image;
    image.path = (root / (std::to_string(images.size()) + ".png")).string();
    for (const cv::Rect2d &r : rects) {
      cv::rectangle(bgr, cv::Rect(r), cv::Scalar(0, 0, 255), cv::FILLED);
      image.boxes.push_back({1, float((r.x + r.width / 2) / w),
                             float((r.y + r.height / 2) / h), float(r.width / w),
                             float(r.height / h), false});
    }
    ASSERT_TRUE(cv::imwrite(image.path, bgr));
    images.push_back(image);
  }

  /// The mean red value inside a normalised box of `sample`.
  static double redInside(const TrainingSample &sample, const DetectionBox &box) {
    int64_t size = sample.image.shape()[1];
    int x1 = int(std::ceil((box.cx - box.w / 2) * size));
    int x2 = int(std::floor((box.cx + box.w / 2) * size));
    int y1 = int(std::ceil((box.cy - box.h / 2) * size));
    int y2 = int(std::floor((box.cy + box.h / 2) * size));
    double sum = 0;
    int n = 0;
    for (int y = y1; y < y2; ++y)
      for (int x = x1; x < x2; ++x, ++n)
        sum += sample.image.f32()[y * size + x]; // plane 0 is red
    return n ? sum / n : 1.0;
  }

  fs::path root;
  std::vector<DetectionImage> images;
};

TEST_F(DetectionAugmentTest, WithoutAugmentationItIsTheLetterbox) {
  DetectionAugmenter augmenter(images, AugmentOptions::none(64));
  auto sample = augmenter.sample(0, 1);
  ASSERT_TRUE(sample.ok()) << sample.status().message();
  auto letterboxed = loadLetterboxed(images[0].path, 64, 64);
  ASSERT_TRUE(letterboxed.ok());
  for (int64_t i = 0; i < sample->image.numel(); ++i)
    ASSERT_EQ(sample->image.f32()[i], letterboxed->image.f32()[i]) << i;
  // 80 x 40 -> ratio 0.8, 64 x 32 placed 16 rows down: the rectangle
  // 10..40 x 10..40 becomes 8..32 x 24..48.
  ASSERT_EQ(sample->boxes.size(), 1u);
  EXPECT_NEAR(sample->boxes[0].cx * 64, 20, 1e-4);
  EXPECT_NEAR(sample->boxes[0].cy * 64, 36, 1e-4);
  EXPECT_NEAR(sample->boxes[0].w * 64, 24, 1e-4);
}

TEST_F(DetectionAugmentTest, FlipMirrorsPixelsAndBoxes) {
  AugmentOptions flip = AugmentOptions::none(64);
  flip.fliplr = 1;
  auto plain = DetectionAugmenter(images, AugmentOptions::none(64)).sample(2, 1);
  auto flipped = DetectionAugmenter(images, flip).sample(2, 1);
  ASSERT_TRUE(plain.ok() && flipped.ok());
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x)
      ASSERT_EQ(flipped->image.f32()[y * 64 + x], plain->image.f32()[y * 64 + 63 - x]);
  EXPECT_NEAR(flipped->boxes[0].cx, 1 - plain->boxes[0].cx, 1e-6);
  EXPECT_NEAR(flipped->boxes[0].cy, plain->boxes[0].cy, 1e-6);
}

TEST_F(DetectionAugmentTest, MosaicAndAffineKeepBoxesOnTheObjects) {
  AugmentOptions options; // yolov7-tiny's settings
  options.size = 96;
  options.hsvH = options.hsvS = options.hsvV = 0; // keep red red
  options.mixup = 0;
  DetectionAugmenter augmenter(images, options);
  int boxes = 0;
  for (uint64_t seed = 0; seed < 12; ++seed) {
    auto sample = augmenter.sample(seed % 3, seed);
    ASSERT_TRUE(sample.ok()) << sample.status().message();
    EXPECT_EQ(sample->image.shape(), (std::vector<int64_t>{3, 96, 96}));
    for (const DetectionBox &box : sample->boxes) {
      ++boxes;
      EXPECT_GE(box.cx - box.w / 2, -1e-6);
      EXPECT_LE(box.cx + box.w / 2, 1 + 1e-6);
      EXPECT_GT(box.w * 96, 2);
      // Mostly red: two bilinear resamplings blur a pixel at each edge.
      EXPECT_GT(redInside(*sample, box), 0.75) << "seed " << seed;
    }
  }
  EXPECT_GT(boxes, 12); // mosaics carry boxes of several images
}

TEST_F(DetectionAugmentTest, DeterministicPerSeedAndIndex) {
  DetectionAugmenter augmenter(images, AugmentOptions{});
  auto a = augmenter.sample(1, 7), b = augmenter.sample(1, 7), c = augmenter.sample(1, 8);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  bool same = true, differs = false;
  for (int64_t i = 0; i < a->image.numel(); ++i) {
    same &= a->image.f32()[i] == b->image.f32()[i];
    differs |= a->image.f32()[i] != c->image.f32()[i];
  }
  EXPECT_TRUE(same);
  EXPECT_TRUE(differs);
}

TEST_F(DetectionAugmentTest, MissingImageIsNamed) {
  fs::remove(images[1].path);
  auto sample = DetectionAugmenter(images, AugmentOptions::none(32)).sample(1, 0);
  ASSERT_FALSE(sample.ok());
  EXPECT_NE(sample.status().message().find("1.png' is missing"), std::string::npos);
  EXPECT_FALSE(DetectionAugmenter(images, AugmentOptions::none(32)).sample(3, 0).ok());
}

} // namespace
