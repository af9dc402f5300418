//===- CocoEval.cpp - COCOeval's matching and accumulation ----------------===//
//
// Follows pycocotools' evaluateImg / accumulate / summarize step by step
// (the header lists the rules); the loops keep its order wherever order
// decides ties: images by increasing id, detections of an image in file
// order before the stable sort by score.
//
//===----------------------------------------------------------------------===//

#include "goe/Data/CocoEval.h"

#include <algorithm>
#include <map>
#include <optional>
#include <numeric>

namespace goe::data {
namespace {

constexpr int kThresholds = 10, kRecalls = 101, kAreas = 4, kMaxDets = 3;
constexpr int kMaxDet[kMaxDets] = {1, 10, 100};
constexpr double kAreaLo[kAreas] = {0, 0, 32.0 * 32, 96.0 * 96};
constexpr double kAreaHi[kAreas] = {1e10, 32.0 * 32, 96.0 * 96, 1e10};

/// numpy.linspace(start, stop, num): start + i * step, the last exactly stop.
double linspace(double start, double stop, int num, int i) {
  return i == num - 1 ? stop : start + i * ((stop - start) / (num - 1));
}

/// One image and category at one area range: evaluateImg's result.
struct ImageEval {
  std::vector<double> scores;                          // per detection
  std::vector<std::array<bool, kThresholds>> matched;  // dtMatches != 0
  std::vector<std::array<bool, kThresholds>> ignored;  // dtIgnore
  int64_t relevantGroundTruth = 0;                     // not ignored
};

bool evaluateImage(std::vector<const CocoBox *> gts,
                   std::vector<const CocoBox *> dts, int area, ImageEval &out) {
  if (gts.empty() && dts.empty())
    return false;
  auto outside = [&](double a) { return a < kAreaLo[area] || a > kAreaHi[area]; };
  std::vector<bool> gtIgnore;
  for (const CocoBox *g : gts)
    gtIgnore.push_back(g->crowd || outside(g->area));
  // Non-ignored ground truths first, each group in file order.
  std::vector<size_t> gtOrder(gts.size());
  std::iota(gtOrder.begin(), gtOrder.end(), 0);
  std::stable_sort(gtOrder.begin(), gtOrder.end(), [&](size_t a, size_t b) {
    return gtIgnore[a] < gtIgnore[b];
  });
  std::vector<const CocoBox *> gt;
  std::vector<bool> ig;
  for (size_t i : gtOrder) {
    gt.push_back(gts[i]);
    ig.push_back(gtIgnore[i]);
  }
  std::stable_sort(dts.begin(), dts.end(), [](const CocoBox *a, const CocoBox *b) {
    return a->score > b->score;
  });
  if ((int)dts.size() > kMaxDet[kMaxDets - 1])
    dts.resize(kMaxDet[kMaxDets - 1]);

  size_t nd = dts.size(), ng = gt.size();
  out.scores.clear();
  out.matched.assign(nd, {});
  out.ignored.assign(nd, {});
  std::vector<std::vector<double>> ious(nd, std::vector<double>(ng));
  for (size_t d = 0; d < nd; ++d) {
    out.scores.push_back(dts[d]->score);
    for (size_t g = 0; g < ng; ++g)
      ious[d][g] = cocoIou(*dts[d], *gt[g]);
  }
  for (int t = 0; t < kThresholds; ++t) {
    double threshold = linspace(0.5, 0.95, kThresholds, t);
    std::vector<bool> gtTaken(ng, false);
    for (size_t d = 0; d < nd; ++d) {
      double best = std::min(threshold, 1 - 1e-10);
      long m = -1;
      for (size_t g = 0; g < ng; ++g) {
        if (gtTaken[g] && !gt[g]->crowd)
          continue;
        // Past the relevant ground truths, an ignored one never replaces a
        // relevant match.
        if (m > -1 && !ig[m] && ig[g])
          break;
        if (ious[d][g] < best)
          continue;
        best = ious[d][g];
        m = (long)g;
      }
      if (m == -1)
        continue;
      out.ignored[d][t] = ig[m];
      out.matched[d][t] = true;
      gtTaken[m] = true;
    }
    for (size_t d = 0; d < nd; ++d)
      if (!out.matched[d][t] && outside(dts[d]->w * dts[d]->h))
        out.ignored[d][t] = true;
  }
  out.relevantGroundTruth = std::count(ig.begin(), ig.end(), false);
  return true;
}

/// precision[t][r] and recall[t] for one category, area and maxDet; false
/// when the category has no relevant ground truth there.
bool accumulate(const std::vector<const ImageEval *> &images, int maxDet,
                double precision[kThresholds][kRecalls],
                double recall[kThresholds]) {
  std::vector<double> scores;
  std::vector<std::pair<const ImageEval *, size_t>> rows;
  int64_t relevant = 0;
  for (const ImageEval *e : images) {
    for (size_t d = 0; d < e->scores.size() && (int)d < maxDet; ++d) {
      scores.push_back(e->scores[d]);
      rows.push_back({e, d});
    }
    relevant += e->relevantGroundTruth;
  }
  if (relevant == 0)
    return false;
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  const double eps = 2.220446049250313e-16; // numpy.spacing(1)
  for (int t = 0; t < kThresholds; ++t) {
    std::vector<double> rc, pr;
    double tp = 0, fp = 0;
    for (size_t i : order) {
      auto [e, d] = rows[i];
      bool ignored = e->ignored[d][t], matched = e->matched[d][t];
      tp += matched && !ignored;
      fp += !matched && !ignored;
      rc.push_back(tp / double(relevant));
      pr.push_back(tp / (fp + tp + eps));
    }
    recall[t] = rc.empty() ? 0 : rc.back();
    for (size_t i = pr.size(); i-- > 1;)
      pr[i - 1] = std::max(pr[i - 1], pr[i]);
    for (int r = 0; r < kRecalls; ++r) {
      double point = linspace(0, 1, kRecalls, r);
      size_t at = std::lower_bound(rc.begin(), rc.end(), point) - rc.begin();
      precision[t][r] = at < pr.size() ? pr[at] : 0;
    }
  }
  return true;
}

} // namespace

double cocoIou(const CocoBox &d, const CocoBox &g) {
  double w = std::min(d.x + d.w, g.x + g.w) - std::max(d.x, g.x);
  double h = std::min(d.y + d.h, g.y + g.h) - std::max(d.y, g.y);
  if (w <= 0 || h <= 0)
    return 0;
  double inter = w * h;
  double uni = g.crowd ? d.w * d.h : d.w * d.h + g.w * g.h - inter;
  return inter / uni;
}

const char *const kCocoStatNames[12] = {"AP",   "AP50", "AP75",  "APs",
                                        "APm",  "APl",  "AR1",   "AR10",
                                        "AR100", "ARs", "ARm",   "ARl"};

CocoStats cocoEvaluate(const CocoEvalInput &input,
                       std::vector<CocoCategoryStats> *perCategory) {
  std::vector<int64_t> imageIds = input.imageIds, categoryIds = input.categoryIds;
  std::sort(imageIds.begin(), imageIds.end());
  std::sort(categoryIds.begin(), categoryIds.end());
  using Key = std::pair<int64_t, int64_t>; // image, category
  std::map<Key, std::vector<const CocoBox *>> gts, dts;
  for (const CocoBox &g : input.groundTruth)
    gts[{g.imageId, g.categoryId}].push_back(&g);
  for (const CocoBox &d : input.detections)
    dts[{d.imageId, d.categoryId}].push_back(&d);

  size_t K = categoryIds.size();
  // precision[t][r][k][a][m], recall[t][k][a][m]; -1 where undefined.
  std::vector<double> precision(kThresholds * kRecalls * K * kAreas * kMaxDets, -1);
  std::vector<double> recall(kThresholds * K * kAreas * kMaxDets, -1);
  auto P = [&](int t, int r, size_t k, int a, int m) -> double & {
    return precision[(((t * kRecalls + r) * K + k) * kAreas + a) * kMaxDets + m];
  };
  auto Rc = [&](int t, size_t k, int a, int m) -> double & {
    return recall[((t * K + k) * kAreas + a) * kMaxDets + m];
  };
  static const std::vector<const CocoBox *> none;
  auto find = [](const auto &map, const Key &key) -> const auto & {
    auto it = map.find(key);
    return it == map.end() ? none : it->second;
  };
  for (size_t k = 0; k < K; ++k)
    for (int a = 0; a < kAreas; ++a) {
      std::vector<ImageEval> evals(imageIds.size());
      std::vector<const ImageEval *> present;
      for (size_t i = 0; i < imageIds.size(); ++i) {
        Key key{imageIds[i], categoryIds[k]};
        if (evaluateImage(find(gts, key), find(dts, key), a, evals[i]))
          present.push_back(&evals[i]);
      }
      if (present.empty())
        continue;
      for (int m = 0; m < kMaxDets; ++m) {
        double p[kThresholds][kRecalls], r[kThresholds];
        if (!accumulate(present, kMaxDet[m], p, r))
          continue;
        for (int t = 0; t < kThresholds; ++t) {
          Rc(t, k, a, m) = r[t];
          for (int ri = 0; ri < kRecalls; ++ri)
            P(t, ri, k, a, m) = p[t][ri];
        }
      }
    }

  // summarize(): the mean over what is defined (> -1), else -1; over one
  // category for the per-class figures.
  auto mean = [&](bool ap, int threshold, int a, int m,
                  std::optional<size_t> category = std::nullopt) {
    double sum = 0;
    int64_t n = 0;
    for (int t = 0; t < kThresholds; ++t) {
      if (threshold >= 0 && t != threshold)
        continue;
      for (size_t k = 0; k < K; ++k) {
        if (category && k != *category)
          continue;
        if (ap) {
          for (int r = 0; r < kRecalls; ++r)
            if (double v = P(t, r, k, a, m); v > -1) {
              sum += v;
              ++n;
            }
        } else if (double v = Rc(t, k, a, m); v > -1) {
          sum += v;
          ++n;
        }
      }
    }
    return n ? sum / double(n) : -1.0;
  };
  if (perCategory) {
    perCategory->clear();
    for (size_t k = 0; k < K; ++k) {
      CocoCategoryStats stats;
      stats.categoryId = categoryIds[k];
      for (const CocoBox &g : input.groundTruth)
        stats.groundTruths += g.categoryId == categoryIds[k] && !g.crowd;
      stats.ap = mean(true, -1, 0, 2, k);
      stats.ap50 = mean(true, 0, 0, 2, k);
      perCategory->push_back(stats);
    }
  }
  // Thresholds 0.5 and 0.75 are linspace entries 0 and 5.
  return {mean(true, -1, 0, 2),  mean(true, 0, 0, 2),  mean(true, 5, 0, 2),
          mean(true, -1, 1, 2),  mean(true, -1, 2, 2), mean(true, -1, 3, 2),
          mean(false, -1, 0, 0), mean(false, -1, 0, 1), mean(false, -1, 0, 2),
          mean(false, -1, 1, 2), mean(false, -1, 2, 2), mean(false, -1, 3, 2)};
}

} // namespace goe::data
