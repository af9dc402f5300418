//===- StageSelection.h - inner values and parameter subsets ----*- C++ -*-===//
//
// What staged training asks of a graph plan: a value other than the spec's
// outputs for the loss to read (a node, one of its outputs, a router's gate
// logits), and the layers whose parameters a stage trains. Resolved against
// the plan, so the names are those of the spec and of the weight globals.
// No LibTorch.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_TORCH_LIB_STAGESELECTION_H
#define GOE_FRONTENDS_TORCH_LIB_STAGESELECTION_H

#include "goe/Frontends/Spec/GraphPlan.h"

#include <set>
#include <string>
#include <vector>

namespace goe::torchref::detail {

/// One value forward() gives in place of the spec's outputs.
struct SelectedOutput {
  spec::ValueRef ref;     // the node and output index (ignored for a gate)
  bool gate = false;      // a router node: its gate logits [B, choices]
  bool oneChoice = false; // a dispatch of k = 1: [B, 1, ...] -> [B, ...]
  spec::TensorInfo type;  // per sample, as forward() gives it
};

/// Resolves `ref` (`node`, `node.output` or a router node) against `plan`;
/// false with `error` when the graph cannot give it.
bool resolveOutput(const spec::GraphPlan &plan, const std::string &ref,
                   SelectedOutput &out, std::string &error);

/// The weight-global prefixes (`<instance>.<layer index>.`) of the layers
/// `ref` selects: every layer of every instance a node runs (a router
/// node: its gate's), or with `node.output` the layers that output depends
/// on. False with `error` for a reference that selects nothing trainable.
bool selectLayers(const spec::GraphPlan &plan, const std::string &ref,
                  std::set<std::string> &prefixes, std::string &error);

} // namespace goe::torchref::detail

#endif // GOE_FRONTENDS_TORCH_LIB_STAGESELECTION_H
