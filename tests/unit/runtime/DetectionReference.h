//===- DetectionReference.h - the straightforward NMS and WBF --*- C++ -*-===//
//
// The runtime's NMS and WBF as they were before they were made fast
// (sort everything, rescan every member on each join): kept as the
// reference the fast code in runtime/lib must match bit for bit on finite
// input (DetectionTest.cpp), and as the "before" of the NMS/WBF benchmark
// (tests/bench/DetectionBench.cpp). Only for finite input: a NaN score
// breaks its sorts.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TESTS_UNIT_RUNTIME_DETECTIONREFERENCE_H
#define GOE_TESTS_UNIT_RUNTIME_DETECTIONREFERENCE_H

#include "goe/Runtime/Detection.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace goe::runtime::reference {

inline double referenceIou(const Box &a, const Box &b) {
  double ix = std::max(0.0, std::min(a.x2, b.x2) - std::max(a.x1, b.x1));
  double iy = std::max(0.0, std::min(a.y2, b.y2) - std::max(a.y1, b.y1));
  double inter = ix * iy;
  double areaA = (a.x2 - a.x1) * (a.y2 - a.y1);
  double areaB = (b.x2 - b.x1) * (b.y2 - b.y1);
  double denom = areaA + areaB - inter;
  return denom > 0 ? inter / denom : 0.0;
}

inline std::vector<Box> referenceNms(const float *rows, int64_t count,
                                     int64_t width, const NmsOptions &options) {
  std::vector<Box> candidates;
  int64_t numClasses = width - 5;
  for (int64_t r = 0; r < count; ++r) {
    const float *row = rows + r * width;
    double objectness = row[4];
    for (int64_t c = 0; c < numClasses; ++c) {
      double score = double(row[5 + c]) * objectness;
      if (!(score >= options.confThreshold)) // also drops NaN
        continue;
      double cx = row[0], cy = row[1], w = row[2], h = row[3];
      candidates.push_back(
          Box{cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, score, c});
    }
  }
  // Highest first; among equal scores the earlier candidate first.
  std::stable_sort(
      candidates.begin(), candidates.end(),
      [](const Box &a, const Box &b) { return a.score > b.score; });
  if (options.maxCandidates >= 0 &&
      static_cast<int64_t>(candidates.size()) > options.maxCandidates)
    candidates.resize(static_cast<size_t>(options.maxCandidates));

  // Greedy per class: a candidate survives unless a kept box of its class
  // overlaps it by more than the threshold.
  std::map<int64_t, std::vector<size_t>> keptByClass;
  std::vector<Box> kept;
  for (const Box &box : candidates) {
    if (options.maxDetections >= 0 &&
        static_cast<int64_t>(kept.size()) >= options.maxDetections)
      break; // everything later scores lower
    std::vector<size_t> &same = keptByClass[box.label];
    bool suppressed = false;
    for (size_t index : same) {
      if (referenceIou(kept[index], box) > options.iouThreshold) {
        suppressed = true;
        break;
      }
    }
    if (suppressed)
      continue;
    same.push_back(kept.size());
    kept.push_back(box);
  }
  return kept;
}

namespace detail {

/// A box entering fusion, as the reference's rows: weighted score, model
/// weight, model index, coordinates.
struct Entry {
  Box box; // box.score is score x model weight
  double weight = 0;
  size_t model = 0;
};

struct Cluster {
  std::vector<Entry> members;
  Box fused;
  double weightSum = 0; // sum of the members' model weights
};

/// Sorts descending by score with the reference's tie order (later first).
template <typename T, typename Score>
void sortDescendingLikeReference(std::vector<T> &items, Score score) {
  std::stable_sort(items.begin(), items.end(),
                   [&](const T &a, const T &b) { return score(a) < score(b); });
  std::reverse(items.begin(), items.end());
}

inline void refuse(Cluster &cluster, WbfConfType confType) {
  double scoreSum = 0, scoreMax = 0, x1 = 0, y1 = 0, x2 = 0, y2 = 0, w = 0;
  for (const Entry &e : cluster.members) {
    double s = e.box.score;
    x1 += s * e.box.x1;
    y1 += s * e.box.y1;
    x2 += s * e.box.x2;
    y2 += s * e.box.y2;
    scoreSum += s;
    scoreMax = std::max(scoreMax, s);
    w += e.weight;
  }
  Box &f = cluster.fused;
  if (scoreSum > 0) {
    f.x1 = x1 / scoreSum;
    f.y1 = y1 / scoreSum;
    f.x2 = x2 / scoreSum;
    f.y2 = y2 / scoreSum;
  }
  f.score = confType == WbfConfType::Max
                ? scoreMax
                : scoreSum / static_cast<double>(cluster.members.size());
  cluster.weightSum = w;
}

inline double safeDiv(double a, double b) { return b != 0 ? a / b : 0.0; }

} // namespace detail

