//===- Instance.h - one module instance as a torch::nn::Module --*- C++ -*-===//
//
// Private to the library (it includes LibTorch). An InstanceModule runs the
// layers of one resolved module instance in PyTorch layouts. Its parameters
// and buffers are registered under the layer index, so that named_parameters()
// and named_buffers() give `<layer>.weight`, `<layer>.conv.weight`,
// `<layer>.bn.running_mean`, ...: prefixed with the instance name these are
// the MLIR weight globals' names. Each layer runs its op's LibTorch side
// (ops/TorchOp.h).
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_TORCH_INSTANCE_H
#define GOE_FRONTENDS_TORCH_INSTANCE_H

#include "ops/TorchOp.h"

namespace goe::torchref::detail {

class InstanceModule : public torch::nn::Module {
public:
  /// `resolved` must outlive the module (it lives in the model's Plan).
  explicit InstanceModule(const spec::ResolvedModule &resolved);

  std::vector<at::Tensor> forward(const std::vector<at::Tensor> &inputs);

  /// Conv and linear weights as PyTorch's default init; batch norm either
  /// at PyTorch's defaults (1, 0, 0, 1) or, with `randomNorm`, at random
  /// but sane values. Draws from `generator` in layer order.
  void init(at::Generator &generator, bool randomNorm);

  /// Model::foldBatchNorm for this instance's layers.
  void foldBatchNorm();

  /// Layers with a raw form (TorchOp::rawForward) give it (Model::rawDetections).
  bool rawOutputs = false;

private:
  const spec::ResolvedModule &resolved;
  // Per layer, in resolved.layers order.
  std::vector<spec::LayerShapes> layers;
  std::vector<const TorchOp *> ops;
  std::vector<LayerWeights> weights;
};

} // namespace goe::torchref::detail

#endif // GOE_FRONTENDS_TORCH_INSTANCE_H
