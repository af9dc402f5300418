//===- Normalization.cpp - batchnorm, dropout in LibTorch -----------------===//
//
// Pairs frontends/spec/lib/ops/Normalization.cpp.
//
//===----------------------------------------------------------------------===//

#include "TorchOp.h"

using namespace goe::spec;
using namespace goe::spec::ops;

namespace goe::torchref::detail {

void addBatchNormWeights(torch::nn::Module &holder, LayerWeights &w,
                         int64_t channels) {
  w.normWeight = holder.register_parameter("weight", zeros({channels}));
  w.normBias = holder.register_parameter("bias", zeros({channels}));
  w.mean = holder.register_buffer("running_mean", zeros({channels}));
  w.var = holder.register_buffer("running_var", zeros({channels}));
}

at::Tensor batchNorm(const LayerWeights &w, const at::Tensor &x,
                     const BatchNormParams &params, bool training) {
  // [B, C] or [B, C, H, W]; in eval mode (x - mean) / sqrt(var + eps) *
  // weight + bias with the running statistics, as the emitter computes.
  return at::batch_norm(x, w.normWeight, w.normBias, w.mean, w.var, training,
                        params.momentum, params.eps,
                        /*cudnn_enabled=*/false);
}

namespace {

void addBatchNormLayerWeights(torch::nn::Module &holder,
                              const LayerShapes &layer, LayerWeights &w) {
  addBatchNormWeights(holder, w, layer.in()[0]);
}

at::Tensor batchNormForward(const LayerShapes &layer, const LayerWeights &w,
                            const std::vector<at::Tensor> &inputs,
                            bool training) {
  return batchNorm(w, inputs[0], batchNormParams(layer.layer), training);
}

at::Tensor dropoutForward(const LayerShapes &layer, const LayerWeights &,
                          const std::vector<at::Tensor> &inputs,
                          bool training) {
  return at::dropout(inputs[0], dropoutP(layer.layer), training);
}

const TorchOp kBatchNorm{batchNormOp, addBatchNormLayerWeights,
                         batchNormForward};
const TorchOp kDropout{dropoutOp, nullptr, dropoutForward};

} // namespace

std::vector<const TorchOp *> normalizationTorchOps() {
  return {&kBatchNorm, &kDropout};
}

} // namespace goe::torchref::detail
