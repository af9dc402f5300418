//===- DatasetTest.cpp - every dataset kind on data in its own format -----===//
//
// CIFAR-10 and CelebA are not on these machines: their readers are tested on
// small fixtures written here in exactly their formats (CIFAR-10's 3,073-byte
// records, CelebA's attribute and partition lists and JPEG faces). Fashion-
// MNIST is the real set from Debian's dataset-fashion-mnist package.
//
//===----------------------------------------------------------------------===//

#include "goe/Data/Dataset.h"
#include "goe/Data/Idx.h"
#include "goe/Runtime/FileIO.h"
#include "goe/Runtime/Npy.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <zlib.h>

#include <cmath>
#include <filesystem>

using namespace goe::data;
using goe::runtime::DType;
using goe::runtime::StatusCode;
using goe::runtime::Tensor;
namespace fs = std::filesystem;

namespace {

class DatasetTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern =
        (fs::temp_directory_path() / "goe-dataset-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root = pattern;
  }
  void TearDown() override { fs::remove_all(root); }

  std::string file(const std::string &name) const {
    fs::create_directories((root / name).parent_path());
    return (root / name).string();
  }
  static void write(const std::string &path, const std::string &bytes) {
    ASSERT_TRUE(goe::runtime::writeFileAtomically(path, {bytes}).ok());
  }

  fs::path root;
};

DatasetOptions at(std::string path = "", uint64_t seed = 0) {
  DatasetOptions options;
  options.path = std::move(path);
  options.seed = seed;
  return options;
}

std::string message(const goe::runtime::Status &status) {
  return status.message();
}

TEST_F(DatasetTest, UnknownKindListsTheKnownOnes) {
  auto dataset = openDataset("imagenet", at());
  ASSERT_FALSE(dataset.ok());
  EXPECT_NE(message(dataset.status()).find("known: mnist, fashion_mnist, "
                                           "rotated_mnist, cifar10, celeba, npy"),
            std::string::npos)
      << message(dataset.status());
}

TEST_F(DatasetTest, FashionMnistFromTheDebianPackage) {
  if (!fs::exists("/usr/share/datasets/fashion-mnist"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed "
                    "(scripts/install-deps.sh installs it)";
  auto dataset = openDataset("fashion_mnist", at());
  ASSERT_TRUE(dataset.ok()) << message(dataset.status());
  const Dataset &data = **dataset;
  EXPECT_EQ(data.size(Split::Train), 54000);
  EXPECT_EQ(data.size(Split::Val), 6000);
  EXPECT_EQ(data.size(Split::Test), 10000);
  Batch batch;
  ASSERT_TRUE(data.batch(Split::Test, {0, 9999}, batch).ok());
  EXPECT_EQ(batch.at("image").shape(), (std::vector<int64_t>{2, 1, 28, 28}));
  // The first test image of Fashion-MNIST is an ankle boot (class 9).
  EXPECT_EQ(batch.at("label").i64()[0], 9);
  float lo = 1, hi = 0;
  for (int64_t i = 0; i < batch.at("image").numel(); ++i) {
    lo = std::min(lo, batch.at("image").f32()[i]);
    hi = std::max(hi, batch.at("image").f32()[i]);
  }
  EXPECT_EQ(lo, 0.0f);
  EXPECT_EQ(hi, 1.0f);
  EXPECT_TRUE(checkFieldsCover(data, {{"image", {DType::F32, {1, 28, 28}}}}).ok());
}

/// A gzipped IDX pair of `count` 2x2 images whose pixels are their index.
void writeGzippedIdx(const std::string &dir, int count) {
  IdxImages images{count, 2, 2, {}};
  std::vector<uint8_t> labels;
  for (int i = 0; i < count; ++i) {
    images.pixels.insert(images.pixels.end(), 4, uint8_t(i));
    labels.push_back(uint8_t(i % 10));
  }
  auto gz = [](const std::string &path, const std::string &bytes) {
    gzFile out = gzopen(path.c_str(), "wb");
    gzwrite(out, bytes.data(), (unsigned)bytes.size());
    gzclose(out);
  };
  gz(dir + "/train-images-idx3-ubyte.gz", *encodeIdxImages(images));
  gz(dir + "/train-labels-idx1-ubyte.gz", *encodeIdxLabels(labels));
}

TEST_F(DatasetTest, MnistReadsGzippedIdxAndSplitsWithoutOverlap) {
  fs::create_directories(root / "mnist");
  writeGzippedIdx((root / "mnist").string(), 100);
  auto dataset = openDataset("mnist", at((root / "mnist").string(), 5));
  ASSERT_TRUE(dataset.ok()) << message(dataset.status());
  const Dataset &data = **dataset;
  ASSERT_EQ(data.size(Split::Train), 70);
  ASSERT_EQ(data.size(Split::Val), 20);
  ASSERT_EQ(data.size(Split::Test), 10);
  std::vector<int> seen(100, 0);
  for (Split split : {Split::Train, Split::Val, Split::Test}) {
    std::vector<int64_t> all(data.size(split));
    for (size_t i = 0; i < all.size(); ++i)
      all[i] = (int64_t)i;
    Batch batch;
    ASSERT_TRUE(data.batch(split, all, batch).ok());
    for (size_t i = 0; i < all.size(); ++i) {
      int original = (int)std::lround(batch.at("image").f32()[i * 4] * 255);
      EXPECT_EQ(batch.at("label").i64()[i], original % 10);
      ++seen[original];
    }
  }
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), 100); // each sample once
  Batch batch;
  auto outside = data.batch(Split::Test, {10}, batch);
  EXPECT_EQ(outside.code(), StatusCode::OutOfRange);
}

