//===- CocoEval.h - COCO's 12 box-detection statistics -----------*- C++ -*-===//
//
// What pycocotools' COCOeval computes for iouType "bbox", with its exact
// semantics, so a goe number can be set next to anybody's COCO number:
//   - IoU of [x, y, w, h] boxes without +1; against a crowd ground truth
//     the union is the detection's own area;
//   - per image and category, detections sorted by score (stable) and cut
//     at maxDets; each, in that order, takes the best still-unmatched
//     ground truth with IoU >= t (crowds may be matched again; once a
//     non-ignored match exists an ignored one never replaces it), for each
//     of the ten thresholds 0.50:0.05:0.95 separately;
//   - ground truths that are crowds or outside the area range are ignored,
//     as are unmatched detections outside it;
//   - precision made monotone from the right, sampled at the 101 recall
//     points 0:0.01:1 (left searchsorted, 0 past the last recall);
//   - categories without ground truth (for an area range) are left out of
//     the means; a statistic with nothing to average is -1.
// Area ranges: all, small (< 32^2), medium (32^2..96^2), large (> 96^2)
// pixels, by the ground truth's `area` (w * h when the file has none) and
// the detection's w * h. maxDets 1, 10, 100.
//
// Thread safety: the functions are reentrant.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_DATA_COCOEVAL_H
#define GOE_DATA_COCOEVAL_H

#include "goe/Runtime/Status.h"

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace goe::data {

using runtime::Status;
using runtime::StatusOr;

struct CocoBox {
  int64_t imageId = 0, categoryId = 0;
  double x = 0, y = 0, w = 0, h = 0; // pixels
  double area = 0;                   // ground truth: its `area`
  double score = 0;                  // detections
  bool crowd = false;                // ground truth
};

struct CocoEvalInput {
  std::vector<int64_t> imageIds;    // the ground truth's images
  std::vector<int64_t> categoryIds; // the ground truth's categories
  std::vector<CocoBox> groundTruth;
  std::vector<CocoBox> detections;
  std::map<int64_t, std::string> categoryNames; // by id, where known
};

/// IoU of detection `d` and ground truth `g` ([x, y, w, h], no +1); against
/// a crowd the union is the detection's own area.
double cocoIou(const CocoBox &d, const CocoBox &g);

/// The statistics in COCOeval.summarize()'s order: AP, AP50, AP75, APs,
/// APm, APl, AR1, AR10, AR100, ARs, ARm, ARl.
using CocoStats = std::array<double, 12>;
extern const char *const kCocoStatNames[12];

/// One category's AP (IoU 0.50:0.95 and 0.50; all areas, maxDets 100: the
/// per-class figure of yolov7's test.py and COCOeval's precision array),
/// -1 when it has no ground truth.
struct CocoCategoryStats {
  int64_t categoryId = 0;
  int64_t groundTruths = 0; // not crowds
  double ap = -1, ap50 = -1;
};

/// The 12 statistics; with `perCategory`, also each category's AP, in
/// ascending id order.
CocoStats cocoEvaluate(const CocoEvalInput &input,
                       std::vector<CocoCategoryStats> *perCategory = nullptr);

/// Reads a ground-truth instances JSON and a results JSON (a list of
/// {image_id, category_id, bbox, score}). Errors name the file and entry;
/// results for images the ground truth lacks are refused, as COCO does.
StatusOr<CocoEvalInput> readCocoEvalFiles(const std::string &groundTruthPath,
                                          const std::string &resultsPath);

/// The ground truth of an instances JSON alone (no detections).
StatusOr<CocoEvalInput> readCocoGroundTruth(const std::string &groundTruthPath);

/// Adds a results JSON's detections to `input`, refusing image ids that
/// `input` (named `groundTruthName` in messages) does not have.
Status readCocoResults(const std::string &resultsPath,
                       const std::string &groundTruthName,
                       CocoEvalInput &input);

/// The ground truth of split `split` of a YOLO data.yaml, as COCO sees it:
/// image ids by cocoImageId (Detection.h), category ids 0..nc-1 (the
/// classes, as goe-detect writes them), boxes in the images' own pixels
/// (each image is decoded once for its size). Errors name the file.
StatusOr<CocoEvalInput> yoloGroundTruth(const std::string &dataYaml,
                                        const std::string &split);

/// The same split as a COCO instances JSON (images with file_name, width,
/// height; annotations; categories 0..nc-1 with the names), for COCO's own
/// tools and for the `coco` dataset kind (`goe-data coco`).
StatusOr<std::string> yoloAsCocoInstances(const std::string &dataYaml,
                                          const std::string &split);

/// The twelve lines COCOeval.summarize() prints.
std::string formatCocoStats(const CocoStats &stats);

} // namespace goe::data

#endif // GOE_DATA_COCOEVAL_H
