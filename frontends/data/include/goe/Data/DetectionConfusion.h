//===- DetectionConfusion.h - which classes a detector mixes up --*- C++ -*-===//
//
// The detection confusion matrix as yolov5/ultralytics' val.py draws it:
// per image, detections above a confidence are matched to ground truths
// by IoU regardless of class (pairs above the IoU threshold, best IoU
// first, each detection and each ground truth at most once); a matched
// pair counts at (predicted class, true class), an unmatched ground truth
// at (background, its class), an unmatched detection at (its class,
// background). Crowd ground truths are left out. Which classes the dense
// detector confuses picks the expert backbone's classes
// (examples/backbone_gating/detection.yaml).
//
//===----------------------------------------------------------------------===//

#ifndef GOE_DATA_DETECTIONCONFUSION_H
#define GOE_DATA_DETECTIONCONFUSION_H

#include "goe/Data/CocoEval.h"

#include <string>
#include <vector>

namespace goe::data {

struct DetectionConfusion {
  /// The ground truth's category ids in ascending order; row/column i is
  /// categories[i], the last one (index categories.size()) background.
  std::vector<int64_t> categories;
  /// [(K + 1) x (K + 1)], row-major: counts[predicted][true].
  std::vector<int64_t> counts;

  size_t size() const { return categories.size() + 1; }
  int64_t at(size_t predicted, size_t truth) const {
    return counts[predicted * size() + truth];
  }
};

/// ultralytics' defaults: confidence above 0.25, IoU above 0.45.
DetectionConfusion detectionConfusion(const CocoEvalInput &input,
                                      double confidence = 0.25,
                                      double iou = 0.45);

/// The matrix as CSV: a header `predicted\true,<names...>,background`, then
/// one row per predicted class (names from input.categoryNames, else ids).
std::string confusionCsv(const DetectionConfusion &confusion,
                         const CocoEvalInput &input);

} // namespace goe::data

#endif // GOE_DATA_DETECTIONCONFUSION_H