inline std::vector<Box>
referenceWbf(const std::vector<std::vector<Box>> &models,
             const std::vector<double> &weights, const WbfOptions &options) {
  // 1. Filter and clean, grouped by label in order of first appearance.
  std::vector<int64_t> labelOrder;
  std::map<int64_t, std::vector<detail::Entry>> byLabel;
  for (size_t m = 0; m < models.size() && m < weights.size(); ++m) {
    for (const Box &in : models[m]) {
      if (in.score < options.skipBoxThreshold)
        continue;
      Box b = in;
      if (b.x2 < b.x1)
        std::swap(b.x1, b.x2);
      if (b.y2 < b.y1)
        std::swap(b.y1, b.y2);
      b.x1 = std::clamp(b.x1, 0.0, 1.0);
      b.y1 = std::clamp(b.y1, 0.0, 1.0);
      b.x2 = std::clamp(b.x2, 0.0, 1.0);
      b.y2 = std::clamp(b.y2, 0.0, 1.0);
      if ((b.x2 - b.x1) * (b.y2 - b.y1) == 0.0)
        continue;
      b.score = in.score * weights[m];
      auto [it, inserted] = byLabel.try_emplace(b.label);
      if (inserted)
        labelOrder.push_back(b.label);
      it->second.push_back(detail::Entry{b, weights[m], m});
    }
  }

  double totalWeight = std::accumulate(weights.begin(), weights.end(), 0.0);
  double maxWeight =
      weights.empty() ? 0.0 : *std::max_element(weights.begin(), weights.end());
  double numModels = static_cast<double>(weights.size());

  std::vector<Box> fused;
  for (int64_t label : labelOrder) {
    std::vector<detail::Entry> &entries = byLabel[label];
    detail::sortDescendingLikeReference(
        entries, [](const detail::Entry &e) { return e.box.score; });

    // 2. Cluster: join the best-overlapping cluster if IoU > threshold.
    std::vector<detail::Cluster> clusters;
    for (const detail::Entry &entry : entries) {
      int best = -1;
      double bestIou = options.iouThreshold;
      for (size_t i = 0; i < clusters.size(); ++i) {
        double iou = referenceIou(clusters[i].fused, entry.box);
        if (iou > bestIou) {
          bestIou = iou;
          best = static_cast<int>(i);
        }
      }
      if (best >= 0) {
        clusters[best].members.push_back(entry);
        detail::refuse(clusters[best], options.confType);
      } else {
        detail::Cluster cluster;
        cluster.members.push_back(entry);
        cluster.fused = entry.box;
        cluster.weightSum = entry.weight;
        clusters.push_back(std::move(cluster));
      }
    }

    // 3. Rescale the fused scores.
    for (detail::Cluster &cluster : clusters) {
      double n = static_cast<double>(cluster.members.size());
      double &score = cluster.fused.score;
      switch (options.confType) {
      case WbfConfType::Avg:
        score = detail::safeDiv(
            score * (options.allowOverflow ? n : std::min(numModels, n)),
            totalWeight);
        break;
      case WbfConfType::Max:
        score = detail::safeDiv(score, maxWeight);
        break;
      case WbfConfType::BoxAndModelAvg: {
        score = detail::safeDiv(score * n, cluster.weightSum);
        std::map<size_t, double> distinct;
        for (const detail::Entry &e : cluster.members)
          distinct.try_emplace(e.model, e.weight);
        double present = 0;
        for (const auto &kv : distinct)
          present += kv.second;
        score = detail::safeDiv(score * present, totalWeight);
        break;
      }
      case WbfConfType::AbsentModelAwareAvg: {
        std::vector<bool> seen(weights.size(), false);
        for (const detail::Entry &e : cluster.members)
          seen[e.model] = true;
        double absent = 0;
        for (size_t m = 0; m < weights.size(); ++m)
          if (!seen[m])
            absent += weights[m];
        score = detail::safeDiv(score * n, cluster.weightSum + absent);
        break;
      }
      }
      fused.push_back(cluster.fused);
    }
  }

  // 4. All labels together, best first.
  detail::sortDescendingLikeReference(fused,
                                      [](const Box &b) { return b.score; });
  return fused;
}

} // namespace goe::runtime::reference

#endif // GOE_TESTS_UNIT_RUNTIME_DETECTIONREFERENCE_H
