//===- Plan.h - the graph of a spec, resolved for execution -----*- C++ -*-===//
//
// What the LibTorch model runs, worked out without LibTorch: every module
// instance with its resolved shapes and its MLIRGen name, and every graph
// node with the values it reads. The walk mirrors MLIRGen's GraphGen node for
// node, so that instance names, tree paths and router bodies come out the
// same; keeping it free of torch headers keeps it quick to compile.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_TORCH_PLAN_H
#define GOE_FRONTENDS_TORCH_PLAN_H

#include "goe/Frontends/Spec/ShapeInference.h"

#include <memory>

namespace goe::torchref::detail {

struct InstancePlan {
  std::string name;
  spec::ResolvedModule resolved;
};

/// One tensor of the graph: output `index` of a graph input or node.
struct ValueRef {
  std::string node;
  size_t index = 0;
};

struct NodePlan {
  enum Kind { Module, Router, Dispatch, Combine } kind = Module;
  std::string name;
  std::vector<ValueRef> inputs;  // the tensors read, in order
  int instance = -1;             // Module: the instance it runs

  // Router: the router in effect (after --router) and its body instance.
  const spec::Router *router = nullptr;
  int body = -1;

  // Dispatch and Combine: the router node whose decision they follow.
  std::string route;
  int64_t choices = 0, k = 1;
  // Dispatch: per path, the chain of instances; per output, its per-sample
  // type (without the k dimension).
  std::vector<std::vector<int>> paths;
  std::vector<spec::TensorInfo> pathTypes;

  // Combine: its kind; the dispatch's tensors start at inputs[dispatchStart].
  std::string combine;
  size_t dispatchStart = 0;
};

struct Plan {
  /// The model's own copy: every pointer below points into it.
  spec::Spec spec;
  std::vector<InstancePlan> instances;
  std::vector<NodePlan> nodes;
  std::vector<ValueRef> outputs;
};

/// Resolves `spec` into a plan; errors go to `context` at the YAML location,
/// and give null.
std::unique_ptr<Plan>
buildPlan(const spec::Spec &spec,
          const std::map<std::string, std::string> &routers,
          mlir::MLIRContext *context);

} // namespace goe::torchref::detail

#endif // GOE_FRONTENDS_TORCH_PLAN_H
