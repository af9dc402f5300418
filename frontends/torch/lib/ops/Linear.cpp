//===- Linear.cpp - linear, flatten, reshape in LibTorch ------------------===//
//
// Pairs frontends/spec/lib/ops/Linear.cpp. Tensors are channels-first
// here, so flatten and reshape need no transposes.
//
//===----------------------------------------------------------------------===//

#include "TorchOp.h"

#include "goe/Frontends/Spec/ops/Linear.h"

using namespace goe::spec;
using namespace goe::spec::ops;

namespace goe::torchref::detail {
namespace {

void addLinearWeights(torch::nn::Module &holder, const LayerShapes &layer,
                      LayerWeights &w) {
  int64_t out = layer.result[0];
  w.weight = holder.register_parameter("weight", zeros({out, layer.in()[0]}));
  if (linearParams(layer.layer).bias)
    w.bias = holder.register_parameter("bias", zeros({out}));
}

at::Tensor linearForward(const LayerShapes &, const LayerWeights &w,
                         const std::vector<at::Tensor> &inputs, bool) {
  return at::linear(inputs[0], w.weight, w.bias);
}

at::Tensor flattenForward(const LayerShapes &, const LayerWeights &,
                          const std::vector<at::Tensor> &inputs, bool) {
  return inputs[0].flatten(1);
}

at::Tensor reshapeForward(const LayerShapes &layer, const LayerWeights &,
                          const std::vector<at::Tensor> &inputs, bool) {
  std::vector<int64_t> shape{inputs[0].size(0)};
  shape.insert(shape.end(), layer.result.begin(), layer.result.end());
  return inputs[0].reshape(shape);
}

const TorchOp kLinear{linearOp, addLinearWeights, linearForward};
const TorchOp kFlatten{flattenOp, nullptr, flattenForward};
const TorchOp kReshape{reshapeOp, nullptr, reshapeForward};

} // namespace

std::vector<const TorchOp *> linearTorchOps() {
  return {&kLinear, &kFlatten, &kReshape};
}

} // namespace goe::torchref::detail
