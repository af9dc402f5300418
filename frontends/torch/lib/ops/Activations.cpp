//===- Activations.cpp - relu, sigmoid, silu, leaky_relu, softmax ---------===//
//
// Pairs frontends/spec/lib/ops/Activations.cpp.
//
//===----------------------------------------------------------------------===//

#include "TorchOp.h"

using namespace goe::spec;
using namespace goe::spec::ops;

namespace goe::torchref::detail {

at::Tensor activation(Activation kind, double slope, const at::Tensor &x) {
  switch (kind) {
  case Activation::None:
    return x;
  case Activation::Relu:
    return at::relu(x);
  case Activation::Sigmoid:
    return at::sigmoid(x);
  case Activation::Silu:
    return at::silu(x);
  case Activation::LeakyRelu:
    return at::leaky_relu(x, slope);
  }
  return x;
}

namespace {

at::Tensor activationForward(const LayerShapes &layer, const LayerWeights &,
                             const std::vector<at::Tensor> &inputs, bool) {
  ActivationParams p = activationParams(layer.layer);
  return activation(p.kind, p.slope, inputs[0]);
}

at::Tensor softmaxForward(const LayerShapes &layer, const LayerWeights &,
                          const std::vector<at::Tensor> &inputs, bool) {
  return at::softmax(inputs[0],
                     batchedAxis(layer.in(), softmaxAxis(layer.layer)));
}

const TorchOp kRelu{reluOp, nullptr, activationForward};
const TorchOp kSigmoid{sigmoidOp, nullptr, activationForward};
const TorchOp kSilu{siluOp, nullptr, activationForward};
const TorchOp kLeakyRelu{leakyReluOp, nullptr, activationForward};
const TorchOp kSoftmax{softmaxOp, nullptr, softmaxForward};

} // namespace

std::vector<const TorchOp *> activationTorchOps() {
  return {&kRelu, &kSigmoid, &kSilu, &kLeakyRelu, &kSoftmax};
}

} // namespace goe::torchref::detail