TEST_F(DatasetTest, CorruptGzipNamesTheFile) {
  fs::create_directories(root / "bad");
  writeGzippedIdx((root / "bad").string(), 10);
  std::string path = (root / "bad/train-images-idx3-ubyte.gz").string();
  auto bytes = goe::runtime::readFileBytes(path);
  write(path, bytes->substr(0, bytes->size() / 2));
  auto dataset = openDataset("mnist", at((root / "bad").string()));
  ASSERT_FALSE(dataset.ok());
  EXPECT_EQ(dataset.status().code(), StatusCode::DataLoss);
  EXPECT_NE(message(dataset.status()).find(path), std::string::npos);
}

/// CIFAR-10 records: label r % 10, red plane r, green 100, blue 200.
std::string cifarRecords(int count) {
  std::string bytes;
  for (int r = 0; r < count; ++r) {
    bytes += char(r % 10);
    bytes += std::string(1024, char(r));
    bytes += std::string(1024, char(100));
    bytes += std::string(1024, char(200));
  }
  return bytes;
}

TEST_F(DatasetTest, Cifar10BinaryVersion) {
  write(file("cifar/data_batch_1.bin"), cifarRecords(12));
  write(file("cifar/data_batch_2.bin"), cifarRecords(8));
  write(file("cifar/test_batch.bin"), cifarRecords(5));
  auto dataset = openDataset("cifar10", at((root / "cifar").string()));
  ASSERT_TRUE(dataset.ok()) << message(dataset.status());
  EXPECT_EQ((*dataset)->size(Split::Train), 18);
  EXPECT_EQ((*dataset)->size(Split::Val), 2);
  EXPECT_EQ((*dataset)->size(Split::Test), 5);
  Batch batch;
  ASSERT_TRUE((*dataset)->batch(Split::Test, {3}, batch).ok());
  const Tensor &image = batch.at("image");
  EXPECT_EQ(image.shape(), (std::vector<int64_t>{1, 3, 32, 32}));
  EXPECT_FLOAT_EQ(image.f32()[0], 3 / 255.f);           // red plane first
  EXPECT_FLOAT_EQ(image.f32()[1024], 100 / 255.f);      // then green
  EXPECT_FLOAT_EQ(image.f32()[2048 + 1023], 200 / 255.f); // then blue
  EXPECT_EQ(batch.at("label").i64()[0], 3);
}

