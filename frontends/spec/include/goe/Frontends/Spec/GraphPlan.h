//===- GraphPlan.h - the spec's graph, resolved once ------------*- C++ -*-===//
//
// The one walk of a spec's graph: names looked up, `--router` choices
// applied, every module instance resolved and named, tree paths numbered,
// routers' bodies and combines checked against their kinds. MLIRGen emits
// goe IR from the plan and the LibTorch reference runs it, so both see the
// same instances, paths and errors. No IR is built here.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_SPEC_GRAPHPLAN_H
#define GOE_FRONTENDS_SPEC_GRAPHPLAN_H

#include "goe/Dialect/Goe/CombineKinds.h"
#include "goe/Dialect/Goe/RouterKinds.h"
#include "goe/Frontends/Spec/ShapeInference.h"

namespace goe::spec {

/// One module instance: a function of the goe module, a torch module of the
/// reference. Named `<node>`, `<node>.expert<i>`, `<node>.level<l>.<i>` or
/// `<router>.<module>`.
struct PlanInstance {
  std::string name;
  ResolvedModule resolved;
  Loc loc; // where the instance is written in the spec
};

/// Output `index` of a graph input or node.
struct ValueRef {
  std::string node;
  size_t index = 0;
};

/// A declared router (one goe.router): the one a routing node runs after
/// `--router`, or one the graph does not place.
struct PlanRouter {
  const Router *router;
  const RouterKindInfo *kind;
  int body = -1;             // its body instance; -1 when the kind has none
  TensorInfo input;          // what it reads per sample
  size_t instanceEnd = 0;    // instances planned once it is declared
};

struct PlanNode {
  enum Kind { Module, Router, Dispatch, Combine } kind = Module;
  const Node *node = nullptr;        // name and location
  std::vector<ValueRef> inputs;      // the tensors read, in order
  std::vector<TensorInfo> outputTypes; // Dispatch: with the k dimension first
  std::vector<std::string> outputNames; // when the outputs are named
  size_t instanceEnd = 0;            // instances planned once it is planned

  int instance = -1; // Module: the instance it runs
  int router = -1;   // Router: into GraphPlan::routers

  // Dispatch and Combine: the router node whose decision they follow.
  std::string route;
  int64_t choices = 0, k = 1;
  // Dispatch: per path, its chain of instances (path p at level l of a
  // depth-d tree uses instance p >> (d-1-l) of that level).
  std::vector<std::vector<int>> paths;

  // Combine: its kind and its parameters with the kind's defaults; the
  // dispatch's results are inputs[dispatchStart...].
  const CombineKindInfo *combine = nullptr;
  ParamValues params;
  size_t dispatchStart = 0;
};

struct GraphPlan {
  const Spec *spec = nullptr;           // the plan points into it
  std::vector<PlanInstance> instances; // in the order they were planned
  std::vector<PlanRouter> routers;     // in the order they were declared
  std::vector<PlanNode> nodes;         // the graph's nodes, in order
  std::vector<ValueRef> outputs;       // the spec's outputs, one per tensor
  std::vector<TensorInfo> outputTypes;
  /// One per tensor: the spec's reference ("logits", "feats.p3"), with
  /// ".<output>" added when a reference names a node of several outputs.
  std::vector<std::string> outputNames;
  std::vector<Loc> outputLocs;
};

/// Router replacements from `--router`: node name (or "" for the graph's
/// only router node) to router name.
using RouterChoices = std::map<std::string, std::string>;

/// Plans `spec`'s graph. `spec` must outlive the plan. Errors are reported
/// at their YAML location through `context` and give failure.
mlir::FailureOr<GraphPlan> planGraph(const Spec &spec,
                                     const RouterChoices &routers,
                                     mlir::MLIRContext *context);

/// A router's or combine's spec parameters as numbers (a choice by its
/// index), with the kind's defaults for those left out.
ParamValues paramValues(const Fields &fields,
                        const std::vector<KindParam> &params);

} // namespace goe::spec

#endif // GOE_FRONTENDS_SPEC_GRAPHPLAN_H
