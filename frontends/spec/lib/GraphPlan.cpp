//===- GraphPlan.cpp - the spec's graph, resolved once --------------------===//
//
// Walks the graph nodes in order, keeping a table of what each input and
// node produced: name lookups, module nodes, router nodes (with `--router`
// substitution and the router kind's checks), routers the graph does not
// place, and the model outputs. Dispatch and combine nodes are in
// PlanRoutedNodes.cpp. Graph-level problems (unknown or later names, a
// router whose fan-out differs from its experts, shapes that do not meet)
// are reported at the YAML location they concern.
//
//===----------------------------------------------------------------------===//

#include "Planner.h"
#include "PrintableText.h"

namespace goe::spec {

ParamValues paramValues(const Fields &fields,
                        const std::vector<KindParam> &params) {
  ParamValues values;
  for (const auto &[key, field] : fields) {
    if (field.kind == Field::Float)
      values[key] = field.f;
    else if (field.kind != Field::Str)
      values[key] = double(field.i);
    else if (const KindParam *param = findParam(params, key))
      values[key] = param->choiceIndex(field.s);
  }
  return withDefaults(params, values);
}

namespace plan {

LogicalResult Planner::error(Loc loc, const std::string &message) {
  if (loc.line == 0)
    loc = {1, 1};
  mlir::emitError(
      mlir::FileLineColLoc::get(context, spec.file, loc.line, loc.col))
      << printableText(message);
  return failure();
}

const Module *Planner::findModule(const std::string &name) const {
  auto it = modules.find(name);
  return it == modules.end() ? nullptr : it->second;
}

const Router *Planner::findRouter(const std::string &name) const {
  auto it = routers.find(name);
  return it == routers.end() ? nullptr : it->second;
}

const Entry *Planner::lookupNode(const Ref &ref, const std::string &reader) {
  std::string base = ref.name.substr(0, ref.name.find('.'));
  auto it = table.find(base);
  if (it != table.end())
    return &it->second;
  for (const Node &node : spec.graph)
    if (node.name == base) {
      (void)error(ref.loc, reader + " reads '" + base +
                               "', which is defined later in the graph "
                               "(nodes read only inputs and earlier nodes; a "
                               "cycle is not allowed)");
      return nullptr;
    }
  (void)error(ref.loc, reader + " reads '" + base +
                           "', which is neither a model input nor a graph "
                           "node");
  return nullptr;
}

const Entry *Planner::lookup(const Ref &ref, const std::string &reader,
                             std::vector<ValueRef> &values,
                             std::vector<TensorInfo> &types, bool forCombine) {
  const Entry *entry = lookupNode(ref, reader);
  if (!entry)
    return nullptr;
  if (entry->routing) {
    (void)error(ref.loc, reader + " reads '" + ref.name +
                             "', a routing decision, where a tensor is "
                             "needed");
    return nullptr;
  }
  // A dispatch holds k results per input, in route order; only a combine
  // knows how to merge them into one.
  if (entry->isDispatch && !forCombine) {
    (void)error(ref.loc, reader + " reads '" + ref.name +
                             "', the per-choice results of a dispatch; merge "
                             "them with a combine node first");
    return nullptr;
  }
  size_t dot = ref.name.find('.');
  std::string base = ref.name.substr(0, dot);
  if (dot == std::string::npos) {
    for (size_t i = 0; i < entry->types.size(); ++i) {
      values.push_back({base, i});
      types.push_back(entry->types[i]);
    }
    return entry;
  }
  // `node.out`: by output name, else by position.
  std::string output = ref.name.substr(dot + 1);
  for (size_t i = 0; i < entry->types.size(); ++i) {
    bool byName = i < entry->names.size() && entry->names[i] == output;
    if (byName || output == std::to_string(i)) {
      values.push_back({base, i});
      types.push_back(entry->types[i]);
      return entry;
    }
  }
  (void)error(ref.loc, reader + " reads '" + ref.name + "', but '" + base +
                           "' has no output '" + output + "'");
  return nullptr;
}

LogicalResult Planner::gather(const std::vector<Ref> &refs,
                              const std::string &reader,
                              std::vector<ValueRef> &values,
                              std::vector<TensorInfo> &types) {
  for (const Ref &ref : refs)
    if (!lookup(ref, reader, values, types))
      return failure();
  return success();
}

int Planner::instance(const Module &module,
                      const std::vector<TensorInfo> &inputs,
                      const std::string &name, Loc loc,
                      const std::string &what) {
  size_t count = module.inputs.size();
  if (inputs.size() != count) {
    (void)error(loc, what + ": module '" + module.name + "' takes " +
                         std::to_string(count) + " input" +
                         (count == 1 ? "" : "s") + ", given " +
                         std::to_string(inputs.size()));
    return -1;
  }
  mlir::FailureOr<ResolvedModule> resolved =
      resolveModule(spec, module, inputs, context);
  if (mlir::failed(resolved))
    return -1; // already reported at the layer
  plan.instances.push_back({name, std::move(*resolved), loc});
  return (int)plan.instances.size() - 1;
}

int Planner::declareRouter(const Router &router, const Ref &from,
                           const TensorInfo &input) {
  const RouterKindInfo &kind = *findRouterKind(router.kind);
  if (!kind.accepts(input.shape, input.isInt)) {
    if (kind.input == RouterKindInfo::Label)
      (void)error(from.loc, router.kind + " router '" + router.name +
                                "' reads " + kind.inputText() + "; '" +
                                from.name +
                                "' is not one (declare it as {shape: [], "
                                "dtype: i64})");
    else
      (void)error(from.loc, "router '" + router.name + "' reads " +
                                kind.inputText() + "; '" + from.name +
                                "' holds integers");
    return -1;
  }
  auto it = declared.find(router.name);
  if (it != declared.end()) {
    const TensorInfo &first = plan.routers[it->second].input;
    if (first.shape == input.shape && first.isInt == input.isInt)
      return it->second;
    (void)error(from.loc, "router '" + router.name + "' reads " +
                              formatShape(input.shape) + " here but " +
                              formatShape(first.shape) +
                              " where it is first placed");
    return -1;
  }
  if (kind.checkParams) {
    std::string problem = kind.checkParams(
        router.choices, paramValues(router.params, kind.params));
    if (!problem.empty()) {
      (void)error(router.loc, "router '" + router.name + "': " + problem);
      return -1;
    }
  }
  PlanRouter out{&router, &kind, -1, input, 0};
  if (kind.hasBody()) {
    std::string what = "router '" + router.name + "'";
    out.body = instance(*findModule(router.body), {input},
                        router.name + "." + router.body, router.bodyLoc, what);
    if (out.body < 0)
      return -1;
    const std::vector<TensorInfo> &outputs =
        plan.instances[out.body].resolved.outputTypes;
    if (outputs.size() != 1) {
      (void)error(router.bodyLoc, what + ": its " + kind.bodyKey + " '" +
                                      router.body +
                                      "' must return one tensor, it returns " +
                                      std::to_string(outputs.size()));
      return -1;
    }
    // The body's output must be what the kind reads (logits, a latent).
    std::string problem = kind.checkBody(
        router.choices, paramValues(router.params, kind.params),
        outputs[0].shape, "'" + router.body + "'");
    if (!problem.empty()) {
      (void)error(router.bodyLoc, what + " " + problem);
      return -1;
    }
  }
  out.instanceEnd = plan.instances.size();
  plan.routers.push_back(out);
  declared[router.name] = (int)plan.routers.size() - 1;
  return declared[router.name];
}

LogicalResult Planner::moduleNode(const Node &node) {
  PlanNode out;
  out.kind = PlanNode::Module;
  out.node = &node;
  std::vector<TensorInfo> types;
  if (failed(gather(node.from, where(node), out.inputs, types)))
    return failure();
  out.instance = instance(*findModule(node.target), types, node.name,
                          node.targetLoc, where(node));
  if (out.instance < 0)
    return failure();
  const ResolvedModule &resolved = plan.instances[out.instance].resolved;
  out.outputTypes = resolved.outputTypes;
  out.outputNames = resolved.module->outputNames;
  out.instanceEnd = plan.instances.size();
  table[node.name] = Entry{false, false, out.outputTypes, out.outputNames};
  plan.nodes.push_back(std::move(out));
  return success();
}

LogicalResult Planner::routerNode(const Node &node) {
  // `--router` swaps the router this node runs.
  std::string routerName = node.target;
  for (const std::string &key : {node.name, std::string()}) {
    auto it = choices.find(key);
    if (it != choices.end()) {
      routerName = it->second;
      break;
    }
  }
  const Router *router = findRouter(routerName);
  if (!router)
    return error(node.targetLoc, "--router " + routerName +
                                     ": the spec has no router of that name");
  const Router &placed = *findRouter(node.target);
  if (router->choices != placed.choices || router->k != placed.k)
    return error(router->loc,
                 "router '" + router->name + "' (top-" +
                     std::to_string(router->k) + " of " +
                     std::to_string(router->choices) + ") cannot replace '" +
                     placed.name + "' (top-" + std::to_string(placed.k) +
                     " of " + std::to_string(placed.choices) + ")");
  std::vector<Ref> from = node.from;
  if (from.empty() || (routerName != node.target && !router->from.name.empty()))
    from = {router->from};
  if (from.empty() || from[0].name.empty())
    return error(node.loc, where(node) + ": router '" + router->name +
                               "' needs 'from' (the value it reads)");
  if (from.size() != 1)
    return error(from[1].loc, where(node) + ": a router reads one value");
  PlanNode out;
  out.kind = PlanNode::Router;
  out.node = &node;
  std::vector<TensorInfo> types;
  if (!lookup(from[0], where(node), out.inputs, types))
    return failure();
  if (out.inputs.size() != 1)
    return error(from[0].loc, where(node) + ": '" + from[0].name + "' has " +
                                  std::to_string(out.inputs.size()) +
                                  " outputs; name one (e.g. '" +
                                  from[0].name + ".0')");
  out.router = declareRouter(*router, from[0], types[0]);
  if (out.router < 0)
    return failure();
  out.choices = router->choices;
  out.k = router->k;
  out.instanceEnd = plan.instances.size();
  Entry entry;
  entry.routing = true;
  entry.choices = out.choices;
  entry.k = out.k;
  table[node.name] = entry;
  plan.nodes.push_back(std::move(out));
  return success();
}

LogicalResult Planner::checkRouterChoices() {
  // Every --router choice must name a routing node of this graph.
  std::vector<std::string> routerNodes;
  for (const Node &node : spec.graph)
    if (node.kind == Node::RouterNode)
      routerNodes.push_back(node.name);
  for (const auto &[key, router] : choices) {
    if (key.empty() && routerNodes.size() != 1)
      return error({1, 1}, "--router " + router + ": the graph has " +
                               std::to_string(routerNodes.size()) +
                               " router nodes; name one as --router NODE=" +
                               router);
    if (!key.empty() && std::find(routerNodes.begin(), routerNodes.end(),
                                  key) == routerNodes.end())
      return error({1, 1}, "--router " + key + "=" + router +
                               ": the graph has no router node '" + key + "'");
  }
  return success();
}

LogicalResult Planner::declareUnplacedRouters() {
  // Routers the graph does not place are still declared, so that `--router`
  // can swap them in and training sees them all.
  for (const Router &router : spec.routers) {
    if (declared.count(router.name))
      continue;
    std::string what = "router '" + router.name + "'";
    if (router.from.name.empty())
      return error(router.loc,
                   what + " is not placed in the graph and names no 'from'");
    std::vector<ValueRef> values;
    std::vector<TensorInfo> types;
    if (!lookup(router.from, what, values, types))
      return failure();
    if (values.size() != 1)
      return error(router.from.loc, what + " reads one value; '" +
                                        router.from.name + "' has " +
                                        std::to_string(values.size()));
    if (declareRouter(router, router.from, types[0]) < 0)
      return failure();
  }
  return success();
}

LogicalResult Planner::planOutputs() {
  for (const Ref &ref : spec.outputs) {
    size_t before = plan.outputs.size();
    if (!lookup(ref, "'outputs'", plan.outputs, plan.outputTypes))
      return failure();
    plan.outputLocs.resize(plan.outputs.size(), ref.loc);
    size_t added = plan.outputs.size() - before;
    for (size_t i = before; i < plan.outputs.size(); ++i) {
      if (added == 1) {
        plan.outputNames.push_back(ref.name);
        continue;
      }
      // A node of several outputs: its output names, else their indices.
      const std::vector<std::string> &names =
          table.at(plan.outputs[i].node).names;
      size_t index = plan.outputs[i].index;
      plan.outputNames.push_back(
          ref.name + "." + (index < names.size() ? names[index]
                                                 : std::to_string(index)));
    }
  }
  return success();
}

LogicalResult Planner::run() {
  for (const Module &module : spec.modules)
    modules.emplace(module.name, &module);
  for (const Router &router : spec.routers)
    routers.emplace(router.name, &router);
  for (const Input &input : spec.inputs)
    table[input.name].types = {TensorInfo{input.shape, input.isInt}};
  if (failed(checkRouterChoices()))
    return failure();
  for (const Node &node : spec.graph) {
    LogicalResult planned = failure();
    switch (node.kind) {
    case Node::ModuleNode:
      planned = moduleNode(node);
      break;
    case Node::RouterNode:
      planned = routerNode(node);
      break;
    case Node::DispatchNode:
      planned = dispatchNode(node);
      break;
    case Node::CombineNode:
      planned = combineNode(node);
      break;
    }
    if (failed(planned))
      return failure();
  }
  if (failed(declareUnplacedRouters()) || failed(planOutputs()))
    return failure();
  return checkResources();
}

} // namespace plan

mlir::FailureOr<GraphPlan> planGraph(const Spec &spec,
                                     const RouterChoices &routers,
                                     mlir::MLIRContext *context) {
  GraphPlan graph;
  graph.spec = &spec;
  if (failed(plan::Planner(graph, routers, context).run()))
    return mlir::failure();
  return graph;
}

} // namespace goe::spec
