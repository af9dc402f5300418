//===- Planner.h - the graph planner's internals ----------------*- C++ -*-===//
//
// The state of one planGraph walk, shared by GraphPlan.cpp (lookups, module
// and router nodes, the walk) and PlanRoutedNodes.cpp (dispatch and combine).
// Every check reports at the YAML location through MLIR diagnostics and
// returns failure; nothing throws. Not installed: users see GraphPlan.h.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_SPEC_LIB_PLANNER_H
#define GOE_FRONTENDS_SPEC_LIB_PLANNER_H

#include "goe/Frontends/Spec/GraphPlan.h"

#include "mlir/IR/Diagnostics.h"

namespace goe::spec::plan {

using mlir::failure;
using mlir::LogicalResult;
using mlir::success;

/// What a graph input or node produced, for the nodes after it.
struct Entry {
  bool routing = false;    // a router node: a decision, not tensors
  bool isDispatch = false; // per-choice results, only a combine reads them
  std::vector<TensorInfo> types;
  std::vector<std::string> names;
  std::string route; // a dispatch's router node
  int64_t choices = 0, k = 1;
};

class Planner {
public:
  Planner(GraphPlan &plan, const RouterChoices &choices,
          mlir::MLIRContext *context)
      : plan(plan), spec(*plan.spec), choices(choices), context(context) {}

  LogicalResult run();

private:
  /// Reports `message` at `loc` and gives failure.
  LogicalResult error(Loc loc, const std::string &message);
  static std::string where(const Node &node) {
    return "graph node '" + node.name + "'";
  }

  /// The entry a reference's node part names.
  const Entry *lookupNode(const Ref &ref, const std::string &reader);
  /// Appends the tensors `ref` names (all outputs of a node without `.out`);
  /// only a combine may read a dispatch.
  const Entry *lookup(const Ref &ref, const std::string &reader,
                      std::vector<ValueRef> &values,
                      std::vector<TensorInfo> &types, bool forCombine = false);
  LogicalResult gather(const std::vector<Ref> &refs, const std::string &reader,
                       std::vector<ValueRef> &values,
                       std::vector<TensorInfo> &types);

  /// The spec's module (router) of that name; null when there is none.
  const Module *findModule(const std::string &name) const;
  const Router *findRouter(const std::string &name) const;

  /// Resolves an instance of `module` on `inputs`; -1 after an error.
  int instance(const Module &module, const std::vector<TensorInfo> &inputs,
               const std::string &name, Loc loc, const std::string &what);
  /// The declaration of `router` reading `input`; -1 after an error.
  int declareRouter(const Router &router, const Ref &from,
                    const TensorInfo &input);
  LogicalResult checkRouterChoices();
  LogicalResult declareUnplacedRouters();
  LogicalResult planOutputs();
  /// The model's total weights and per-sample activations against goe's
  /// limits and this machine's memory (ResourceBounds.cpp).
  LogicalResult checkResources();

  LogicalResult moduleNode(const Node &node);
  LogicalResult routerNode(const Node &node);
  LogicalResult dispatchNode(const Node &node);
  LogicalResult combineNode(const Node &node);
  LogicalResult expertPaths(const Node &node, PlanNode &out,
                            const std::vector<TensorInfo> &types,
                            std::vector<TensorInfo> &pathTypes);
  LogicalResult treePaths(const Node &node, PlanNode &out,
                          const std::vector<TensorInfo> &types,
                          std::vector<TensorInfo> &pathTypes);

  GraphPlan &plan;
  const Spec &spec;
  const RouterChoices &choices;
  mlir::MLIRContext *context;
  std::map<std::string, Entry> table;
  std::map<std::string, int> declared; // router name -> into plan.routers
  // The spec's modules and routers by name (the reader has checked every
  // name a node uses): Spec::findModule's linear search would make a
  // graph of 100,000 nodes take quadratic time.
  std::map<std::string, const Module *> modules;
  std::map<std::string, const Router *> routers;
};

} // namespace goe::spec::plan

#endif // GOE_FRONTENDS_SPEC_LIB_PLANNER_H
