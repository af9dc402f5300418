//===- YoloLoss.h - YOLOv7's training loss ------------------------*- C++ -*-===//
//
// yolov7's ComputeLoss (the assigner its evaluation loss uses), on the raw
// head outputs of each level, [B, 3, ny, nx, nc + 5] logits:
//   - targets matched per level to the anchors whose width and height
//     ratios to the target are both < anchor_t (4.0), in the target's cell
//     and the two neighbouring cells nearest its centre (offset 0.5);
//   - box: 1 - CIoU of the decoded box (xy = 2 sigmoid - 0.5 in the cell,
//     wh = (2 sigmoid)^2 anchor) against the target, averaged per level;
//   - objectness: BCE against the detached, clamped IoU at matched cells
//     and 0 elsewhere, per level weighted 4.0, 1.0, 0.4 (P3, P4, P5);
//   - classes: BCE against one-hot targets (when nc > 1);
//   - gains box 0.05, obj 1.0, cls 0.5 rescaled as train.py does
//     (box 3/nl, cls nc/80 * 3/nl, obj (imgsz/640)^2 * 3/nl), and the total
//     multiplied by the batch size.
// The tiny config trains with the OTA assigner in yolov7; goe uses this one
// (the REFERENCE's "simpler assigner").
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_TORCH_YOLOLOSS_H
#define GOE_FRONTENDS_TORCH_YOLOLOSS_H

#include <ATen/ATen.h>

#include <array>
#include <vector>

namespace goe::torchref {

struct YoloLevel {
  int64_t stride = 8;
  std::array<std::array<double, 2>, 3> anchors; // pixels, (w, h)
};

struct YoloLossOptions {
  int64_t imageSize = 640;
  int64_t classes = 80;
  double box = 0.05, obj = 1.0, cls = 0.5; // before the rescaling
  double anchorThreshold = 4.0;
  std::vector<double> balance = {4.0, 1.0, 0.4};
};

struct YoloLossParts {
  at::Tensor total;          // scalar, with gradient: (box + obj + cls) * B
  double box = 0, obj = 0, cls = 0; // the gained parts, for logging
};

/// `predictions`: one [B, 3, ny, nx, nc + 5] logit tensor per level.
/// `targets`: [n, 6] rows (image in batch, class, cx, cy, w, h), the box
/// normalised to the image.
/// `imageWeights` ([B], optional): each image's terms are multiplied by its
/// weight and the normalisers stay the same, so all-ones gives the plain
/// loss. A mixture of experts passes each image's router weight for the
/// expert that made `predictions`, and the gradient reaches the router.
YoloLossParts yoloLoss(const std::vector<at::Tensor> &predictions,
                       const at::Tensor &targets,
                       const std::vector<YoloLevel> &levels,
                       const YoloLossOptions &options,
                       const at::Tensor &imageWeights = {});

/// A level's logits [..., 3, ny, nx, nc + 5] decoded as the `detect` op's
/// inference output: cx, cy = (2 sigmoid - 0.5 + cell) * stride and w, h =
/// (2 sigmoid)^2 * anchor, in pixels; objectness and classes sigmoid.
at::Tensor decodeYoloLevel(const at::Tensor &logits, const YoloLevel &level);

/// 1 - CIoU's CIoU for boxes as (cx, cy, w, h) rows, [n, 4] each; yolov7's
/// bbox_iou(..., CIoU=True) with eps 1e-7.
at::Tensor completeIou(const at::Tensor &a, const at::Tensor &b);

/// The matches of one level: per match the image, anchor, cell (gj, gi),
/// class, the target box relative to the cell (x, y in cell units from the
/// cell's corner, w, h in grid units), and the anchor in grid units.
struct YoloMatches {
  at::Tensor image, anchor, gj, gi, cls; // int64 [m]
  at::Tensor box;                        // f32 [m, 4]
  at::Tensor anchorWh;                   // f32 [m, 2]
};
YoloMatches matchTargets(const at::Tensor &targets, int64_t ny, int64_t nx,
                         const YoloLevel &level, double anchorThreshold);

} // namespace goe::torchref

#endif // GOE_FRONTENDS_TORCH_YOLOLOSS_H
