//===- DetectionConfusion.cpp - which classes a detector mixes up --------===//

#include "goe/Data/DetectionConfusion.h"

#include <algorithm>
#include <map>

namespace goe::data {

namespace {

struct Match {
  size_t truth, detection;
  double iou;
};

} // namespace

DetectionConfusion detectionConfusion(const CocoEvalInput &input,
                                      double confidence, double iou) {
  DetectionConfusion out;
  out.categories = input.categoryIds;
  std::sort(out.categories.begin(), out.categories.end());
  size_t n = out.size(), background = n - 1;
  out.counts.assign(n * n, 0);
  std::map<int64_t, size_t> row;
  for (size_t i = 0; i < out.categories.size(); ++i)
    row[out.categories[i]] = i;

  std::map<int64_t, std::vector<const CocoBox *>> truths, detections;
  for (const CocoBox &g : input.groundTruth)
    if (!g.crowd && row.count(g.categoryId))
      truths[g.imageId].push_back(&g);
  for (const CocoBox &d : input.detections)
    if (d.score > confidence && row.count(d.categoryId))
      detections[d.imageId].push_back(&d);

  for (int64_t image : input.imageIds) {
    const std::vector<const CocoBox *> &gts = truths[image];
    const std::vector<const CocoBox *> &dts = detections[image];
    std::vector<Match> pairs;
    for (size_t g = 0; g < gts.size(); ++g)
      for (size_t d = 0; d < dts.size(); ++d)
        if (double value = cocoIou(*dts[d], *gts[g]); value > iou)
          pairs.push_back({g, d, value});
    // Best IoU first; ties keep the (truth, detection) order, so the
    // result does not depend on the sort's implementation.
    std::stable_sort(pairs.begin(), pairs.end(),
                     [](const Match &a, const Match &b) { return a.iou > b.iou; });
    std::vector<int64_t> truthOf(dts.size(), -1), detectionOf(gts.size(), -1);
    for (const Match &m : pairs)
      if (truthOf[m.detection] < 0 && detectionOf[m.truth] < 0) {
        truthOf[m.detection] = (int64_t)m.truth;
        detectionOf[m.truth] = (int64_t)m.detection;
      }
    for (size_t g = 0; g < gts.size(); ++g) {
      size_t truth = row[gts[g]->categoryId];
      size_t predicted = detectionOf[g] < 0
                             ? background
                             : row[dts[detectionOf[g]]->categoryId];
      ++out.counts[predicted * n + truth];
    }
    for (size_t d = 0; d < dts.size(); ++d)
      if (truthOf[d] < 0)
        ++out.counts[row[dts[d]->categoryId] * n + background];
  }
  return out;
}

std::string confusionCsv(const DetectionConfusion &confusion,
                         const CocoEvalInput &input) {
  auto name = [&](size_t i) -> std::string {
    if (i == confusion.categories.size())
      return "background";
    auto it = input.categoryNames.find(confusion.categories[i]);
    if (it == input.categoryNames.end())
      return std::to_string(confusion.categories[i]);
    if (it->second.find_first_of(",\"\n") == std::string::npos)
      return it->second;
    std::string quoted = "\""; // RFC 4180: quotes doubled inside quotes
    for (char c : it->second)
      quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
  };
  std::string csv = "predicted\\true";
  for (size_t t = 0; t < confusion.size(); ++t)
    csv += "," + name(t);
  csv += "\n";
  for (size_t p = 0; p < confusion.size(); ++p) {
    csv += name(p);
    for (size_t t = 0; t < confusion.size(); ++t)
      csv += "," + std::to_string(confusion.at(p, t));
    csv += "\n";
  }
  return csv;
}

} // namespace goe::data
