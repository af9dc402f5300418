//===- DetectionAugment.h - YOLO training samples, augmented -----*- C++ -*-===//
//
// Training images for a YOLO model as yolov7 makes them for the tiny model
// (hyp.scratch.tiny.yaml), each step switchable by setting it to 0:
//   - mosaic (probability): four images, each resized so its longer side is
//     the model size, tiled around a random centre of a 2S x 2S grey canvas;
//   - random affine (translate, scale): the canvas scaled by U(1 - scale,
//     1 + scale) about its centre, shifted by U(-translate, translate) of its
//     size, cut to S x S, grey (114) outside; boxes transformed, clipped and
//     kept only if still > 2 px wide and high, with > 10 % of their scaled
//     area and an aspect ratio < 20 (yolov7's box_candidates);
//   - mixup (probability): blended 50/50-ish (Beta(8, 8)) with a second
//     mosaic, boxes of both kept;
//   - HSV jitter (gains h, s, v): hue, saturation and value scaled by
//     1 + U(-gain, gain) through lookup tables, as yolov7's augment_hsv;
//   - horizontal flip (probability).
// Without mosaic the image is letterboxed to S x S first. A sample depends
// only on (seed, index), so a resumed or data-parallel run sees the same
// images.
//
// Thread safety: sample() is const and reentrant.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_DATA_DETECTIONAUGMENT_H
#define GOE_DATA_DETECTIONAUGMENT_H

#include "goe/Data/Detection.h"

namespace goe::data {

struct AugmentOptions {
  int64_t size = 320; // the model's square input, pixels
  double mosaic = 1.0, mixup = 0.05;
  double translate = 0.1, scale = 0.5;
  double hsvH = 0.015, hsvS = 0.7, hsvV = 0.4;
  double fliplr = 0.5;

  /// Every augmentation off: letterbox only (validation).
  static AugmentOptions none(int64_t size);
};

/// The options `text` asks for at model size `size`: "" for the defaults
/// above (yolov7-tiny's), "none", or comma-separated overrides of them by
/// yolov7's hyper-parameter names, "mosaic=0.5,mixup=0,fliplr=0" (keys
/// mosaic, mixup, translate, scale, hsv_h, hsv_s, hsv_v, fliplr; each a
/// number in [0, 1]). InvalidArgument naming the key or value otherwise.
StatusOr<AugmentOptions> parseAugmentOptions(const std::string &text,
                                             int64_t size);

/// One training image: f32 [3, size, size] RGB in [0, 1] and its boxes,
/// normalised centre and size like YOLO labels.
struct TrainingSample {
  runtime::Tensor image;
  std::vector<DetectionBox> boxes;
};

class DetectionAugmenter {
public:
  /// `images` must outlive the augmenter.
  DetectionAugmenter(const std::vector<DetectionImage> &images,
                     AugmentOptions options)
      : images(images), options(options) {}

  /// Sample `index` (of images.size()) under `seed`. Errors name the image
  /// file (missing, undecodable).
  StatusOr<TrainingSample> sample(int64_t index, uint64_t seed) const;

private:
  const std::vector<DetectionImage> &images;
  AugmentOptions options;
};

} // namespace goe::data

#endif // GOE_DATA_DETECTIONAUGMENT_H