TEST_F(DatasetTest, Cifar10BadRecordsAreNamed) {
  write(file("short/data_batch_1.bin"), cifarRecords(2).substr(1));
  auto shortFile = openDataset("cifar10", at((root / "short").string()));
  ASSERT_FALSE(shortFile.ok());
  EXPECT_NE(message(shortFile.status()).find("not a whole number of 3,073-byte"),
            std::string::npos);
  std::string records = cifarRecords(3);
  records[2 * 3073] = 12;
  write(file("label/data_batch_1.bin"), records);
  auto badLabel = openDataset("cifar10", at((root / "label").string()));
  ASSERT_FALSE(badLabel.ok());
  EXPECT_NE(message(badLabel.status()).find("record 2 has label 12"),
            std::string::npos)
      << message(badLabel.status());
  auto none = openDataset("cifar10", at((root / "nothing").string()));
  EXPECT_EQ(none.status().code(), StatusCode::NotFound);
}

/// A CelebA-layout fixture: 6 faces 40 x 50 (portrait, as CelebA's), each a
/// flat colour, attributes cycling through the 8 groups.
void writeCeleba(const fs::path &dir) {
  fs::create_directories(dir / "img_align_celeba");
  std::string attrs = "6\n5_o_Clock_Shadow Arched_Eyebrows Black_Hair Male Oval_Face\n";
  std::string parts;
  for (int i = 0; i < 6; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "%06d.jpg", i + 1);
    cv::Mat face(50, 40, CV_8UC3, cv::Scalar(50, 100, 200)); // B, G, R
    cv::imwrite((dir / "img_align_celeba" / name).string(), face);
    int bh = i & 1, ae = (i >> 1) & 1, of = (i >> 2) & 1, male = i % 3 == 0;
    auto pm = [](int bit) { return bit ? " 1" : " -1"; };
    attrs += std::string(name) + pm(0) + pm(ae) + pm(bh) + pm(male) + pm(of) + "\n";
    parts += std::string(name) + " " + std::to_string(i < 4 ? 0 : i - 3) + "\n";
  }
  ASSERT_TRUE(goe::runtime::writeFileAtomically(
                  (dir / "list_attr_celeba.txt").string(), {attrs})
                  .ok());
  ASSERT_TRUE(goe::runtime::writeFileAtomically(
                  (dir / "list_eval_partition.txt").string(), {parts})
                  .ok());
}

TEST_F(DatasetTest, CelebaLayoutGroupsTargetAndRgbImages) {
  writeCeleba(root / "celeba");
  DatasetOptions options = at((root / "celeba").string());
  options.imageShape = {3, 16, 16};
  auto dataset = openDataset("celeba", options);
  ASSERT_TRUE(dataset.ok()) << message(dataset.status());
  EXPECT_EQ((*dataset)->size(Split::Train), 4);
  EXPECT_EQ((*dataset)->size(Split::Val), 1);
  EXPECT_EQ((*dataset)->size(Split::Test), 1);
  Batch batch;
  ASSERT_TRUE((*dataset)->batch(Split::Train, {0, 1, 2, 3}, batch).ok());
  EXPECT_EQ(batch.at("image").shape(), (std::vector<int64_t>{4, 3, 16, 16}));
  for (int i = 0; i < 4; ++i) {
    int bh = i & 1, ae = (i >> 1) & 1, of = (i >> 2) & 1;
    EXPECT_EQ(batch.at("group").i64()[i], bh + 2 * ae + 4 * of);
    EXPECT_EQ(batch.at("label").i64()[i], i % 3 == 0);
  }
  // RGB, channels-first: red 200, green 100, blue 50 (JPEG is lossy).
  const float *image = batch.at("image").f32();
  EXPECT_NEAR(image[0], 200 / 255.f, 0.03);
  EXPECT_NEAR(image[256], 100 / 255.f, 0.03);
  EXPECT_NEAR(image[512], 50 / 255.f, 0.03);
  Batch test;
  ASSERT_TRUE((*dataset)->batch(Split::Test, {0}, test).ok());
  EXPECT_EQ(test.at("group").i64()[0], 1 + 4); // sample 5: BH and OF
}

