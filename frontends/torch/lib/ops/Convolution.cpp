//===- Convolution.cpp - conv2d, conv in LibTorch -------------------------===//
//
// Pairs frontends/spec/lib/ops/Convolution.cpp. PyTorch's conv2d already
// has the floor rule and groups the emitter works around in TOSA.
//
//===----------------------------------------------------------------------===//

#include "TorchOp.h"

#include "goe/Frontends/Spec/ops/Convolution.h"

using namespace goe::spec;
using namespace goe::spec::ops;

namespace goe::torchref::detail {
namespace {

at::Tensor convWeight(torch::nn::Module &holder, const LayerShapes &layer) {
  ConvParams p = convParams(layer.layer);
  return holder.register_parameter(
      "weight", zeros({layer.result[0], layer.in()[0] / p.groups, p.kernel,
                       p.kernel}));
}

void addConv2dWeights(torch::nn::Module &holder, const LayerShapes &layer,
                      LayerWeights &w) {
  w.weight = convWeight(holder, layer);
  if (convParams(layer.layer).bias)
    w.bias = holder.register_parameter("bias", zeros({layer.result[0]}));
}

/// `<layer>.conv.weight` (no bias), then `<layer>.bn.*`.
void addConvBlockWeights(torch::nn::Module &holder, const LayerShapes &layer,
                         LayerWeights &w) {
  w.weight = convWeight(*child(holder, "conv"), layer);
  addBatchNormWeights(*child(holder, "bn"), w, layer.result[0]);
}

at::Tensor convolve(const LayerShapes &layer, const LayerWeights &w,
                    const at::Tensor &x) {
  ConvParams p = convParams(layer.layer);
  return at::conv2d(x, w.weight, w.bias, {p.stride, p.stride},
                    {p.padding, p.padding}, {1, 1}, p.groups);
}

at::Tensor conv2dForward(const LayerShapes &layer, const LayerWeights &w,
                         const std::vector<at::Tensor> &inputs, bool) {
  return convolve(layer, w, inputs[0]);
}

at::Tensor convBlockForward(const LayerShapes &layer, const LayerWeights &w,
                            const std::vector<at::Tensor> &inputs,
                            bool training) {
  ConvBlockParams p = convBlockParams(layer.layer);
  if (!training && w.foldedWeight.defined()) {
    ConvParams c = convParams(layer.layer);
    at::Tensor y = at::conv2d(inputs[0], w.foldedWeight, w.foldedBias,
                              {c.stride, c.stride}, {c.padding, c.padding},
                              {1, 1}, c.groups);
    return activation(p.act, p.slope, y);
  }
  at::Tensor y = batchNorm(w, convolve(layer, w, inputs[0]), p.norm, training);
  return activation(p.act, p.slope, y);
}

/// conv then eval-mode batch norm as one conv: per output channel, scale
/// gamma / sqrt(var + eps) on the weights, beta - mean * scale as the bias
/// (what yolov7's fuse() and torch.ao's fuse_modules do).
void foldConvBlockNorm(const LayerShapes &layer, LayerWeights &w) {
  at::NoGradGuard noGrad;
  double eps = convBlockParams(layer.layer).norm.eps;
  at::Tensor scale = w.normWeight / (w.var + eps).sqrt();
  w.foldedWeight = (w.weight * scale.view({-1, 1, 1, 1})).contiguous();
  w.foldedBias = (w.normBias - w.mean * scale).contiguous();
}

const TorchOp kConv2d{conv2dOp, addConv2dWeights, conv2dForward};
const TorchOp kConv{convOp, addConvBlockWeights, convBlockForward, nullptr,
                    foldConvBlockNorm};

} // namespace

std::vector<const TorchOp *> convolutionTorchOps() {
  return {&kConv2d, &kConv};
}

} // namespace goe::torchref::detail
