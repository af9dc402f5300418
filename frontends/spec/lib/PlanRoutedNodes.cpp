//===- PlanRoutedNodes.cpp - dispatch and combine nodes of the plan -------===//
//
// A dispatch node gets one instance per expert, or per tree node (level l
// of a Graph-of-Experts tree holds 2^l instances of its module; path bits
// are most-significant first, so path p at level l of a depth-d tree uses
// instance p >> (d-1-l)). A combine node is checked against its kind's
// descriptor, which also gives its results' types.
//
//===----------------------------------------------------------------------===//

#include "Planner.h"

namespace goe::spec::plan {

LogicalResult Planner::expertPaths(const Node &node, PlanNode &out,
                                   const std::vector<TensorInfo> &types,
                                   std::vector<TensorInfo> &pathTypes) {
  if ((int64_t)node.modules.size() != out.choices)
    return error(node.loc, "router of '" + node.target + "' chooses among " +
                               std::to_string(out.choices) + " experts but " +
                               where(node) + " has " +
                               std::to_string(node.modules.size()));
  for (size_t i = 0; i < node.modules.size(); ++i) {
    int id = instance(*findModule(node.modules[i]), types,
                      node.name + ".expert" + std::to_string(i),
                      node.moduleLocs[i], where(node));
    if (id < 0)
      return failure();
    const std::vector<TensorInfo> &outputs =
        plan.instances[id].resolved.outputTypes;
    if (i > 0 && outputs.size() != pathTypes.size())
      return error(node.moduleLocs[i], "expert " + std::to_string(i) +
                                           " returns a different number of "
                                           "values than expert 0");
    for (size_t o = 0; i > 0 && o < pathTypes.size(); ++o)
      if (outputs[o].shape != pathTypes[o].shape)
        return error(node.moduleLocs[i],
                     "expert " + std::to_string(i) + " (module '" +
                         node.modules[i] + "') returns " +
                         formatShape(outputs[o].shape) +
                         " but expert 0 returns " +
                         formatShape(pathTypes[o].shape));
    pathTypes = outputs;
    out.paths.push_back({id});
  }
  return success();
}

LogicalResult Planner::treePaths(const Node &node, PlanNode &out,
                                 const std::vector<TensorInfo> &types,
                                 std::vector<TensorInfo> &pathTypes) {
  int64_t depth = node.modules.size();
  if ((int64_t(1) << (depth - 1)) != out.choices)
    return error(node.loc, "a tree of depth " + std::to_string(depth) +
                               " has " +
                               std::to_string(int64_t(1) << (depth - 1)) +
                               " paths but the router of '" + node.target +
                               "' chooses among " +
                               std::to_string(out.choices));
  // Level by level, each level's module resolved once and instantiated
  // 2^level times: that order is the instances' (and functions') order.
  std::vector<std::vector<int>> levels(depth);
  pathTypes = types;
  for (int64_t level = 0; level < depth; ++level) {
    std::string prefix = node.name + ".level" + std::to_string(level) + ".";
    int first = instance(*findModule(node.modules[level]), pathTypes,
                         prefix + "0", node.moduleLocs[level],
                         where(node) + " level " + std::to_string(level));
    if (first < 0)
      return failure();
    levels[level].push_back(first);
    for (int64_t i = 1; i < (int64_t(1) << level); ++i) {
      PlanInstance copy = plan.instances[first];
      copy.name = prefix + std::to_string(i);
      plan.instances.push_back(std::move(copy));
      levels[level].push_back((int)plan.instances.size() - 1);
    }
    pathTypes = plan.instances[first].resolved.outputTypes;
  }
  for (int64_t path = 0; path < out.choices; ++path) {
    std::vector<int> chain;
    for (int64_t level = 0; level < depth; ++level)
      chain.push_back(levels[level][path >> (depth - 1 - level)]);
    out.paths.push_back(std::move(chain));
  }
  return success();
}

LogicalResult Planner::dispatchNode(const Node &node) {
  auto routeIt = table.find(node.target);
  if (routeIt == table.end() || !routeIt->second.routing)
    return error(node.targetLoc, where(node) + " routes by '" + node.target +
                                     "', which is not an earlier router node");
  PlanNode out;
  out.kind = PlanNode::Dispatch;
  out.node = &node;
  out.route = node.target;
  out.choices = routeIt->second.choices;
  out.k = routeIt->second.k;
  std::vector<TensorInfo> types, pathTypes;
  if (failed(gather(node.from, where(node), out.inputs, types)))
    return failure();
  if (failed(node.tree ? treePaths(node, out, types, pathTypes)
                       : expertPaths(node, out, types, pathTypes)))
    return failure();
  for (TensorInfo type : pathTypes) {
    type.shape.insert(type.shape.begin(), out.k);
    out.outputTypes.push_back(type);
  }
  out.outputNames =
      findModule(node.tree ? node.modules.back() : node.modules[0])
          ->outputNames;
  out.instanceEnd = plan.instances.size();
  Entry entry{false, true, out.outputTypes, out.outputNames, out.route,
              out.choices, out.k};
  table[node.name] = entry;
  plan.nodes.push_back(std::move(out));
  return success();
}

LogicalResult Planner::combineNode(const Node &node) {
  const CombineKindInfo &kind = *findCombineKind(node.target);
  PlanNode out;
  out.kind = PlanNode::Combine;
  out.node = &node;
  out.combine = &kind;
  out.params = paramValues(node.params, kind.params);
  std::vector<TensorInfo> types;
  bool afterDispatch = false; // the dispatch's results come last
  std::vector<std::string> dispatchNames;
  for (const Ref &ref : node.from) {
    size_t before = out.inputs.size();
    const Entry *owner =
        lookup(ref, where(node), out.inputs, types, /*forCombine=*/true);
    if (!owner)
      return failure();
    if (!owner->isDispatch) {
      if (afterDispatch)
        return error(ref.loc, where(node) + " (" + node.target + "): reads " +
                                  kind.layout);
      continue;
    }
    if (!out.route.empty() && out.route != owner->route)
      return error(ref.loc, where(node) + " reads two dispatches; a combine "
                                          "merges the results of one");
    if (!afterDispatch)
      out.dispatchStart = before;
    afterDispatch = true;
    out.route = owner->route;
    dispatchNames = owner->names;
    out.choices = owner->choices;
    out.k = owner->k;
  }
  if (out.route.empty())
    return error(node.loc, where(node) + " reads no dispatch: a combine "
                                         "merges the per-choice results of "
                                         "one");
  std::string what = where(node) + " (" + node.target + "): ";
  if (out.dispatchStart != kind.leadingInputs)
    return error(node.loc, what + "reads " + kind.layout);
  std::vector<SampleType> inputs, results;
  for (const TensorInfo &type : types)
    inputs.push_back({type.shape, type.isInt});
  std::string problem = kind.results(out.k, inputs, out.params, results);
  if (!problem.empty())
    return error(node.loc, what + problem);
  for (const SampleType &result : results)
    out.outputTypes.push_back({result.shape, result.isInt});
  out.instanceEnd = plan.instances.size();
  // `select` gives the chosen expert's outputs as they are: under their
  // names too (`feats.p3` after a dispatch of multi-output backbones).
  std::vector<std::string> names;
  if (kind.kind == goe::CombineKind::Select &&
      dispatchNames.size() == out.outputTypes.size())
    names = dispatchNames;
  table[node.name] = Entry{false, false, out.outputTypes, names};
  plan.nodes.push_back(std::move(out));
  return success();
}

} // namespace goe::spec::plan
