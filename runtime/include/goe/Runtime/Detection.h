//===- Detection.h - NMS and Weighted Boxes Fusion --------------*- C++ -*-===//
//
// Detection post-processing for the `wbf` combine (MoE-YOLOv7: each chosen
// expert's boxes go through NMS, then the experts' boxes are fused by WBF,
// weighted by the router). Public so that tools and tests can use the same
// code on boxes that did not come out of a graph.
//
// WBF follows the reference `ensemble_boxes` semantics described in
// /work/shared/REFERENCE.md: clusters per label in descending weighted
// score, a box joins the same-label cluster of highest IoU if that IoU is
// strictly greater than the threshold, fused coordinates are the
// score-weighted mean, and scores are rescaled per conf_type.
//
// Thread safety: pure functions.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_DETECTION_H
#define GOE_RUNTIME_DETECTION_H

#include <cstdint>
#include <vector>

namespace goe::runtime {

/// A box by its corners. Pixels out of NMS; normalised to [0, 1] for WBF.
struct Box {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  double score = 0;
  int64_t label = 0;
};

/// Intersection over union of the corner boxes (no +1, as COCO).
double boxIou(const Box &a, const Box &b);

struct NmsOptions {
  /// A (box, class) candidate is kept if class prob x objectness >= this.
  double confThreshold = 0.001;
  /// A box is suppressed by a higher-scored box of its class if their IoU
  /// is > this.
  double iouThreshold = 0.65;
  /// Boxes kept after NMS, highest scores first.
  int64_t maxDetections = 300;
  /// Candidates entering NMS, highest scores first (bounds the quadratic
  /// suppression on untrained models that emit everything).
  int64_t maxCandidates = 30000;
};

/// NMS over YOLO head rows. `rows` holds `count` rows of `width` floats:
/// cx, cy, w, h (pixels), objectness, then width-5 class probabilities.
/// Multi-label: every class whose score passes the threshold is a candidate.
/// Classes never suppress each other. Candidates are looked at in order of
/// descending score, among equal scores in row then class order; at most
/// maxCandidates of them, and none after maxDetections boxes are kept.
/// Result sorted by descending score. A row with a non-finite cx, cy, w or
/// h, and a (row, class) whose score is not finite (NaN or infinite
/// objectness or probability), is no candidate. Time: linear in
/// count x classes plus about n log n in the candidates looked at.
std::vector<Box> nonMaxSuppression(const float *rows, int64_t count,
                                   int64_t width, const NmsOptions &options);

/// Rows of a YOLO head held in several arrays (its levels), for the
/// overload below.
struct NmsRows {
  const float *rows = nullptr;
  int64_t count = 0;
};

/// The same on the blocks' rows taken as one list, in order (the candidate
/// order among equal scores runs across the blocks), without copying them.
std::vector<Box> nonMaxSuppression(const std::vector<NmsRows> &blocks,
                                   int64_t width, const NmsOptions &options);

enum class WbfConfType { Avg = 0, Max = 1, BoxAndModelAvg = 2, AbsentModelAwareAvg = 3 };

struct WbfOptions {
  double iouThreshold = 0.55;
  /// Boxes with score < this are dropped before fusion.
  double skipBoxThreshold = 0.0;
  WbfConfType confType = WbfConfType::Avg;
  /// avg only: rescale by n / sum(w) instead of min(M, n) / sum(w), so a
  /// cluster with more boxes than models may score above 1.
  bool allowOverflow = false;
};

/// Fuses `models[m]` (normalised boxes, raw scores) with model weights
/// `weights[m]`. Returns fused boxes sorted by descending score.
/// Precondition: weights.size() == models.size().
/// Non-finite input: a box with a NaN coordinate (no area) or whose score x
/// weight is not finite is dropped; infinite coordinates are clipped to
/// [0, 1] like any other. A non-finite weight thus drops its model's boxes,
/// and the total weight it enters makes the rescaled scores NaN (a NaN
/// weight) or 0 (an infinite one); NaN scores sort after every number.
std::vector<Box> weightedBoxesFusion(const std::vector<std::vector<Box>> &models,
                                     const std::vector<double> &weights,
                                     const WbfOptions &options);

} // namespace goe::runtime

#endif // GOE_RUNTIME_DETECTION_H
