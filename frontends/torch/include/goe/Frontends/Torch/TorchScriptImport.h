//===- TorchScriptImport.h - weights from a PyTorch TorchScript file -*- C++ -*-===//
//
// For users who trained in PyTorch: a TorchScript file (torch.jit.save of
// a scripted or traced module) is read with LibTorch and its parameters and
// buffers are taken by name. PyTorch's dotted names (`paths.expert0.0.weight`,
// `paths.expert0.1.running_mean`) are goe's weight names when the PyTorch
// module mirrors the spec (docs/spec.md, "Weights"), with PyTorch layouts.
//
// Every weight the spec needs must be present with its exact shape; tensors
// the spec does not use (PyTorch's batch-norm `num_batches_tracked`, an
// optimizer's leftovers, layers the spec leaves out) are ignored and listed
// so the caller can say so. Floating-point tensors of any precision are
// converted to f32; any other dtype is an error.
//
// This header needs no LibTorch headers, so callers that only import (the
// goe-train driver) stay free of them.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_TORCH_TORCHSCRIPTIMPORT_H
#define GOE_FRONTENDS_TORCH_TORCHSCRIPTIMPORT_H

#include "goe/Runtime/Status.h"
#include "goe/Runtime/proto/artifact.pb.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace goe::torchref {

struct TorchScriptWeights {
  /// Every expected weight, f32, by goe name, shaped as expected.
  std::map<std::string, artifact::Tensor> weights;
  /// Names in the file that were not expected, sorted.
  std::vector<std::string> ignored;
  /// Expected names whose tensors were not f32 and were converted
  /// ("name (Double)"), sorted.
  std::vector<std::string> converted;
  /// `idle` names absent from the file, written as zeros, sorted.
  std::vector<std::string> zeroFilled;
};

using WeightShapes = std::map<std::string, std::vector<int64_t>>;

/// Reads the TorchScript file at `path` and takes, from its parameters and
/// buffers (recursively, PyTorch's dotted names), each of `expected`
/// (goe name -> shape). `idle` weights are those the compiled graph holds
/// but never runs (the encoder of a declared router the graph does not
/// route with): taken if present, zeros if absent, since a PyTorch model
/// trained without that router has no such weights. Errors name the file
/// and every missing or mis-shaped weight: a missing file is NotFound, a
/// file that is not a TorchScript archive is DataLoss, a missing or
/// mis-shaped weight is InvalidArgument. Never throws.
runtime::StatusOr<TorchScriptWeights>
importTorchScript(const std::string &path, const WeightShapes &expected,
                  const WeightShapes &idle = {});

} // namespace goe::torchref

#endif // GOE_FRONTENDS_TORCH_TORCHSCRIPTIMPORT_H
