//===- DetectionDataTest.cpp - YOLO and COCO sets, letterboxing -----------===//
//
// Fixtures in exactly the two formats: a YOLO data.yaml with images/ and
// labels/ folders, and a COCO instances JSON; every malformed-input case
// the detection issue lists gets its message checked.
//
//===----------------------------------------------------------------------===//

#include "goe/Data/Detection.h"
#include "goe/Data/Letterbox.h"
#include "goe/Runtime/FileIO.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <filesystem>

using namespace goe::data;
using goe::runtime::StatusCode;
namespace fs = std::filesystem;

namespace {

class DetectionDataTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern =
        (fs::temp_directory_path() / "goe-detection-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root = pattern;
  }
  void TearDown() override { fs::remove_all(root); }

  std::string write(const std::string &name, const std::string &text) {
    fs::path path = root / name;
    fs::create_directories(path.parent_path());
    EXPECT_TRUE(goe::runtime::writeFileAtomically(path.string(), {text}).ok());
    return path.string();
  }
  std::string image(const std::string &name, int width = 40, int height = 20) {
    fs::path path = root / name;
    fs::create_directories(path.parent_path());
    cv::Mat pixels(height, width, CV_8UC3, cv::Scalar(50, 100, 200));
    EXPECT_TRUE(cv::imwrite(path.string(), pixels));
    return path.string();
  }
  /// A valid YOLO set: 2 train images (one unlabelled), 1 val image with an
  /// empty labels file.
  std::string yoloFixture(const std::string &labels0 = "0 0.5 0.5 0.2 0.4\n"
                                                       "2 0.1 0.9 0.05 0.1\n") {
    image("set/images/train/a.png");
    image("set/images/train/b.png");
    image("set/images/val/c.jpg");
    write("set/labels/train/a.txt", labels0);
    write("set/labels/val/c.txt", "");
    return write("set/data.yaml", "train: images/train\nval: images/val\n"
                                  "nc: 3\nnames: [digit, shirt, boot]\n");
  }

  fs::path root;
};

TEST(YoloLabelPath, LastImagesFolderBecomesLabels) {
  EXPECT_EQ(yoloLabelPath("/d/images/train/a.jpg"), "/d/labels/train/a.txt");
  EXPECT_EQ(yoloLabelPath("/images/x/images/b.png"), "/images/x/labels/b.txt");
}

TEST_F(DetectionDataTest, YoloSetWithUnlabelledAndEmptyImages) {
  auto set = readYoloDataset(yoloFixture());
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ(set->nc, 3);
  EXPECT_EQ(set->names[2], "boot");
  ASSERT_EQ(set->split(Split::Train).size(), 2u);
  ASSERT_EQ(set->split(Split::Val).size(), 1u);
  EXPECT_TRUE(set->split(Split::Test).empty());
  const DetectionImage &a = set->split(Split::Train)[0];
  ASSERT_EQ(a.boxes.size(), 2u);
  EXPECT_EQ(a.boxes[1].cls, 2);
  EXPECT_FLOAT_EQ(a.boxes[0].h, 0.4f);
  EXPECT_TRUE(set->split(Split::Train)[1].boxes.empty());
  EXPECT_TRUE(set->split(Split::Val)[0].boxes.empty());
}

TEST_F(DetectionDataTest, YoloLabelErrorsNameFileAndLine) {
  struct Case {
    const char *labels, *expected;
  } cases[] = {
      {"0 0.5 0.5 0.2\n", "a.txt:1: expected 5 fields 'class cx cy w h', got 4"},
      {"0 0.5 0.5 0.2 0.2\n3 0.5 0.5 0.1 0.1\n", "a.txt:2: class 3 is not an integer in [0, 3)"},
      {"1 0.5 1.5 0.2 0.2\n", "a.txt:1: coordinate 1.5 is outside [0, 1]"},
      {"1 0.5 abc 0.2 0.2\n", "a.txt:1: 'abc' is not a number"},
  };
  for (const Case &c : cases) {
    auto set = readYoloDataset(yoloFixture(c.labels));
    ASSERT_FALSE(set.ok()) << c.labels;
    EXPECT_NE(set.status().message().find(c.expected), std::string::npos)
        << set.status().message();
  }
}

