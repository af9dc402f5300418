//===- Detection.h - detect (a YOLO detection head) -------------*- C++ -*-===//
//
// Defined in frontends/spec/lib/ops/Detection.cpp; LibTorch in
// frontends/torch/lib/ops/Detection.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_SPEC_OPS_DETECTION_H
#define GOE_FRONTENDS_SPEC_OPS_DETECTION_H

#include "goe/Frontends/Spec/LayerOp.h"

namespace goe::spec::ops {

/// A 1x1 convolution with bias to 3 * (nc + 5) channels, decoded to boxes
/// in pixels: [3, H, W, nc + 5] per sample.
extern const LayerOp detectOp;

struct DetectParams {
  int64_t classes; // nc
  int64_t stride;  // pixels per grid cell
  const std::vector<std::vector<int64_t>> &anchors; // 3 [width, height]
};
DetectParams detectParams(const Layer &layer);

} // namespace goe::spec::ops

#endif // GOE_FRONTENDS_SPEC_OPS_DETECTION_H
