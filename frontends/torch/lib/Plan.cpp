//===- Plan.cpp - the graph of a spec, resolved for execution -------------===//
//
// Walks the graph nodes in order exactly as MLIRGen's GraphGen does (same
// lookups, same router substitution, same instance names and path order),
// recording indices instead of emitting IR. MLIRGen stays the authority on
// what a valid graph is: the checks here are only those that keep the walk
// itself from going wrong, with the same messages where they overlap.
//
//===----------------------------------------------------------------------===//

#include "Plan.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

using namespace goe::spec;

namespace goe::torchref::detail {
namespace {

struct PlanError {
  Loc loc;
  std::string message;
};

[[noreturn]] void fail(Loc loc, const std::string &message) {
  throw PlanError{loc, message};
}

/// What a graph input or node produced, as GraphGen's GraphValue.
struct Entry {
  bool routing = false;
  std::vector<TensorInfo> types;
  std::vector<std::string> names;
  bool isDispatch = false;
  std::string route; // dispatch: its router node
  int64_t choices = 0, k = 1;
};

class Planner {
public:
  Planner(Plan &plan, const std::map<std::string, std::string> &routers,
          mlir::MLIRContext *context)
      : plan(plan), spec(plan.spec), routers(routers), context(context) {}

  void run();

private:
  std::string where(const Node &node) {
    return "graph node '" + node.name + "'";
  }
  const Entry &lookupNode(const Ref &ref, const std::string &reader);
  const Entry &lookup(const Ref &ref, const std::string &reader,
                      std::vector<ValueRef> &values,
                      std::vector<TensorInfo> &types);
  int instance(const Module &module, const std::vector<TensorInfo> &inputs,
               const std::string &name, Loc where, const std::string &what);
  int declareRouter(const Router &router,
                    const std::vector<TensorInfo> &inputs);

  void moduleNode(const Node &node);
  void routerNode(const Node &node);
  void dispatchNode(const Node &node);
  void combineNode(const Node &node);

