//===- Merge.cpp - add, mul, concat in LibTorch ---------------------------===//
//
// Pairs frontends/spec/lib/ops/Merge.cpp.
//
//===----------------------------------------------------------------------===//

#include "TorchOp.h"

#include "goe/Frontends/Spec/ops/Merge.h"

using namespace goe::spec;
using namespace goe::spec::ops;

namespace goe::torchref::detail {
namespace {

at::Tensor addForward(const LayerShapes &, const LayerWeights &,
                      const std::vector<at::Tensor> &inputs, bool) {
  return inputs[0] + inputs[1];
}

at::Tensor mulForward(const LayerShapes &, const LayerWeights &,
                      const std::vector<at::Tensor> &inputs, bool) {
  return inputs[0] * inputs[1];
}

at::Tensor concatForward(const LayerShapes &layer, const LayerWeights &,
                         const std::vector<at::Tensor> &inputs, bool) {
  return at::cat(inputs, batchedAxis(layer.in(), concatAxis(layer.layer)));
}

const TorchOp kAdd{addOp, nullptr, addForward};
const TorchOp kMul{mulOp, nullptr, mulForward};
const TorchOp kConcat{concatOp, nullptr, concatForward};

} // namespace

std::vector<const TorchOp *> mergeTorchOps() {
  return {&kAdd, &kMul, &kConcat};
}

} // namespace goe::torchref::detail
