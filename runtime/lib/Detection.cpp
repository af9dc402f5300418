//===- Detection.cpp - boxIou and NMS -------------------------------------===//
//
// NMS on an untrained YOLO head sees every (anchor, class) pair above the
// 0.001 threshold: 6300 anchors x 80 classes is half a million candidates
// per expert, of which only the best max_nms may enter and usually only a
// few hundred are looked at before max_det boxes are kept. So nothing sorts
// them all: a first pass counts the candidates per score bucket (a
// histogram), a second gathers only those in the best buckets, enough for
// a few times max_det, and only these are sorted. When they run out before
// max_det boxes are kept, the rest is gathered and taken in rounds of
// growing size, each selected with nth_element and then sorted.
// Candidates are ordered by (score descending, candidate index ascending),
// a total order, and the buckets are monotone in the score, so NMS sees
// exactly the sequence that the stable sort of the straightforward version
// produced.
//
// Suppression compares a candidate with the kept boxes of its class only,
// held as columns (BoxIou.h) and scanned in blocks: the IoU loop has no
// branches and vectorises; the block boundary is where it stops early.
//
// WBF is in BoxFusion.cpp.
//
//===----------------------------------------------------------------------===//

#include "goe/Runtime/Detection.h"

#include "BoxIou.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace goe::runtime {

using detail::BoxColumns;

double boxIou(const Box &a, const Box &b) {
  return detail::iouOf(a.x1, a.y1, a.x2, a.y2,
                       detail::boxArea(a.x1, a.y1, a.x2, a.y2), b.x1, b.y1,
                       b.x2, b.y2, detail::boxArea(b.x1, b.y1, b.x2, b.y2));
}

