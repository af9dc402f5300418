//===- WeightExport.h - LibTorch tensors for the compiler and runtime -*- C++ -*-===//
//
// The bridge from the LibTorch model to what goe-compile and the runtime
// consume: every parameter and batch-norm statistic as an artifact tensor
// named exactly as the spec frontend names its weight globals. Parity tests,
// the benchmark and (later) goe-train's weight files all go through it.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_TORCH_WEIGHTEXPORT_H
#define GOE_FRONTENDS_TORCH_WEIGHTEXPORT_H

#include "goe/Frontends/Torch/TorchModel.h"
#include "goe/Runtime/Tensor.h"
#include "goe/Runtime/proto/artifact.pb.h"

#include <map>
#include <string>

namespace goe::torchref {

/// Every tensor of `model` as contiguous f32 data, keyed by name.
std::map<std::string, artifact::Tensor> exportWeights(const Model &model);

/// One LibTorch tensor as an artifact tensor named `name`: converted to f32,
/// contiguous, row-major.
artifact::Tensor toArtifactTensor(const std::string &name,
                                  const at::Tensor &value);

/// A runtime view of a contiguous f32 or i64 LibTorch tensor (no copy; the
/// tensor must outlive the view).
runtime::TensorView viewOf(const at::Tensor &tensor);

} // namespace goe::torchref

#endif // GOE_FRONTENDS_TORCH_WEIGHTEXPORT_H
