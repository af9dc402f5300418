//===- BoxFusion.cpp - Weighted Boxes Fusion ------------------------------===//
//
// Semantics: Detection.h. Tie orders follow the reference where it is
// observable: the reference sorts with argsort()[::-1], i.e. among equal
// scores the later box comes first; a stable ascending sort reversed
// reproduces that exactly.
//
// Speed: a cluster keeps running sums of its members, added in member
// order, so joining it costs O(1) and gives the same bits as summing all
// members again; the fused boxes of a label's clusters are held as columns
// (BoxIou.h), so a box's IoU against all of them is one vectorised loop.
//
// Bad input: boxes with a NaN coordinate (they have no area) or a
// non-finite weighted score are dropped, and the sorts treat NaN as the
// lowest score, so non-finite model weights give NaN scores, never a crash.
//
//===----------------------------------------------------------------------===//

#include "goe/Runtime/Detection.h"

#include "BoxIou.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

namespace goe::runtime {
namespace {

/// A box entering fusion, as the reference's rows: weighted score, model
/// weight, model index, coordinates.
struct Entry {
  Box box; // box.score is score x model weight
  double weight = 0;
  size_t model = 0;
};

/// Sums over the members in the order they joined (the reference's
/// refusion sums them in that order from zero each time).
struct Cluster {
  Box fused;
  double count = 0;
  double scoreSum = 0, scoreMax = 0, x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  double weightSum = 0;       // sum of the members' model weights
  std::vector<size_t> models; // each member's model index
};

/// Strict weak order on scores with NaN below every number.
bool scoreBelow(double a, double b) {
  return a < b || (std::isnan(a) && !std::isnan(b));
}

/// Sorts descending by score with the reference's tie order (later first).
template <typename T, typename Score>
void sortDescendingLikeReference(std::vector<T> &items, Score score) {
  std::stable_sort(items.begin(), items.end(), [&](const T &a, const T &b) {
    return scoreBelow(score(a), score(b));
  });
  std::reverse(items.begin(), items.end());
}

void add(Cluster &cluster, const Entry &e) {
  double s = e.box.score;
  cluster.x1 += s * e.box.x1;
  cluster.y1 += s * e.box.y1;
  cluster.x2 += s * e.box.x2;
  cluster.y2 += s * e.box.y2;
  cluster.scoreSum += s;
  cluster.scoreMax = std::max(cluster.scoreMax, s);
  cluster.weightSum += e.weight;
  cluster.count += 1;
  cluster.models.push_back(e.model);
}

/// A new cluster's fused box is its first member as given.
Cluster startCluster(const Entry &e) {
  Cluster cluster;
  add(cluster, e);
  cluster.fused = e.box;
  cluster.weightSum = e.weight;
  return cluster;
}

/// The fused box after a member joined: score-weighted mean coordinates
/// (kept as they were when the scores sum to <= 0), mean or max score.
void join(Cluster &cluster, const Entry &e, WbfConfType confType) {
  add(cluster, e);
  Box &f = cluster.fused;
  if (cluster.scoreSum > 0) {
    f.x1 = cluster.x1 / cluster.scoreSum;
    f.y1 = cluster.y1 / cluster.scoreSum;
    f.x2 = cluster.x2 / cluster.scoreSum;
    f.y2 = cluster.y2 / cluster.scoreSum;
  }
  f.score = confType == WbfConfType::Max ? cluster.scoreMax
                                         : cluster.scoreSum / cluster.count;
}

double safeDiv(double a, double b) { return b != 0 ? a / b : 0.0; }

/// Filters and cleans the boxes, grouped by label in order of first
/// appearance.
std::vector<std::vector<Entry>>
groupByLabel(const std::vector<std::vector<Box>> &models,
             const std::vector<double> &weights, double skipBoxThreshold) {
  std::vector<std::vector<Entry>> groups;
  std::unordered_map<int64_t, size_t> groupOf;
  for (size_t m = 0; m < models.size() && m < weights.size(); ++m) {
    for (const Box &in : models[m]) {
      if (in.score < skipBoxThreshold)
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
      if (!(detail::boxArea(b.x1, b.y1, b.x2, b.y2) > 0)) // empty or NaN
        continue;
      b.score = in.score * weights[m];
      if (!std::isfinite(b.score))
        continue;
      auto [it, inserted] = groupOf.try_emplace(b.label, groups.size());
      if (inserted)
        groups.emplace_back();
      groups[it->second].push_back(Entry{b, weights[m], m});
    }
  }
  return groups;
}

/// Clusters one label's entries (sorted best first): each joins the cluster
/// whose fused box overlaps it most, the first such if several tie, when
/// that IoU is > the threshold; otherwise it starts a cluster.
std::vector<Cluster> clusterLabel(const std::vector<Entry> &entries,
                                  const WbfOptions &options) {
  std::vector<Cluster> clusters;
  detail::BoxColumns fused; // clusters[i].fused, as columns
  std::vector<double> iou;
  for (const Entry &entry : entries) {
    const Box &b = entry.box;
    iou.resize(fused.size());
    fused.iouWith(0, fused.size(), b.x1, b.y1, b.x2, b.y2, iou.data());
    size_t best = iou.size(); // none
    double bestIou = options.iouThreshold;
    for (size_t i = 0; i < iou.size(); ++i) {
      if (iou[i] > bestIou) {
        bestIou = iou[i];
        best = i;
      }
    }
    if (best < iou.size()) {
      Cluster &c = clusters[best];
      join(c, entry, options.confType);
      fused.set(best, c.fused.x1, c.fused.y1, c.fused.x2, c.fused.y2);
    } else {
      clusters.push_back(startCluster(entry));
      fused.push(b.x1, b.y1, b.x2, b.y2);
    }
  }
  return clusters;
}

} // namespace

std::vector<Box>
weightedBoxesFusion(const std::vector<std::vector<Box>> &models,
                    const std::vector<double> &weights,
                    const WbfOptions &options) {
  std::vector<std::vector<Entry>> groups =
      groupByLabel(models, weights, options.skipBoxThreshold);

  double totalWeight = std::accumulate(weights.begin(), weights.end(), 0.0);
  double maxWeight =
      weights.empty() ? 0.0 : *std::max_element(weights.begin(), weights.end());
  double numModels = static_cast<double>(weights.size());

  std::vector<Box> fused;
  std::vector<char> seen(weights.size());
  for (std::vector<Entry> &entries : groups) {
    sortDescendingLikeReference(entries,
                                [](const Entry &e) { return e.box.score; });
    // Rescale the fused scores.
    for (Cluster &cluster : clusterLabel(entries, options)) {
      double n = cluster.count;
      double &score = cluster.fused.score;
      std::fill(seen.begin(), seen.end(), 0);
      for (size_t m : cluster.models)
        seen[m] = 1;
      switch (options.confType) {
      case WbfConfType::Avg:
        score = safeDiv(
            score * (options.allowOverflow ? n : std::min(numModels, n)),
            totalWeight);
        break;
      case WbfConfType::Max:
        score = safeDiv(score, maxWeight);
        break;
      case WbfConfType::BoxAndModelAvg: {
        score = safeDiv(score * n, cluster.weightSum);
        double present = 0; // over distinct models, in model order
        for (size_t m = 0; m < weights.size(); ++m)
          if (seen[m])
            present += weights[m];
        score = safeDiv(score * present, totalWeight);
        break;
      }
      case WbfConfType::AbsentModelAwareAvg: {
        double absent = 0;
        for (size_t m = 0; m < weights.size(); ++m)
          if (!seen[m])
            absent += weights[m];
        score = safeDiv(score * n, cluster.weightSum + absent);
        break;
      }
      }
      fused.push_back(cluster.fused);
    }
  }

  // All labels together, best first.
  sortDescendingLikeReference(fused, [](const Box &b) { return b.score; });
  return fused;
}

} // namespace goe::runtime
