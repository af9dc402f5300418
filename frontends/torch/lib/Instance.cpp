//===- Instance.cpp - one module instance as a torch::nn::Module ----------===//
//
// Each layer runs what its op's LibTorch side (ops/<Family>.cpp) computes:
// what ExpertEmitter emits for it, in PyTorch's channels-first layout.
// Where the emitter has to work around TOSA (window cropping for the floor
// rule, grouped convs split into slices, transposes around flatten),
// PyTorch's own op already has the intended semantics, so the reference
// uses it directly: that is what makes it a reference.
//
//===----------------------------------------------------------------------===//

#include "Instance.h"

#include <cmath>

using namespace goe::spec;

namespace goe::torchref::detail {
namespace {

/// PyTorch's default for conv and linear (kaiming_uniform with a = sqrt(5),
/// which works out to the same bound as the bias): U(-1/sqrt(fan_in), ...).
void initLinear(at::Tensor &weight, at::Tensor &bias, at::Generator &gen) {
  int64_t fanIn = weight.numel() / weight.size(0);
  double bound = 1.0 / std::sqrt((double)fanIn);
  weight.uniform_(-bound, bound, gen);
  if (bias.defined())
    bias.uniform_(-bound, bound, gen);
}

} // namespace

InstanceModule::InstanceModule(const ResolvedModule &resolved)
    : torch::nn::Module("goe::Instance"), resolved(resolved) {
  for (const ResolvedLayer &resolvedLayer : resolved.layers) {
    layers.push_back(layerShapes(resolved, resolvedLayer));
    const Layer &layer = *resolvedLayer.layer;
    // Every op of the registry has a LibTorch side (TorchOpsTest checks).
    const TorchOp *op = findTorchOp(layerOpOf(layer));
    TORCH_INTERNAL_ASSERT(op, "layer op without a LibTorch side");
    ops.push_back(op);
    weights.emplace_back(); // every layer has an entry, most stay empty
    // The layer's index is its submodule name: `<index>.weight`.
    if (op->addWeights)
      op->addWeights(*child(*this, std::to_string(layer.index)),
                     layers.back(), weights.back());
  }
}

void InstanceModule::init(at::Generator &gen, bool randomNorm) {
  torch::NoGradGuard noGrad;
  for (LayerWeights &w : weights) {
    if (w.weight.defined())
      initLinear(w.weight, w.bias, gen);
    if (!w.normWeight.defined())
      continue;
    if (randomNorm) {
      w.normWeight.uniform_(0.5, 1.5, gen);
      w.normBias.normal_(0.0, 0.1, gen);
      w.mean.normal_(0.0, 0.1, gen);
      w.var.uniform_(0.5, 1.5, gen);
    } else {
      w.normWeight.fill_(1.0);
      w.normBias.zero_();
      w.mean.zero_();
      w.var.fill_(1.0);
    }
  }
}

void InstanceModule::foldBatchNorm() {
  for (size_t i = 0; i < ops.size(); ++i)
    if (ops[i]->foldBatchNorm)
      ops[i]->foldBatchNorm(layers[i], weights[i]);
}

std::vector<at::Tensor>
InstanceModule::forward(const std::vector<at::Tensor> &inputs) {
  // The caller's tensors, not the spec: LibTorch's own error (c10::Error)
  // names the module and what it expected.
  TORCH_CHECK(inputs.size() == resolved.inputs.size(), "module '",
              resolved.module->name, "' takes ", resolved.inputs.size(),
              " inputs, given ", inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Shape &shape = resolved.inputs[i].shape;
    bool same = inputs[i].dim() == (int64_t)shape.size() + 1;
    for (size_t d = 0; same && d < shape.size(); ++d)
      same = inputs[i].size(d + 1) == shape[d];
    TORCH_CHECK(same, "module '", resolved.module->name, "' input ", i,
                " must be [B] + ", formatShape(shape), ", got ",
                inputs[i].sizes());
  }
  std::vector<at::Tensor> values(inputs.begin(), inputs.end());
  for (size_t i = 0; i < resolved.layers.size(); ++i) {
    std::vector<at::Tensor> layerInputs;
    for (int id : resolved.layers[i].inputs)
      layerInputs.push_back(values[id]);
    values.push_back(
        rawOutputs && ops[i]->rawForward
            ? ops[i]->rawForward(layers[i], weights[i], layerInputs)
            : ops[i]->forward(layers[i], weights[i], layerInputs,
                              is_training()));
  }
  std::vector<at::Tensor> outputs;
  for (int id : resolved.outputs)
    outputs.push_back(values[id]);
  return outputs;
}

} // namespace goe::torchref::detail