TEST_F(DetectionDataTest, YoloListFileWithMissingImage) {
  yoloFixture();
  write("set/val.txt", "images/val/c.jpg\nimages/val/gone.jpg\n");
  auto set = readYoloDataset(write("set/list.yaml", "train: images/train\n"
                                                    "val: val.txt\nnc: 3\n"
                                                    "names: [a, b, c]\n"));
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("val.txt:2: image '"), std::string::npos)
      << set.status().message();
  EXPECT_NE(set.status().message().find("gone.jpg' is missing"), std::string::npos);
}

TEST_F(DetectionDataTest, YoloYamlErrors) {
  yoloFixture();
  auto names = readYoloDataset(write("set/bad1.yaml", "train: images/train\n"
                                                      "val: images/val\nnc: 3\n"
                                                      "names: [a, b]\n"));
  ASSERT_FALSE(names.ok());
  EXPECT_NE(names.status().message().find("'names' has 2 entries for nc 3"),
            std::string::npos);
  auto folder = readYoloDataset(write("set/bad2.yaml", "train: images/train\n"
                                                       "val: images/nope\nnc: 3\n"
                                                       "names: [a, b, c]\n"));
  ASSERT_FALSE(folder.ok());
  EXPECT_NE(folder.status().message().find("bad2.yaml:2: '"), std::string::npos)
      << folder.status().message();
}

TEST_F(DetectionDataTest, YoloNamesMapFillsByIndexAndChecksIt) {
  yoloFixture();
  // ultralytics' map form; classes it leaves out get empty names.
  auto map = readYoloDataset(write("set/map.yaml", "train: images/train\n"
                                                   "val: images/val\nnc: 3\n"
                                                   "names: {2: boot, 0: digit}\n"));
  ASSERT_TRUE(map.ok()) << map.status().message();
  EXPECT_EQ(map->names, (std::vector<std::string>{"digit", "", "boot"}));
  // An index past nc is named with its line.
  auto past = readYoloDataset(write("set/past.yaml", "train: images/train\n"
                                                     "val: images/val\nnc: 3\n"
                                                     "names:\n  0: digit\n"
                                                     "  3: boot\n"));
  ASSERT_FALSE(past.ok());
  EXPECT_NE(past.status().message().find(
                "past.yaml:6: class index 3 in 'names' is out of range (0 to 2)"),
            std::string::npos)
      << past.status().message();
  // The largest nc with a one-entry map: one pass over the map (this took
  // minutes when every class index was looked up; found by the fuzzer).
  auto wide = readYoloDataset(write("set/wide.yaml", "train: images/train\n"
                                                     "val: images/val\n"
                                                     "nc: 100000\n"
                                                     "names: {7: seven}\n"));
  ASSERT_TRUE(wide.ok()) << wide.status().message();
  ASSERT_EQ(wide->names.size(), 100000u);
  EXPECT_EQ(wide->names[7], "seven");
}

std::string cocoJson(const std::string &annotations) {
  return R"({"images": [{"id": 7, "file_name": "p.png", "width": 40, "height": 20},
                        {"id": 9, "file_name": "q.png", "width": 40, "height": 20}],
             "categories": [{"id": 3, "name": "boot"}, {"id": 1, "name": "digit"}],
             "annotations": [)" +
         annotations + "]}";
}

