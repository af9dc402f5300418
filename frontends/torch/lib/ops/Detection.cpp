//===- Detection.cpp - detect in LibTorch ---------------------------------===//
//
// Pairs frontends/spec/lib/ops/Detection.cpp, written as YOLO's Python
// head computes it (view + permute + sigmoid, then the box decoding,
// decodeYoloLevel in YoloLoss.h, which the training objective shares).
//
//===----------------------------------------------------------------------===//

#include "TorchOp.h"

#include "goe/Frontends/Spec/ops/Detection.h"
#include "goe/Frontends/Torch/YoloLoss.h"

using namespace goe::spec;
using namespace goe::spec::ops;

namespace goe::torchref::detail {
namespace {

/// A 1x1 conv with bias to 3 * (nc + 5) channels.
void addDetectWeights(torch::nn::Module &holder, const LayerShapes &layer,
                      LayerWeights &w) {
  int64_t channels = 3 * layer.result[3];
  w.weight = holder.register_parameter(
      "weight", zeros({channels, layer.in()[0], 1, 1}));
  w.bias = holder.register_parameter("bias", zeros({channels}));
}

/// The head's logits, [B, 3, H, W, nc + 5]: channel c = anchor * (nc + 5)
/// + attribute, as YOLO's view + permute.
at::Tensor detectLogits(const LayerShapes &layer, const LayerWeights &w,
                        const std::vector<at::Tensor> &inputs) {
  DetectParams p = detectParams(layer.layer);
  const at::Tensor &x = inputs[0];
  int64_t batch = x.size(0), height = x.size(2), width = x.size(3);
  return at::conv2d(x, w.weight, w.bias)
      .view({batch, 3, p.classes + 5, height, width})
      .permute({0, 1, 3, 4, 2})
      .contiguous();
}

at::Tensor detectForward(const LayerShapes &layer, const LayerWeights &w,
                         const std::vector<at::Tensor> &inputs, bool) {
  DetectParams p = detectParams(layer.layer);
  YoloLevel level;
  level.stride = p.stride;
  for (int a = 0; a < 3; ++a)
    level.anchors[a] = {(double)p.anchors[a][0], (double)p.anchors[a][1]};
  return decodeYoloLevel(detectLogits(layer, w, inputs), level);
}

const TorchOp kDetect{detectOp, addDetectWeights, detectForward, detectLogits};

} // namespace

std::vector<const TorchOp *> detectionTorchOps() { return {&kDetect}; }

} // namespace goe::torchref::detail
