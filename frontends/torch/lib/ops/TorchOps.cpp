//===- TorchOps.cpp - the registry of the LibTorch layer ops --------------===//
//
// Lists the families (each pairs a family file of the spec library); the
// ops themselves are defined in the family files next to this one.
//
//===----------------------------------------------------------------------===//

#include "TorchOp.h"

namespace goe::torchref::detail {

std::vector<const TorchOp *> convolutionTorchOps();
std::vector<const TorchOp *> normalizationTorchOps();
std::vector<const TorchOp *> activationTorchOps();
std::vector<const TorchOp *> poolingTorchOps();
std::vector<const TorchOp *> linearTorchOps();
std::vector<const TorchOp *> mergeTorchOps();
std::vector<const TorchOp *> detectionTorchOps();

const TorchOp *findTorchOp(const spec::LayerOp &op) {
  static const std::vector<const TorchOp *> all = [] {
    std::vector<const TorchOp *> ops;
    for (auto family : {convolutionTorchOps, normalizationTorchOps,
                        activationTorchOps, poolingTorchOps, linearTorchOps,
                        mergeTorchOps, detectionTorchOps})
      for (const TorchOp *torchOp : family())
        ops.push_back(torchOp);
    return ops;
  }();
  for (const TorchOp *torchOp : all)
    if (&torchOp->op == &op)
      return torchOp;
  return nullptr;
}

at::Tensor zeros(at::IntArrayRef shape) {
  return at::zeros(shape, at::TensorOptions().dtype(at::kFloat));
}

std::shared_ptr<torch::nn::Module> child(torch::nn::Module &parent,
                                         const std::string &name) {
  return parent.register_module(name, std::make_shared<torch::nn::Module>());
}

int64_t batchedAxis(const spec::Shape &perSample, int64_t axis) {
  int64_t rank = (int64_t)perSample.size();
  return (axis + rank) % rank + 1;
}

} // namespace goe::torchref::detail