namespace {

/// A (row, class) pair that passed the threshold; index = row x classes +
/// class, the order in which the rows list them.
struct Candidate {
  double score;
  int64_t index;
};

/// Best first: the highest score, among equal scores the earliest.
struct Better {
  bool operator()(const Candidate &a, const Candidate &b) const {
    return a.score > b.score || (a.score == b.score && a.index < b.index);
  }
};

// The two tests below run on every row and every kept box, so they are
// written with SSE2 (any x86-64) where there is one: GCC 12 vectorises
// neither an integer count of floating-point tests nor, reliably, a set of
// separate sums. NaN passes neither test, as in the scalar fallback.

/// Whether some values[i], i < n, lies in [low, high].
bool anyWithin(const double *values, size_t n, double low, double high) {
  size_t i = 0;
  bool any = false;
#ifdef __SSE2__
  __m128d lows = _mm_set1_pd(low), highs = _mm_set1_pd(high);
  __m128d hits = _mm_setzero_pd();
  for (; i + 2 <= n; i += 2) {
    __m128d v = _mm_loadu_pd(values + i);
    hits = _mm_or_pd(hits,
                     _mm_and_pd(_mm_cmpge_pd(v, lows), _mm_cmple_pd(v, highs)));
  }
  any = _mm_movemask_pd(hits) != 0;
#endif
  for (; i < n; ++i)
    any |= values[i] >= low && values[i] <= high;
  return any;
}

/// Whether some values[i], i < n, is > threshold.
bool anyAbove(const double *values, size_t n, double threshold) {
  size_t i = 0;
  bool any = false;
#ifdef __SSE2__
  __m128d thresholds = _mm_set1_pd(threshold);
  __m128d hits = _mm_setzero_pd();
  for (; i + 2 <= n; i += 2)
    hits = _mm_or_pd(hits, _mm_cmpgt_pd(_mm_loadu_pd(values + i), thresholds));
  any = _mm_movemask_pd(hits) != 0;
#endif
  for (; i < n; ++i)
    any |= values[i] > threshold;
  return any;
}

/// Calls visit(index, score) for every (row, class) whose score passes the
/// threshold and is finite, from rows whose box is finite, in index order
/// (the blocks' rows taken as one list). Non-finite values are dropped here
/// so that the order stays a strict weak order. live[r] says whether row r
/// may hold a candidate: rows found to hold none are cleared, cleared rows
/// skipped, so later passes over a trained model's head, where most rows
/// hold none, cost little.
template <typename Visit>
void forEachCandidate(const std::vector<NmsRows> &blocks, int64_t width,
                      double threshold, std::vector<uint8_t> &live,
                      Visit visit) {
  constexpr double kMaxScore = std::numeric_limits<double>::max();
  int64_t numClasses = width - 5;
  std::vector<double> scores(static_cast<size_t>(numClasses));
  int64_t r = -1; // row index over all blocks
  for (const NmsRows &block : blocks) {
    for (const float *row = block.rows, *end = row + block.count * width;
         row != end; row += width) {
      ++r;
      if (!live[static_cast<size_t>(r)])
        continue;
      live[static_cast<size_t>(r)] = 0;
      if (!std::isfinite(row[0]) || !std::isfinite(row[1]) ||
          !std::isfinite(row[2]) || !std::isfinite(row[3]))
        continue;
      double objectness = row[4];
      // The tests are written so that NaN fails them.
      for (int64_t c = 0; c < numClasses; ++c) // vectorises
        scores[c] = double(row[5 + c]) * objectness;
      if (!anyWithin(scores.data(), scores.size(), threshold, kMaxScore))
        continue;
      live[static_cast<size_t>(r)] = 1;
      for (int64_t c = 0; c < numClasses; ++c)
        if (scores[c] >= threshold && scores[c] <= kMaxScore)
          visit(r * numClasses + c, scores[c]);
    }
  }
}

/// A score's bucket: its float's top 16 bits, flipped so that they order
/// as the value does. Rounding to float is monotone, so a higher score
/// never lands in a lower bucket; + 0.0 folds -0 into +0, which compare
/// equal as scores.
constexpr uint32_t kBuckets = 1u << 16;
uint32_t bucketOf(double score) {
  float value = static_cast<float>(score + 0.0);
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  bits = (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
  return bits >> 16;
}

/// Whether a kept box of the class overlaps the candidate by more than the
/// threshold. Blocks of IoUs are computed without branches; the scan stops
/// after the first block with an overlap.
bool suppressed(const BoxColumns &kept, const Box &box, double threshold) {
  constexpr size_t kBlock = 32;
  double iou[kBlock];
  for (size_t begin = 0; begin < kept.size(); begin += kBlock) {
    size_t end = std::min(kept.size(), begin + kBlock);
    kept.iouWith(begin, end, box.x1, box.y1, box.x2, box.y2, iou);
    if (anyAbove(iou, end - begin, threshold))
      return true;
  }
  return false;
}

/// Greedy suppression over candidates fed in the global order.
class Suppressor {
public:
  Suppressor(const std::vector<NmsRows> &blocks, int64_t width,
             const NmsOptions &options, size_t looked)
      : blocks(blocks), width(width), numClasses(width - 5), options(options),
        left(looked), keptByClass(static_cast<size_t>(numClasses)) {
    maxKept = options.maxDetections >= 0
                  ? static_cast<size_t>(options.maxDetections)
                  : looked;
  }

  bool done() const { return left == 0 || kept.size() >= maxKept; }

  /// Takes `candidates` (the next ones in the global order, in any order)
  /// best first, in rounds of growing size from `round`, until done().
  void take(std::vector<Candidate> &candidates, size_t round) {
    auto first = candidates.begin();
    for (size_t next = 0; next < candidates.size() && !done(); round *= 2) {
      size_t end = std::min(candidates.size(), next + std::min(round, left));
      if (end < candidates.size())
        std::nth_element(first + next, first + end, candidates.end(), Better());
      std::sort(first + next, first + end, Better());
      for (; next < end && !done(); ++next)
        consider(candidates[next]);
    }
  }

  std::vector<Box> kept;

private:
  /// A candidate survives unless a kept box of its class overlaps it by
  /// more than the threshold.
  void consider(const Candidate &candidate) {
    --left;
    int64_t label = candidate.index % numClasses;
    const float *row = rowAt(candidate.index / numClasses);
    double cx = row[0], cy = row[1], w = row[2], h = row[3];
    double score = candidate.score;
    Box box{cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, score, label};
    BoxColumns &same = keptByClass[static_cast<size_t>(label)];
    if (suppressed(same, box, options.iouThreshold))
      return;
    same.push(box.x1, box.y1, box.x2, box.y2);
    kept.push_back(box);
  }

  /// Row r of the blocks taken as one list.
  const float *rowAt(int64_t r) const {
    for (const NmsRows &block : blocks) {
      if (r < block.count)
        return block.rows + r * width;
      r -= block.count;
    }
    return nullptr; // not reached: r comes from forEachCandidate
  }

  const std::vector<NmsRows> &blocks;
  int64_t width, numClasses;
  const NmsOptions &options;
  size_t left; // candidates that may still be looked at (max_nms)
  size_t maxKept;
  std::vector<BoxColumns> keptByClass;
};

} // namespace

std::vector<Box> nonMaxSuppression(const float *rows, int64_t count,
                                   int64_t width, const NmsOptions &options) {
  return nonMaxSuppression(std::vector<NmsRows>{NmsRows{rows, count}}, width,
                           options);
}

std::vector<Box> nonMaxSuppression(const std::vector<NmsRows> &given,
                                   int64_t width, const NmsOptions &options) {
  if (width <= 5)
    return {};
  std::vector<NmsRows> blocks;
  for (const NmsRows &block : given)
    if (block.rows != nullptr && block.count > 0)
      blocks.push_back(block);
  double threshold = options.confThreshold;
  int64_t numRows = 0;
  for (const NmsRows &block : blocks)
    numRows += block.count;
  std::vector<uint8_t> live(static_cast<size_t>(numRows), 1);

  // Pass 1: how many candidates per score bucket.
  std::vector<size_t> histogram(kBuckets);
  forEachCandidate(blocks, width, threshold, live, [&](int64_t, double score) {
    ++histogram[bucketOf(score)];
  });
  size_t total = std::accumulate(histogram.begin(), histogram.end(), size_t(0));
  size_t looked = total;
  if (options.maxCandidates >= 0)
    looked = std::min(looked, static_cast<size_t>(options.maxCandidates));
  Suppressor nms(blocks, width, options, looked);
  if (nms.done())
    return {};
  size_t maxKept = options.maxDetections >= 0
                       ? static_cast<size_t>(options.maxDetections)
                       : looked;
  size_t first = std::max<size_t>(1024, 4 * std::min(maxKept, looked));

  // Pass 2: the best buckets, holding at least `first` candidates.
  uint32_t lowest = kBuckets;
  size_t inBest = 0;
  while (lowest > 0 && inBest < first)
    inBest += histogram[--lowest];
  std::vector<Candidate> candidates;
  candidates.reserve(inBest);
  forEachCandidate(blocks, width, threshold, live,
                   [&](int64_t index, double score) {
                     if (bucketOf(score) >= lowest)
                       candidates.push_back(Candidate{score, index});
                   });
  nms.take(candidates, first);

  // Pass 3, rarely needed: all the others.
  if (!nms.done() && lowest > 0) {
    candidates.clear();
    forEachCandidate(blocks, width, threshold, live,
                     [&](int64_t index, double score) {
                       if (bucketOf(score) < lowest)
                         candidates.push_back(Candidate{score, index});
                     });
    nms.take(candidates, first);
  }
  return std::move(nms.kept);
}

} // namespace goe::runtime
