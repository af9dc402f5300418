//===- RotatedMnist.h - the Graph of Experts' rotated MNIST -----*- C++ -*-===//
//
// Rotated MNIST as the Graph-of-Experts work builds it: every digit in four
// groups, rotated by 0, 90, 180 and 270 degrees, the 0-degree copy
// colour-inverted. The group label is the rotation index:
//   0: 0 degrees, inverted (255 - pixel, i.e. 1 - x: "max - image" with the
//      maximum of the pixel range)
//   1: 90 degrees, 2: 180 degrees, 3: 270 degrees
// Rotations are counter-clockwise, exactly in 90-degree steps (index
// arithmetic, no interpolation): the same as torchvision's rotate with a
// positive angle on a square image, numpy.rot90(img, k) and
// torch.rot90(img, k, dims=(-2, -1)).
//
// The split is made on digits, before rotating, so no digit appears in two
// splits under any rotation: the N source digits are permuted with a seeded
// Fisher-Yates shuffle (std::mt19937_64, whose output the standard fixes;
// not std::shuffle, whose results differ between standard libraries), and
// the permutation is cut 70/20/10 (train = first floor(0.7 N), val = next
// floor(0.2 N), test = the rest). With `seedSizes` each split keeps only the
// first 2,100 / 600 / 300 digits of its part (8,400 / 2,400 / 1,200 images),
// the sizes the reference implementation uses; they are subsets of the full
// splits for the same seed.
//
// Order inside a split: digit by digit in permutation order, each digit's
// four groups consecutive (0, 1, 2, 3), so every prefix of 4k images is
// balanced across groups. Training shuffles per epoch on its own.
//
// Thread safety: the functions are reentrant.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_DATA_ROTATEDMNIST_H
#define GOE_DATA_ROTATEDMNIST_H

#include "goe/Data/Idx.h"

#include <cstdint>
#include <string>
#include <vector>

namespace goe::data {

/// Source digits: `count` square uint8 images of `side` x `side` and their
/// class labels (0..9).
struct MnistDigits {
  int64_t count = 0;
  int64_t side = 0;
  std::vector<uint8_t> pixels; // [count, side, side]
  std::vector<uint8_t> labels; // [count]
};

/// Checks that `digits` is consistent: square images, matching counts,
/// labels in 0..9. InvalidArgument otherwise; `name` prefixes the message.
Status validateMnistDigits(const MnistDigits &digits, const std::string &name);

/// Loads an images file and a labels file (IDX). The images must be square
/// and as many as the labels, and every label a digit 0..9.
StatusOr<MnistDigits> loadMnistDigits(const std::string &imagesPath,
                                      const std::string &labelsPath);

/// Loads `dir`/train-images-idx3-ubyte and `dir`/train-labels-idx1-ubyte
/// (what scripts/fetch-mnist.sh writes: 10,000 digits). If
/// `dir`/t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte exist too (the
/// full MNIST set), their digits are appended: goe makes its own split.
StatusOr<MnistDigits> loadMnistDirectory(const std::string &dir);

/// Image files of a directory loaded by loadMnistDirectory.
constexpr const char *kMnistTrainImages = "train-images-idx3-ubyte";
constexpr const char *kMnistTrainLabels = "train-labels-idx1-ubyte";
constexpr const char *kMnistTestImages = "t10k-images-idx3-ubyte";
constexpr const char *kMnistTestLabels = "t10k-labels-idx1-ubyte";

/// Number of groups (rotations) and the reference implementation's split
/// sizes in digits (each digit gives kRotatedMnistGroups images).
constexpr int64_t kRotatedMnistGroups = 4;
constexpr int64_t kSeedTrainDigits = 2100;
constexpr int64_t kSeedValDigits = 600;
constexpr int64_t kSeedTestDigits = 300;

struct RotatedMnistOptions {
  /// Seed of the digit permutation.
  uint64_t seed = 0;
  /// Use the reference implementation's sizes (2,100 / 600 / 300 digits)
  /// instead of all digits.
  bool seedSizes = false;
};

/// One split: `size` images, float32 NCHW [size, 1, side, side] in [0, 1],
/// with their group (rotation index) and class labels.
struct RotatedMnistSplit {
  int64_t size = 0;
  int64_t side = 0;
  std::vector<float> images;         // [size, 1, side, side]
  std::vector<int64_t> groups;       // [size], 0..3
  std::vector<int64_t> classes;      // [size], 0..9
  std::vector<int64_t> digitIndices; // [size], the source digit's index
};

struct RotatedMnist {
  RotatedMnistSplit train, val, test;
};

/// Builds the three splits from `digits`. InvalidArgument if `digits` is
/// inconsistent, or too small for the seed sizes (3,000 digits: 2,100 /
/// 600 / 300 must fit in the 70/20/10 parts) or for three non-empty splits.
/// Deterministic: the same digits and options give the same bytes on every
/// platform.
StatusOr<RotatedMnist> buildRotatedMnist(const MnistDigits &digits,
                                         const RotatedMnistOptions &options);

/// The digit counts of the three splits for `count` digits (full sizes, or
/// the seed sizes when `seedSizes`), without checking that they fit.
struct SplitSizes {
  int64_t train = 0, val = 0, test = 0;
};
SplitSizes rotatedMnistSplitSizes(int64_t count, bool seedSizes);

/// A permutation of 0..n-1 from a Fisher-Yates shuffle driven by
/// std::mt19937_64(seed), with unbiased bounded draws by rejection; the
/// same on every platform.
std::vector<int64_t> seededPermutation(int64_t n, uint64_t seed);

/// Rotates a square `side` x `side` image (row-major) by `quarterTurns` x 90
/// degrees counter-clockwise (any integer; taken modulo 4) into `out`,
/// which must not alias `in`: out[r][c] = in[c][side-1-r] for one turn.
void rotateQuarterTurns(const uint8_t *in, uint8_t *out, int64_t side,
                        int quarterTurns);

/// The image of group `group` (0..3) for one digit, as uint8: group 0 is
/// the inverted image (255 - p), groups 1..3 the image rotated by 90, 180,
/// 270 degrees counter-clockwise.
void rotatedMnistGroupImage(const uint8_t *digit, uint8_t *out, int64_t side,
                            int group);

} // namespace goe::data

#endif // GOE_DATA_ROTATEDMNIST_H
