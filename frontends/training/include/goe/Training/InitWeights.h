//===- InitWeights.h - start a run from a weight file -----------*- C++ -*-===//
//
// goe-train --init-weights W.goew: a new run (not a resumed one) starts from
// the weights of a .goew instead of the random init, as PyTorch users load a
// state dict before fine-tuning. Typical use: a staged run's later stages
// (`--stages expert,gate --init-weights general.goew`) without training its
// first stage again.
//
// Rules, checked before anything is copied (a failure leaves the model as
// it was):
//   - a tensor of W whose name the model has must have the model's shape;
//   - tensors of W the model lacks are listed and ignored (a router's
//     tables, or another spec's extra instances);
//   - the model's weights W lacks keep their random init and are listed;
//   - W sharing no name with the model is an error: another spec.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_INITWEIGHTS_H
#define GOE_TRAINING_INITWEIGHTS_H

#include "goe/Frontends/Torch/TorchModel.h"
#include "goe/Runtime/Status.h"

#include <string>
#include <vector>

namespace goe::train {

/// What loadInitWeights copied and what it could not match.
struct InitWeightsReport {
  int64_t loaded = 0;
  std::vector<std::string> ignored; // in the file, not in the model
  std::vector<std::string> missing; // in the model, not in the file
};

/// Copies the tensors of the .goew at `path` into `model` by name.
runtime::StatusOr<InitWeightsReport>
loadInitWeights(const std::string &path, torchref::Model &model);

} // namespace goe::train

#endif // GOE_TRAINING_INITWEIGHTS_H
