//===- TorchOp.h - the LibTorch side of a layer op --------------*- C++ -*-===//
//
// Private to the torch reference library (it includes LibTorch). A layer
// op's definition (spec::LayerOp: fields, defaults, shapes, TOSA) lives in
// the spec library, which the compiler links; LibTorch may not be linked
// there, so each op family has a paired file here,
// frontends/torch/lib/ops/<Family>.cpp, with the op's parameters and its
// forward in PyTorch's channels-first layout, registered against the op's
// definition object. It reads the op's parameters through the family's
// header (goe/Frontends/Spec/ops/<Family>.h), so defaults are not repeated.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_TORCH_OPS_TORCHOP_H
#define GOE_FRONTENDS_TORCH_OPS_TORCHOP_H

#include "goe/Frontends/Spec/LayerOp.h"
#include "goe/Frontends/Spec/ops/Activations.h"
#include "goe/Frontends/Spec/ops/Normalization.h"

#include <ATen/ATen.h>
#include <torch/nn/module.h>

namespace goe::torchref::detail {

/// The tensors of one layer; undefined where the op has none. init() sets
/// `weight`/`bias` as PyTorch initialises convs and linears, the norm
/// tensors as batch norm's.
struct LayerWeights {
  at::Tensor weight, bias;                    // convolutions, linear, detect
  at::Tensor normWeight, normBias, mean, var; // batch norm
  /// A conv block's convolution with its batch norm folded in
  /// (Model::foldBatchNorm), which eval-mode forward then runs instead.
  at::Tensor foldedWeight, foldedBias;
};

/// The LibTorch side of one layer op.
struct TorchOp {
  const spec::LayerOp &op;
  /// Registers the layer's parameters and buffers, at zero, on `holder`
  /// (the layer's submodule, named by its index) under PyTorch's names;
  /// null for ops without any.
  void (*addWeights)(torch::nn::Module &holder, const spec::LayerShapes &layer,
                     LayerWeights &weights);
  /// The layer on batched channels-first tensors.
  at::Tensor (*forward)(const spec::LayerShapes &layer,
                        const LayerWeights &weights,
                        const std::vector<at::Tensor> &inputs, bool training);
  /// The layer's training-time output where it differs from `forward` in
  /// kind, not only in mode (detect: raw logits, not decoded boxes); null
  /// for the others. Used when the model is asked for raw detections.
  at::Tensor (*rawForward)(const spec::LayerShapes &layer,
                           const LayerWeights &weights,
                           const std::vector<at::Tensor> &inputs) = nullptr;
  /// Sets `foldedWeight`/`foldedBias` from the current weights, for ops
  /// that end in a batch norm after a convolution; null for the others.
  void (*foldBatchNorm)(const spec::LayerShapes &layer,
                        LayerWeights &weights) = nullptr;
};

/// The LibTorch side of `op`, or null; tests check every op has one.
const TorchOp *findTorchOp(const spec::LayerOp &op);

// Helpers shared between families.

at::Tensor zeros(at::IntArrayRef shape);
/// An empty submodule of `parent`, only to give its parameters a name
/// prefix (`3.conv.weight`, `3.bn.running_mean`) as PyTorch's nested
/// modules do.
std::shared_ptr<torch::nn::Module> child(torch::nn::Module &parent,
                                         const std::string &name);
/// A logical per-sample axis (negative from the end) as a batched axis.
int64_t batchedAxis(const spec::Shape &perSample, int64_t axis);

/// Batch norm's `weight`, `bias`, `running_mean`, `running_var` on
/// `holder` (Normalization.cpp).
void addBatchNormWeights(torch::nn::Module &holder, LayerWeights &weights,
                         int64_t channels);
at::Tensor batchNorm(const LayerWeights &weights, const at::Tensor &x,
                     const spec::ops::BatchNormParams &params, bool training);
/// `kind` elementwise; `slope` is leaky_relu's (Activations.cpp).
at::Tensor activation(spec::ops::Activation kind, double slope,
                      const at::Tensor &x);

} // namespace goe::torchref::detail

#endif // GOE_FRONTENDS_TORCH_OPS_TORCHOP_H