  Plan &plan;
  const Spec &spec;
  const std::map<std::string, std::string> &routers;
  mlir::MLIRContext *context;
  std::map<std::string, Entry> table;
  std::map<std::string, int> bodies; // router name -> body instance (-1: none)
};

const Entry &Planner::lookupNode(const Ref &ref, const std::string &reader) {
  std::string base = ref.name.substr(0, ref.name.find('.'));
  auto it = table.find(base);
  if (it == table.end())
    fail(ref.loc, reader + " reads '" + base +
                      "', which is not a model input or an earlier node");
  return it->second;
}

const Entry &Planner::lookup(const Ref &ref, const std::string &reader,
                             std::vector<ValueRef> &values,
                             std::vector<TensorInfo> &types) {
  const Entry &entry = lookupNode(ref, reader);
  if (entry.routing)
    fail(ref.loc, reader + " reads '" + ref.name +
                      "', a routing decision, where a tensor is needed");
  std::string base = ref.name.substr(0, ref.name.find('.'));
  size_t dot = ref.name.find('.');
  if (dot == std::string::npos) {
    for (size_t i = 0; i < entry.types.size(); ++i) {
      values.push_back({base, i});
      types.push_back(entry.types[i]);
    }
    return entry;
  }
  // `node.out`: by output name, else by position (GraphGen's rule).
  std::string output = ref.name.substr(dot + 1);
  for (size_t i = 0; i < entry.types.size(); ++i) {
    bool byName = i < entry.names.size() && entry.names[i] == output;
    if (byName || output == std::to_string(i)) {
      values.push_back({base, i});
      types.push_back(entry.types[i]);
      return entry;
    }
  }
  fail(ref.loc, reader + " reads '" + ref.name + "', but '" + base +
                    "' has no output '" + output + "'");
}

int Planner::instance(const Module &module,
                      const std::vector<TensorInfo> &inputs,
                      const std::string &name, Loc loc,
                      const std::string &what) {
  if (inputs.size() != module.inputs.size())
    fail(loc, what + ": module '" + module.name + "' takes " +
                  std::to_string(module.inputs.size()) + " inputs, given " +
                  std::to_string(inputs.size()));
  mlir::FailureOr<ResolvedModule> resolved =
      resolveModule(spec, module, inputs, context);
  if (mlir::failed(resolved))
    throw PlanError{{}, ""}; // already reported at the layer
  plan.instances.push_back({name, *resolved});
  return (int)plan.instances.size() - 1;
}

int Planner::declareRouter(const Router &router,
                           const std::vector<TensorInfo> &inputs) {
  auto it = bodies.find(router.name);
  if (it != bodies.end())
    return it->second;
  int body = -1;
  if (!router.body.empty()) {
    const Module *module = spec.findModule(router.body);
    if (!module)
      fail(router.bodyLoc, "router '" + router.name + "' names module '" +
                               router.body + "', which does not exist");
    body = instance(*module, inputs, router.name + "." + router.body,
                    router.bodyLoc, "router '" + router.name + "'");
  }
  bodies[router.name] = body;
  return body;
}

void Planner::moduleNode(const Node &node) {
  NodePlan out;
  out.kind = NodePlan::Module;
  out.name = node.name;
  std::vector<TensorInfo> types;
  for (const Ref &ref : node.from)
    lookup(ref, where(node), out.inputs, types);
  out.instance = instance(*spec.findModule(node.target), types, node.name,
                          node.targetLoc, where(node));
  const ResolvedModule &resolved = plan.instances[out.instance].resolved;
  Entry entry;
  entry.types = resolved.outputTypes;
  entry.names = resolved.module->outputNames;
  table[node.name] = entry;
  plan.nodes.push_back(out);
}

void Planner::routerNode(const Node &node) {
  // The same substitution as GraphGen::emitRouterNode (`--router`).
  std::string routerName = node.target;
  for (const std::string &key : {node.name, std::string()}) {
    auto it = routers.find(key);
    if (it != routers.end()) {
      routerName = it->second;
      break;
    }
  }
  const Router *router = spec.findRouter(routerName);
  if (!router)
    fail(node.targetLoc,
         "--router " + routerName + ": the spec has no router of that name");
  std::vector<Ref> from = node.from;
  if (from.empty() || (routerName != node.target && !router->from.name.empty()))
    from = {router->from};
  if (from.size() != 1 || from[0].name.empty())
    fail(node.loc, where(node) + ": a router reads one value");
  NodePlan out;
  out.kind = NodePlan::Router;
  out.name = node.name;
  out.router = router;
  std::vector<TensorInfo> types;
  lookup(from[0], where(node), out.inputs, types);
  if (out.inputs.size() != 1)
    fail(from[0].loc, where(node) + ": '" + from[0].name + "' has " +
                          std::to_string(out.inputs.size()) +
                          " outputs; name one");
  out.body = declareRouter(*router, types);
  out.choices = router->choices;
  out.k = router->k;
  Entry entry;
  entry.routing = true;
  entry.choices = router->choices;
  entry.k = router->k;
  table[node.name] = entry;
  plan.nodes.push_back(out);
}

void Planner::dispatchNode(const Node &node) {
  auto routeIt = table.find(node.target);
  if (routeIt == table.end() || !routeIt->second.routing)
    fail(node.targetLoc, where(node) + " routes by '" + node.target +
                             "', which is not an earlier router node");
  NodePlan out;
  out.kind = NodePlan::Dispatch;
  out.name = node.name;
  out.route = node.target;
  out.choices = routeIt->second.choices;
  out.k = routeIt->second.k;
  std::vector<TensorInfo> types;
  for (const Ref &ref : node.from)
    lookup(ref, where(node), out.inputs, types);

  if (!node.tree) {
    if ((int64_t)node.modules.size() != out.choices)
      fail(node.loc, "the router of '" + node.target + "' chooses among " +
                         std::to_string(out.choices) + " experts but " +
                         where(node) + " has " +
                         std::to_string(node.modules.size()));
    for (size_t i = 0; i < node.modules.size(); ++i) {
      int id = instance(*spec.findModule(node.modules[i]), types,
                        node.name + ".expert" + std::to_string(i),
                        node.moduleLocs[i], where(node));
      out.paths.push_back({id});
      out.pathTypes = plan.instances[id].resolved.outputTypes;
    }
  } else {
    int64_t depth = (int64_t)node.modules.size();
    if ((int64_t(1) << (depth - 1)) != out.choices)
      fail(node.loc, "a tree of depth " + std::to_string(depth) + " has " +
                         std::to_string(int64_t(1) << (depth - 1)) +
                         " paths but the router of '" + node.target +
                         "' chooses among " + std::to_string(out.choices));
    // Level l holds 2^l instances of module l, created level by level as
    // GraphGen does, so the instance order (and names) agree.
    std::vector<std::vector<int>> levels(depth);
    std::vector<TensorInfo> flowing = types;
    for (int64_t level = 0; level < depth; ++level) {
      const Module &module = *spec.findModule(node.modules[level]);
      for (int64_t i = 0; i < (int64_t(1) << level); ++i) {
        int id = instance(module, flowing,
                          node.name + ".level" + std::to_string(level) + "." +
                              std::to_string(i),
                          node.moduleLocs[level],
                          where(node) + " level " + std::to_string(level));
        levels[level].push_back(id);
      }
      flowing = plan.instances[levels[level][0]].resolved.outputTypes;
    }
    out.pathTypes = flowing;
    // Path bits most-significant first: path p at level l uses instance
    // p >> (depth - 1 - l).
    for (int64_t path = 0; path < out.choices; ++path) {
      std::vector<int> chain;
      for (int64_t level = 0; level < depth; ++level)
        chain.push_back(levels[level][path >> (depth - 1 - level)]);
      out.paths.push_back(chain);
    }
  }
  Entry entry;
  for (TensorInfo type : out.pathTypes) {
    type.shape.insert(type.shape.begin(), out.k);
    entry.types.push_back(type);
  }
  if (!node.modules.empty())
    entry.names = spec.findModule(node.tree ? node.modules.back()
                                            : node.modules[0])
                      ->outputNames;
  entry.isDispatch = true;
  entry.route = node.target;
  entry.choices = out.choices;
  entry.k = out.k;
  table[node.name] = entry;
  plan.nodes.push_back(out);
}

void Planner::combineNode(const Node &node) {
  NodePlan out;
  out.kind = NodePlan::Combine;
  out.name = node.name;
  out.combine = node.target;
  std::vector<TensorInfo> types;
  for (const Ref &ref : node.from) {
    size_t before = out.inputs.size();
    const Entry &owner = lookup(ref, where(node), out.inputs, types);
    if (!owner.isDispatch)
      continue;
    if (!out.route.empty() && out.route != owner.route)
      fail(ref.loc, where(node) + " reads two dispatches; a combine merges "
                                  "the results of one");
    out.route = owner.route;
    out.choices = owner.choices;
    out.k = owner.k;
    out.dispatchStart = before;
  }
  if (out.route.empty())
    fail(node.loc, where(node) + " reads no dispatch: a combine merges the "
                                 "per-choice results of one");
  Entry entry;
  const std::string &kind = node.target;
  if (kind == "select" || kind == "weighted_sum") {
    if (kind == "select" && out.k != 1)
      fail(node.loc, where(node) + " (select) needs a top-1 route");
    for (TensorInfo type : types) {
      type.shape.erase(type.shape.begin());
      entry.types.push_back(type);
    }
  } else if (kind == "importance_mix") {
    if (out.k != 1 || types.size() != 3 || out.dispatchStart != 1)
      fail(node.loc, where(node) + " (importance_mix) reads [baseline, "
                                   "dispatch] of a top-1 route where each "
                                   "expert returns (scores, importance)");
    entry.types.push_back(types[0]);
  } else { // wbf: the reference returns the raw per-choice head levels
    entry.types = types;
  }
  table[node.name] = entry;
  plan.nodes.push_back(out);
}

void Planner::run() {
  for (const Input &input : spec.inputs)
    table[input.name].types = {TensorInfo{input.shape, input.isInt}};
  for (const Node &node : spec.graph) {
    switch (node.kind) {
    case Node::ModuleNode:
      moduleNode(node);
      break;
    case Node::RouterNode:
      routerNode(node);
      break;
    case Node::DispatchNode:
      dispatchNode(node);
      break;
    case Node::CombineNode:
      combineNode(node);
      break;
    }
  }
  // Routers the graph does not place are declared too (their bodies are
  // functions with weights in the MLIR module), as GraphGen does.
  for (const Router &router : spec.routers) {
    if (bodies.count(router.name))
      continue;
    if (router.from.name.empty())
      fail(router.loc, "router '" + router.name +
                           "' is not placed in the graph and names no 'from'");
    std::vector<ValueRef> values;
    std::vector<TensorInfo> types;
    lookup(router.from, "router '" + router.name + "'", values, types);
    declareRouter(router, types);
  }
  for (const Ref &ref : spec.outputs) {
    std::vector<TensorInfo> types;
    lookup(ref, "the model outputs", plan.outputs, types);
  }
}

} // namespace

std::unique_ptr<Plan>
buildPlan(const Spec &spec, const std::map<std::string, std::string> &routers,
          mlir::MLIRContext *context) {
  auto plan = std::make_unique<Plan>();
  plan->spec = spec;
  try {
    Planner(*plan, routers, context).run();
  } catch (const PlanError &error) {
    if (!error.message.empty())
      mlir::emitError(mlir::FileLineColLoc::get(context, spec.file,
                                                error.loc.line, error.loc.col))
          << error.message;
    return nullptr;
  }
  return plan;
}

} // namespace goe::torchref::detail
