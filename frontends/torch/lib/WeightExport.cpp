//===- WeightExport.cpp - a reference model's weights, by name ------------===//

#include "goe/Frontends/Torch/WeightExport.h"

#include <torch/torch.h>

std::map<std::string, goe::artifact::Tensor>
goe::torchref::exportWeights(const Model &model) {
  std::map<std::string, artifact::Tensor> weights;
  for (const auto &[name, value] : model.parameters())
    weights[name] = toArtifactTensor(name, value);
  return weights;
}

goe::artifact::Tensor goe::torchref::toArtifactTensor(const std::string &name,
                                                      const at::Tensor &value) {
  at::Tensor data = value.detach().to(at::kFloat).contiguous();
  artifact::Tensor tensor;
  tensor.set_name(name);
  for (int64_t d : data.sizes())
    tensor.add_shape(d);
  tensor.set_dtype(artifact::F32);
  tensor.set_data(std::string(static_cast<const char *>(data.data_ptr()),
                              data.numel() * sizeof(float)));
  return tensor;
}

goe::runtime::TensorView goe::torchref::viewOf(const at::Tensor &tensor) {
  runtime::TensorView view;
  view.dtype = tensor.scalar_type() == at::kLong ? runtime::DType::I64
                                                 : runtime::DType::F32;
  view.shape.assign(tensor.sizes().begin(), tensor.sizes().end());
  view.data = tensor.data_ptr();
  return view;
}