TEST_F(DetectionDataTest, CocoInstances) {
  image("coco/p.png");
  image("coco/q.png");
  std::string json = write(
      "coco/instances_val.json",
      cocoJson(R"({"id": 1, "image_id": 7, "category_id": 3, "bbox": [10, 5, 20, 10]},
                 {"id": 2, "image_id": 7, "category_id": 1, "bbox": [0, 0, 4, 2], "iscrowd": 1})"));
  auto set = readCocoInstances(json, (root / "coco").string());
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ(set->nc, 2);
  EXPECT_EQ(set->names, (std::vector<std::string>{"digit", "boot"}));
  EXPECT_EQ(set->cocoCategoryIds, (std::vector<int64_t>{1, 3}));
  const auto &images = set->split(Split::Val);
  ASSERT_EQ(images.size(), 2u);
  EXPECT_EQ(images[0].cocoId, 7);
  ASSERT_EQ(images[0].boxes.size(), 2u);
  EXPECT_EQ(images[0].boxes[0].cls, 1); // category 3 is the second class
  EXPECT_FLOAT_EQ(images[0].boxes[0].cx, 0.5f);
  EXPECT_FLOAT_EQ(images[0].boxes[0].cy, 0.5f);
  EXPECT_FLOAT_EQ(images[0].boxes[0].w, 0.5f);
  EXPECT_TRUE(images[0].boxes[1].crowd);
  EXPECT_TRUE(images[1].boxes.empty());
}

TEST_F(DetectionDataTest, CocoErrorsNameTheAnnotation) {
  image("coco/p.png");
  image("coco/q.png");
  struct Case {
    std::string annotations;
    const char *expected;
  } cases[] = {
      {R"({"id": 5, "image_id": 7, "category_id": 2, "bbox": [0, 0, 1, 1]})",
       "annotations[0] (id 5): category_id 2 is not in 'categories'"},
      {R"({"id": 6, "image_id": 8, "category_id": 1, "bbox": [0, 0, 1, 1]})",
       "image_id 8 is not in 'images'"},
      {R"({"id": 7, "image_id": 7, "category_id": 1, "bbox": [30, 0, 20, 1]})",
       "leaves the 40x20 image"},
      {R"({"id": 8, "image_id": "7", "category_id": 1, "bbox": [0, 0, 1, 1]})",
       "needs image_id, category_id and a 4-number bbox"},
  };
  for (const Case &c : cases) {
    std::string json = write("coco/i.json", cocoJson(c.annotations));
    auto set = readCocoInstances(json, (root / "coco").string());
    ASSERT_FALSE(set.ok()) << c.annotations;
    EXPECT_NE(set.status().message().find(c.expected), std::string::npos)
        << set.status().message();
  }
  std::string broken = write("coco/broken.json", "{\"images\": [");
  EXPECT_NE(readCocoInstances(broken, root.string()).status().message().find(
                "not a JSON object"),
            std::string::npos);
  fs::remove(root / "coco/q.png");
  auto missing = readCocoInstances(write("coco/m.json", cocoJson("")),
                                   (root / "coco").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("images[1]: image '"),
            std::string::npos);
}

TEST_F(DetectionDataTest, LetterboxPadsEvenlyAndBoxesMapBack) {
  // 40 x 20 onto 32 x 32: ratio 0.8, 32 x 16 placed 8 rows down.
  auto boxed = loadLetterboxed(image("lb/wide.png"), 32, 32);
  ASSERT_TRUE(boxed.ok()) << boxed.status().message();
  const LetterboxGeometry &g = boxed->geometry;
  EXPECT_DOUBLE_EQ(g.ratio, 0.8);
  EXPECT_EQ(g.padLeft, 0);
  EXPECT_EQ(g.padTop, 8);
  const float *pixels = boxed->image.f32();
  EXPECT_FLOAT_EQ(pixels[0], 114 / 255.f);               // padding row 0
  EXPECT_NEAR(pixels[16 * 32 + 5], 200 / 255.f, 1e-6);   // red plane, inside
  EXPECT_NEAR(pixels[2 * 1024 + 16 * 32 + 5], 50 / 255.f, 1e-6); // blue plane
  EXPECT_FLOAT_EQ(pixels[31 * 32], 114 / 255.f);         // padding last row
  PixelBox back = mapBoxToImage({0, 8, 32, 24}, g);
  EXPECT_DOUBLE_EQ(back.x1, 0);
  EXPECT_DOUBLE_EQ(back.y1, 0);
  EXPECT_DOUBLE_EQ(back.x2, 40);
  EXPECT_DOUBLE_EQ(back.y2, 20);
  PixelBox clipped = mapBoxToImage({-5, 0, 40, 30}, g);
  EXPECT_DOUBLE_EQ(clipped.x1, 0);
  EXPECT_DOUBLE_EQ(clipped.y2, 20);
}

TEST_F(DetectionDataTest, LetterboxOddSlackGoesRightAndBottom) {
  // 33 x 10 onto 32 x 32 (yolov7's rounding of half - 0.1 on the top).
  LetterboxGeometry g = letterboxGeometry(32, 11, 32, 32);
  EXPECT_EQ(g.padTop, 10); // slack 21: 10 above, 11 below
  EXPECT_EQ(g.padLeft, 0);
}

TEST_F(DetectionDataTest, UnreadableImagesAreNamed) {
  std::string bad = write("lb/bad.jpg", "not an image at all");
  auto decoded = loadLetterboxed(bad, 32, 32);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::DataLoss);
  EXPECT_NE(decoded.status().message().find(bad), std::string::npos);
  auto missing = loadLetterboxed((root / "nope.png").string(), 32, 32);
  EXPECT_EQ(missing.status().code(), StatusCode::NotFound);
}

} // namespace
