//===- RotatedMnist.cpp - the Graph of Experts' rotated MNIST -------------===//
//
// The split is on digits, not images: rotating first and splitting the
// 4N images would put the same handwriting, turned, into train and test,
// and a router that recognises the digit would look better than it is.
//
//===----------------------------------------------------------------------===//

#include "goe/Data/RotatedMnist.h"

#include "goe/Data/DataDirectory.h"

#include <filesystem>
#include <limits>
#include <new>
#include <random>

namespace goe::data {
namespace {

std::string inQuotes(const std::string &name) { return "'" + name + "'"; }

/// A uniform draw in [0, bound) from the generator's 64-bit outputs,
/// unbiased by rejecting the low (2^64 mod bound) values. Written out
/// rather than std::uniform_int_distribution, whose algorithm the standard
/// leaves to the library.
uint64_t uniformBelow(std::mt19937_64 &rng, uint64_t bound) {
  uint64_t threshold = (0 - bound) % bound; // 2^64 mod bound
  for (;;) {
    uint64_t x = rng();
    if (x >= threshold)
      return x % bound;
  }
}

std::string joinPath(const std::string &dir, const char *file) {
  if (dir.empty() || dir.back() == '/')
    return dir + file;
  return dir + "/" + file;
}

bool fileExists(const std::string &path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

/// Fills `split` with the four group images of each digit in `order`.
Status buildSplit(const MnistDigits &digits, const std::vector<int64_t> &order,
                  RotatedMnistSplit &split) {
  const int64_t side = digits.side;
  const int64_t pixels = side * side;
  split.size = static_cast<int64_t>(order.size()) * kRotatedMnistGroups;
  split.side = side;
  try {
    split.images.resize(static_cast<size_t>(split.size * pixels));
    split.groups.resize(static_cast<size_t>(split.size));
    split.classes.resize(static_cast<size_t>(split.size));
    split.digitIndices.resize(static_cast<size_t>(split.size));
  } catch (const std::bad_alloc &) {
    return runtime::resourceExhausted(
        "cannot allocate " + std::to_string(split.size) +
        " rotated MNIST images of " + std::to_string(side) + " x " +
        std::to_string(side));
  }
  std::vector<uint8_t> scratch(static_cast<size_t>(pixels));
  int64_t image = 0;
  for (int64_t digit : order) {
    const uint8_t *source = digits.pixels.data() + digit * pixels;
    for (int group = 0; group < kRotatedMnistGroups; ++group, ++image) {
      rotatedMnistGroupImage(source, scratch.data(), side, group);
      float *out = split.images.data() + image * pixels;
      for (int64_t i = 0; i < pixels; ++i)
        out[i] = static_cast<float>(scratch[i]) / 255.0f;
      split.groups[image] = group;
      split.classes[image] = digits.labels[digit];
      split.digitIndices[image] = digit;
    }
  }
  return runtime::okStatus();
}

} // namespace

std::vector<int64_t> seededPermutation(int64_t n, uint64_t seed) {
  std::vector<int64_t> perm(static_cast<size_t>(n > 0 ? n : 0));
  for (int64_t i = 0; i < n; ++i)
    perm[i] = i;
  std::mt19937_64 rng(seed);
  for (int64_t i = n - 1; i > 0; --i) {
    auto j =
        static_cast<int64_t>(uniformBelow(rng, static_cast<uint64_t>(i) + 1));
    std::swap(perm[i], perm[j]);
  }
  return perm;
}

void rotateQuarterTurns(const uint8_t *in, uint8_t *out, int64_t side,
                        int quarterTurns) {
  int k = ((quarterTurns % 4) + 4) % 4;
  const int64_t last = side - 1;
  for (int64_t r = 0; r < side; ++r) {
    for (int64_t c = 0; c < side; ++c) {
      // The source pixel of out[r][c] after k counter-clockwise turns
      // (numpy.rot90(in, k)).
      int64_t sr = r, sc = c;
      switch (k) {
      case 1:
        sr = c, sc = last - r;
        break;
      case 2:
        sr = last - r, sc = last - c;
        break;
      case 3:
        sr = last - c, sc = r;
        break;
      default:
        break;
      }
      out[r * side + c] = in[sr * side + sc];
    }
  }
}

void rotatedMnistGroupImage(const uint8_t *digit, uint8_t *out, int64_t side,
                            int group) {
  if (group == 0) {
    for (int64_t i = 0; i < side * side; ++i)
      out[i] = static_cast<uint8_t>(255 - digit[i]);
    return;
  }
  rotateQuarterTurns(digit, out, side, group);
}

Status validateMnistDigits(const MnistDigits &digits, const std::string &name) {
  if (digits.count < 0 || digits.side <= 0)
    return runtime::invalidArgument(name + ": " + std::to_string(digits.count) +
                                    " digits of side " +
                                    std::to_string(digits.side));
  uint64_t pixels =
      static_cast<uint64_t>(digits.side) * static_cast<uint64_t>(digits.side);
  if (digits.pixels.size() / pixels != static_cast<uint64_t>(digits.count) ||
      digits.pixels.size() % pixels != 0)
    return runtime::invalidArgument(
        name + ": " + std::to_string(digits.pixels.size()) + " pixels for " +
        std::to_string(digits.count) + " digits of " +
        std::to_string(digits.side) + " x " + std::to_string(digits.side));
  if (digits.labels.size() != static_cast<uint64_t>(digits.count))
    return runtime::invalidArgument(
        name + ": " + std::to_string(digits.count) + " images but " +
        std::to_string(digits.labels.size()) + " labels");
  for (size_t i = 0; i < digits.labels.size(); ++i)
    if (digits.labels[i] > 9)
      return runtime::invalidArgument(
          name + ": label #" + std::to_string(i) + " is " +
          std::to_string(digits.labels[i]) + ", not a digit 0..9");
  return runtime::okStatus();
}

StatusOr<MnistDigits> loadMnistDigits(const std::string &imagesPath,
                                      const std::string &labelsPath) {
  auto images = readIdxImages(imagesPath);
  if (!images.ok())
    return images.status();
  auto labels = readIdxLabels(labelsPath);
  if (!labels.ok())
    return labels.status();
  if (images->rows != images->cols)
    return runtime::invalidArgument(
        inQuotes(imagesPath) + " holds " + std::to_string(images->rows) +
        " x " + std::to_string(images->cols) +
        " images; rotated MNIST needs square images");
  if (images->count != static_cast<int64_t>(labels->size()))
    return runtime::invalidArgument(
        inQuotes(imagesPath) + " holds " + std::to_string(images->count) +
        " images but " + inQuotes(labelsPath) + " holds " +
        std::to_string(labels->size()) + " labels");
  MnistDigits digits;
  digits.count = images->count;
  digits.side = images->rows;
  digits.pixels = std::move(images->pixels);
  digits.labels = std::move(*labels);
  GOE_RETURN_IF_ERROR(validateMnistDigits(digits, inQuotes(labelsPath)));
  return digits;
}

StatusOr<MnistDigits> loadMnistDirectory(const std::string &dir) {
  if (Status status = checkDataDirectory(dir, "MNIST directory"); !status.ok())
    return status.code() == runtime::StatusCode::NotFound
               ? runtime::notFound(status.message() +
                                   " (run scripts/fetch-mnist.sh " + dir +
                                   " to fetch MNIST)")
               : status;
  auto train = loadMnistDigits(joinPath(dir, kMnistTrainImages),
                               joinPath(dir, kMnistTrainLabels));
  if (!train.ok())
    return train.status().code() == runtime::StatusCode::NotFound
               ? runtime::notFound(train.status().message() +
                                   " (run scripts/fetch-mnist.sh " + dir +
                                   " to fetch MNIST)")
               : train.status();
  std::string testImages = joinPath(dir, kMnistTestImages);
  std::string testLabels = joinPath(dir, kMnistTestLabels);
  bool hasImages = fileExists(testImages), hasLabels = fileExists(testLabels);
  if (!hasImages && !hasLabels)
    return train;
  if (hasImages != hasLabels)
    return runtime::invalidArgument(
        inQuotes(hasImages ? testImages : testLabels) + " exists but " +
        inQuotes(hasImages ? testLabels : testImages) + " does not");
  auto test = loadMnistDigits(testImages, testLabels);
  if (!test.ok())
    return test.status();
  if (test->count > 0 && test->side != train->side)
    return runtime::invalidArgument(inQuotes(testImages) +
                                    " holds images of side " +
                                    std::to_string(test->side) + " but " +
                                    inQuotes(joinPath(dir, kMnistTrainImages)) +
                                    " of side " + std::to_string(train->side));
  MnistDigits all = std::move(*train);
  all.count += test->count;
  all.pixels.insert(all.pixels.end(), test->pixels.begin(), test->pixels.end());
  all.labels.insert(all.labels.end(), test->labels.begin(), test->labels.end());
  return all;
}

SplitSizes rotatedMnistSplitSizes(int64_t count, bool seedSizes) {
  if (seedSizes)
    return {kSeedTrainDigits, kSeedValDigits, kSeedTestDigits};
  SplitSizes sizes;
  sizes.train = count * 7 / 10;
  sizes.val = count * 2 / 10;
  sizes.test = count - sizes.train - sizes.val;
  return sizes;
}

StatusOr<RotatedMnist> buildRotatedMnist(const MnistDigits &digits,
                                         const RotatedMnistOptions &options) {
  GOE_RETURN_IF_ERROR(validateMnistDigits(digits, "rotated MNIST"));
  SplitSizes parts = rotatedMnistSplitSizes(digits.count, false);
  if (parts.train == 0 || parts.val == 0 || parts.test == 0)
    return runtime::invalidArgument(
        "rotated MNIST: " + std::to_string(digits.count) +
        " digits are too few for a 70/20/10 split with no empty part");
  SplitSizes sizes = rotatedMnistSplitSizes(digits.count, options.seedSizes);
  if (sizes.train > parts.train || sizes.val > parts.val ||
      sizes.test > parts.test)
    return runtime::invalidArgument(
        "rotated MNIST: the seed sizes (" + std::to_string(sizes.train) +
        " / " + std::to_string(sizes.val) + " / " + std::to_string(sizes.test) +
        " digits) do not fit in the 70/20/10 "
        "split of " +
        std::to_string(digits.count) + " digits (" +
        std::to_string(parts.train) + " / " + std::to_string(parts.val) +
        " / " + std::to_string(parts.test) + ")");

  std::vector<int64_t> perm = seededPermutation(digits.count, options.seed);
  auto slice = [&](int64_t begin, int64_t n) {
    return std::vector<int64_t>(perm.begin() + begin, perm.begin() + begin + n);
  };
  RotatedMnist data;
  GOE_RETURN_IF_ERROR(buildSplit(digits, slice(0, sizes.train), data.train));
  GOE_RETURN_IF_ERROR(
      buildSplit(digits, slice(parts.train, sizes.val), data.val));
  GOE_RETURN_IF_ERROR(buildSplit(
      digits, slice(parts.train + parts.val, sizes.test), data.test));
  return data;
}

} // namespace goe::data
