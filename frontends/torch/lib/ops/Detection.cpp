//===- Detection.cpp - detect in LibTorch ---------------------------------===//
//
// Pairs frontends/spec/lib/ops/Detection.cpp, written as YOLO's Python
// head computes it (view + permute + sigmoid, then the box decoding).
//
//===----------------------------------------------------------------------===//

#include "TorchOp.h"

#include "goe/Frontends/Spec/ops/Detection.h"

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

at::Tensor detectForward(const LayerShapes &layer, const LayerWeights &w,
                         const std::vector<at::Tensor> &inputs, bool) {
  DetectParams p = detectParams(layer.layer);
  const at::Tensor &x = inputs[0];
  int64_t batch = x.size(0), height = x.size(2), width = x.size(3);
  int64_t attrs = p.classes + 5;
  double stride = (double)p.stride;
  // Channel c = anchor * (nc + 5) + attribute, as YOLO's view + permute.
  at::Tensor y = at::conv2d(x, w.weight, w.bias)
                     .view({batch, 3, attrs, height, width})
                     .permute({0, 1, 3, 4, 2})
                     .sigmoid(); // [B, 3, H, W, nc + 5]
  auto options = y.options();
  at::Tensor col = at::arange(width, options).view({1, 1, 1, width});
  at::Tensor row = at::arange(height, options).view({1, 1, height, 1});
  std::vector<float> aw, ah;
  for (const auto &anchor : p.anchors) {
    aw.push_back((float)anchor[0]);
    ah.push_back((float)anchor[1]);
  }
  at::Tensor anchorW = at::tensor(aw, options).view({1, 3, 1, 1});
  at::Tensor anchorH = at::tensor(ah, options).view({1, 3, 1, 1});
  // xy = (2y - 0.5 + cell) * stride, x by column, y by row;
  // wh = (2y)^2 * anchor in pixels; objectness and classes stay sigmoid.
  at::Tensor bx = (y.select(4, 0) * 2 - 0.5 + col) * stride;
  at::Tensor by = (y.select(4, 1) * 2 - 0.5 + row) * stride;
  at::Tensor bw = (y.select(4, 2) * 2).pow(2) * anchorW;
  at::Tensor bh = (y.select(4, 3) * 2).pow(2) * anchorH;
  return at::cat({at::stack({bx, by, bw, bh}, 4), y.slice(4, 4)}, 4);
}

const TorchOp kDetect{detectOp, addDetectWeights, detectForward};

} // namespace

std::vector<const TorchOp *> detectionTorchOps() { return {&kDetect}; }

} // namespace goe::torchref::detail