TEST_F(DatasetTest, CelebaBadInputNamesTheFile) {
  writeCeleba(root / "celeba");
  fs::remove(root / "celeba/img_align_celeba/000002.jpg");
  write((root / "celeba/img_align_celeba/000003.jpg").string(), "not a jpeg");
  auto dataset = openDataset("celeba", at((root / "celeba").string()));
  ASSERT_TRUE(dataset.ok()) << message(dataset.status());
  Batch batch;
  auto missing = (*dataset)->batch(Split::Train, {1}, batch);
  EXPECT_EQ(missing.code(), StatusCode::NotFound);
  EXPECT_NE(missing.message().find("000002.jpg' is missing"), std::string::npos);
  auto corrupt = (*dataset)->batch(Split::Train, {2}, batch);
  EXPECT_EQ(corrupt.code(), StatusCode::DataLoss);
  EXPECT_NE(corrupt.message().find("cannot decode image"), std::string::npos);

  std::string attrs = root / "celeba/list_attr_celeba.txt";
  auto text = goe::runtime::readFileBytes(attrs);
  write(attrs, *text + "000007.jpg 1 1\n");
  auto badRow = openDataset("celeba", at((root / "celeba").string()));
  ASSERT_FALSE(badRow.ok());
  EXPECT_NE(message(badRow.status()).find("list_attr_celeba.txt:9: expected 5 "
                                          "attribute values, got 2"),
            std::string::npos)
      << message(badRow.status());
}

TEST_F(DatasetTest, NpyDirectoryWithSplits) {
  for (auto [split, n] : {std::pair{"train", 3}, {"test", 2}}) {
    std::vector<float> pixels(n * 4, 0.5f);
    std::vector<int64_t> labels(n, 7);
    ASSERT_TRUE(goe::runtime::writeNpy(file(std::string(split) + "/image.npy"),
                                       Tensor::fromF32({n, 1, 2, 2}, pixels)->view())
                    .ok());
    ASSERT_TRUE(goe::runtime::writeNpy(file(std::string(split) + "/labels.npy"),
                                       Tensor::fromI64({n}, labels)->view())
                    .ok());
  }
  auto dataset = openDataset("npy", at(root.string()));
  ASSERT_TRUE(dataset.ok()) << message(dataset.status());
  EXPECT_EQ((*dataset)->size(Split::Train), 3);
  EXPECT_EQ((*dataset)->size(Split::Val), 0);
  EXPECT_EQ((*dataset)->size(Split::Test), 2);
  EXPECT_TRUE(checkFieldsCover(**dataset, {{"image", {DType::F32, {1, 2, 2}}},
                                           {"label", {DType::I64, {}}}})
                  .ok());
  auto wrongShape =
      checkFieldsCover(**dataset, {{"image", {DType::F32, {1, 28, 28}}}});
  EXPECT_NE(wrongShape.message().find("gives 'image' as f32[1, 2, 2], but "
                                      "f32[1, 28, 28] is wanted"),
            std::string::npos)
      << wrongShape.message();
  auto missing = checkFieldsCover(**dataset, {{"group", {DType::I64, {}}}});
  EXPECT_NE(missing.message().find("has no field 'group'"), std::string::npos);

  ASSERT_TRUE(goe::runtime::writeNpy(file("test/image.npy"),
                                     Tensor::fromF32({1, 1, 2, 2}, {0, 0, 0, 0})->view())
                  .ok());
  auto uneven = openDataset("npy", at(root.string()));
  ASSERT_FALSE(uneven.ok());
  EXPECT_NE(message(uneven.status()).find("samples"), std::string::npos);
}

} // namespace
