//===- MLIRGen.cpp - spec graph to goe.graph ------------------------------===//
//
// Walks the spec's graph nodes in order, keeping a table of the values each
// node produced, and emits goe.route / goe.dispatch / goe.combine and calls
// of shared modules into one goe.graph. Module instances become functions
// through ExpertEmitter. Graph-level problems (unknown or later names, a
// router whose fan-out differs from its experts, shapes that do not meet)
// are reported at the node's YAML location.
//
//===----------------------------------------------------------------------===//

#include "goe/Frontends/Spec/MLIRGen.h"
#include "goe/Dialect/Goe/GoeOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace ::goe::spec;

namespace {

struct GraphError {
  Loc loc;
  std::string message;
};

[[noreturn]] void fail(Loc loc, const std::string &message) {
  throw GraphError{loc, message};
}

/// What a graph input or node produced.
struct GraphValue {
  enum Kind { Tensors, Routing } kind = Tensors;
  std::vector<Value> values;          // physical (channels-last) values
  std::vector<TensorInfo> types;      // logical per-sample types
  std::vector<std::string> names;     // output names, when named
  Value routing;                      // Routing: the route; dispatch: its route
  bool isDispatch = false;
};

class GraphGen {
public:
  GraphGen(const Spec &spec, const BuildOptions &options, ModuleOp module)
      : spec(spec), options(options), context(module.getContext()),
        moduleBuilder(module.getBodyRegion()), b(context) {}

  void run();

private:
  Location locOf(Loc loc) {
    return FileLineColLoc::get(context, spec.file, loc.line, loc.col);
  }
  std::string nodeWhere(const Node &node) {
    return "graph node '" + node.name + "'";
  }

  /// The tensors a reference names (all outputs of a node without `.out`).
  void lookup(const Ref &ref, const std::string &reader,
              std::vector<Value> &values, std::vector<TensorInfo> &types,
              const GraphValue **owner = nullptr, bool forCombine = false);
  void checkRouterInput(const Router &router, const Ref &from,
                        const TensorInfo &type);
  const GraphValue &lookupNode(const Ref &ref, const std::string &reader);
  void gather(const std::vector<Ref> &refs, const std::string &reader,
              std::vector<Value> &values, std::vector<TensorInfo> &types);

  ResolvedModule resolve(const Module &module,
                         const std::vector<TensorInfo> &inputs, Loc where,
                         const std::string &what);
  func::FuncOp instance(const ResolvedModule &resolved,
                        const std::string &name, Loc loc);

  void emitModuleNode(const Node &node);
  void emitRouterNode(const Node &node);
  void emitDispatchNode(const Node &node);
  void emitCombineNode(const Node &node);
  goe::RouterOp declareRouter(const Router &router,
                              const std::vector<TensorInfo> &inputs);

  const Spec &spec;
  const BuildOptions &options;
  MLIRContext *context;
  OpBuilder moduleBuilder, b;
  std::map<std::string, GraphValue> table;
  std::map<std::string, goe::RouterOp> declared;
  std::map<std::string, func::FuncOp> bodies;
};

const GraphValue &GraphGen::lookupNode(const Ref &ref,
                                       const std::string &reader) {
  std::string base = ref.name.substr(0, ref.name.find('.'));
  auto it = table.find(base);
  if (it != table.end())
    return it->second;
  for (const Node &node : spec.graph)
    if (node.name == base)
      fail(ref.loc, reader + " reads '" + base +
                        "', which is defined later in the graph (nodes read "
                        "only inputs and earlier nodes; a cycle is not "
                        "allowed)");
  fail(ref.loc, reader + " reads '" + base +
                    "', which is neither a model input nor a graph node");
}

void GraphGen::lookup(const Ref &ref, const std::string &reader,
                      std::vector<Value> &values,
                      std::vector<TensorInfo> &types,
                      const GraphValue **owner, bool forCombine) {
  const GraphValue &value = lookupNode(ref, reader);
  if (owner)
    *owner = &value;
  if (value.kind == GraphValue::Routing)
    fail(ref.loc, reader + " reads '" + ref.name +
                      "', a routing decision, where a tensor is needed");
  // A dispatch holds k results per input, in route order; only a combine
  // knows how to merge them into one.
  if (value.isDispatch && !forCombine)
    fail(ref.loc, reader + " reads '" + ref.name +
                      "', the per-choice results of a dispatch; merge them "
                      "with a combine node first");
  size_t dot = ref.name.find('.');
  if (dot == std::string::npos) {
    values.insert(values.end(), value.values.begin(), value.values.end());
    types.insert(types.end(), value.types.begin(), value.types.end());
    return;
  }
  std::string output = ref.name.substr(dot + 1);
  for (size_t i = 0; i < value.values.size(); ++i) {
    bool byName = i < value.names.size() && value.names[i] == output;
    if (byName || output == std::to_string(i)) {
      values.push_back(value.values[i]);
      types.push_back(value.types[i]);
      return;
    }
  }
  fail(ref.loc, reader + " reads '" + ref.name + "', but '" +
                    ref.name.substr(0, dot) + "' has no output '" + output +
                    "'");
}

void GraphGen::gather(const std::vector<Ref> &refs, const std::string &reader,
                      std::vector<Value> &values,
                      std::vector<TensorInfo> &types) {
  for (const Ref &ref : refs)
    lookup(ref, reader, values, types);
}

ResolvedModule GraphGen::resolve(const Module &module,
                                 const std::vector<TensorInfo> &inputs,
                                 Loc where, const std::string &what) {
  if (inputs.size() != module.inputs.size())
    fail(where, what + ": module '" + module.name + "' takes " +
                    std::to_string(module.inputs.size()) + " input" +
                    (module.inputs.size() == 1 ? "" : "s") + ", given " +
                    std::to_string(inputs.size()));
  FailureOr<ResolvedModule> resolved =
      resolveModule(spec, module, inputs, context);
  if (failed(resolved))
    throw GraphError{{}, ""}; // already reported at the layer
  return *resolved;
}

func::FuncOp GraphGen::instance(const ResolvedModule &resolved,
                                const std::string &name, Loc loc) {
  return emitExpertFunction(moduleBuilder, spec, resolved, name, locOf(loc));
}

void GraphGen::emitModuleNode(const Node &node) {
  std::vector<Value> values;
  std::vector<TensorInfo> types;
  gather(node.from, nodeWhere(node), values, types);
  ResolvedModule resolved =
      resolve(*spec.findModule(node.target), types, node.targetLoc,
              nodeWhere(node));
  func::FuncOp fn = instance(resolved, node.name, node.loc);
  auto call = b.create<func::CallOp>(locOf(node.loc), fn, values);
  GraphValue out;
  out.values.assign(call.getResults().begin(), call.getResults().end());
  out.types = resolved.outputTypes;
  out.names = resolved.module->outputNames;
  table[node.name] = out;
}

void GraphGen::checkRouterInput(const Router &router, const Ref &from,
                                const TensorInfo &type) {
  if (router.kind == "oracle" && (!type.isInt || !type.shape.empty()))
    fail(from.loc, "oracle router '" + router.name +
                       "' reads one i64 label per input; '" + from.name +
                       "' is not one (declare it as {shape: [], dtype: i64})");
  if (router.kind != "oracle" && router.kind != "random" && type.isInt)
    fail(from.loc, "router '" + router.name + "' reads a float tensor; '" +
                       from.name + "' holds integers");
}

goe::RouterOp GraphGen::declareRouter(const Router &router,
                                      const std::vector<TensorInfo> &inputs) {
  auto it = declared.find(router.name);
  if (it != declared.end())
    return it->second;
  FlatSymbolRefAttr body;
  if (!router.body.empty()) {
    ResolvedModule resolved =
        resolve(*spec.findModule(router.body), inputs, router.bodyLoc,
                "router '" + router.name + "'");
    std::string name = router.name + "." + router.body;
    bodies[router.name] = instance(resolved, name, router.bodyLoc);
    body = FlatSymbolRefAttr::get(context, name);
    // The fan-out must agree with what the body produces.
    const Shape &out = resolved.outputTypes[0].shape;
    if (router.kind == "topk" && (out.size() != 1 || out[0] != router.choices))
      fail(router.bodyLoc, "router '" + router.name + "' chooses among " +
                               std::to_string(router.choices) +
                               " experts but its gate '" + router.body +
                               "' emits " + formatShape(out) + " logits");
    if (router.kind == "vqvae_hclust") {
      int64_t codeDim = router.params.at("code_dim").i;
      if (out.size() != 3 || out[0] != codeDim)
        fail(router.bodyLoc, "router '" + router.name + "' has code_dim " +
                                 std::to_string(codeDim) + " but its encoder '" +
                                 router.body + "' emits " + formatShape(out) +
                                 " (want [code_dim, H, W])");
    }
  }
  SmallVector<NamedAttribute> params;
  for (const auto &[key, field] : router.params) {
    if (key == "gate" || key == "encoder")
      continue;
    Attribute value;
    if (field.kind == Field::Float)
      value = moduleBuilder.getF64FloatAttr(field.f);
    else
      value = moduleBuilder.getI64IntegerAttr(field.i);
    params.push_back(moduleBuilder.getNamedAttr(key, value));
  }
  auto kind = goe::symbolizeRouterKind(router.kind);
  auto op = moduleBuilder.create<goe::RouterOp>(
      locOf(router.loc), moduleBuilder.getStringAttr(router.name),
      goe::RouterKindAttr::get(context, *kind),
      moduleBuilder.getI64IntegerAttr(router.choices),
      moduleBuilder.getI64IntegerAttr(router.k), body,
      params.empty() ? DictionaryAttr()
                     : moduleBuilder.getDictionaryAttr(params));
  declared[router.name] = op;
  return op;
}

void GraphGen::emitRouterNode(const Node &node) {
  std::string routerName = node.target;
  for (const std::string &key : {node.name, std::string()}) {
    auto it = options.routers.find(key);
    if (it != options.routers.end()) {
      routerName = it->second;
      break;
    }
  }
  const Router *router = spec.findRouter(routerName);
  if (!router)
    fail(node.targetLoc, "--router " + routerName +
                             ": the spec has no router of that name");
  const Router &placed = *spec.findRouter(node.target);
  if (router->choices != placed.choices || router->k != placed.k)
    fail(router->loc, "router '" + router->name + "' (top-" +
                          std::to_string(router->k) + " of " +
                          std::to_string(router->choices) +
                          ") cannot replace '" + placed.name + "' (top-" +
                          std::to_string(placed.k) + " of " +
                          std::to_string(placed.choices) + ")");
  std::vector<Ref> from = node.from;
  if (from.empty() || (routerName != node.target && !router->from.name.empty()))
    from = {router->from};
  if (from.empty() || from[0].name.empty())
    fail(node.loc, nodeWhere(node) + ": router '" + router->name +
                       "' needs 'from' (the value it reads)");
  if (from.size() != 1)
    fail(from[1].loc, nodeWhere(node) + ": a router reads one value");
  std::vector<Value> values;
  std::vector<TensorInfo> types;
  lookup(from[0], nodeWhere(node), values, types);
  if (values.size() != 1)
    fail(from[0].loc, nodeWhere(node) + ": '" + from[0].name + "' has " +
                          std::to_string(values.size()) +
                          " outputs; name one (e.g. '" + from[0].name +
                          ".0')");
  checkRouterInput(*router, from[0], types[0]);
  goe::RouterOp decl = declareRouter(*router, types);
  auto routingType = goe::RoutingType::get(context, router->choices, router->k);
  auto route = b.create<goe::RouteOp>(locOf(node.loc), routingType,
                                      decl.getSymName(), values[0]);
  GraphValue out;
  out.kind = GraphValue::Routing;
  out.routing = route;
  table[node.name] = out;
}

void GraphGen::emitDispatchNode(const Node &node) {
  auto routeIt = table.find(node.target);
  if (routeIt == table.end() || routeIt->second.kind != GraphValue::Routing)
    fail(node.targetLoc, nodeWhere(node) + " routes by '" + node.target +
                             "', which is not an earlier router node");
  Value routing = routeIt->second.routing;
  auto routingType = cast<goe::RoutingType>(routing.getType());
  int64_t choices = routingType.getChoices(), k = routingType.getK();

  std::vector<Value> values;
  std::vector<TensorInfo> types;
  gather(node.from, nodeWhere(node), values, types);

  SmallVector<Attribute> paths;
  std::vector<TensorInfo> pathTypes;
  auto sym = [&](const std::string &name) {
    return FlatSymbolRefAttr::get(context, name);
  };
  if (!node.tree) {
    if ((int64_t)node.modules.size() != choices)
      fail(node.loc, "router of '" + node.target + "' chooses among " +
                         std::to_string(choices) + " experts but " +
                         nodeWhere(node) + " has " +
                         std::to_string(node.modules.size()));
    for (size_t i = 0; i < node.modules.size(); ++i) {
      ResolvedModule resolved =
          resolve(*spec.findModule(node.modules[i]), types,
                  node.moduleLocs[i], nodeWhere(node));
      if (i > 0 && resolved.outputTypes.size() != pathTypes.size())
        fail(node.moduleLocs[i], "expert " + std::to_string(i) +
                                     " returns a different number of values "
                                     "than expert 0");
      for (size_t o = 0; i > 0 && o < pathTypes.size(); ++o)
        if (resolved.outputTypes[o].shape != pathTypes[o].shape)
          fail(node.moduleLocs[i],
               "expert " + std::to_string(i) + " (module '" + node.modules[i] +
                   "') returns " + formatShape(resolved.outputTypes[o].shape) +
                   " but expert 0 returns " +
                   formatShape(pathTypes[o].shape));
      pathTypes = resolved.outputTypes;
      std::string name = node.name + ".expert" + std::to_string(i);
      instance(resolved, name, node.moduleLocs[i]);
      paths.push_back(ArrayAttr::get(context, {sym(name)}));
    }
  } else {
    int64_t depth = node.modules.size();
    if ((int64_t(1) << (depth - 1)) != choices)
      fail(node.loc, "a tree of depth " + std::to_string(depth) + " has " +
                         std::to_string(int64_t(1) << (depth - 1)) +
                         " paths but the router of '" + node.target +
                         "' chooses among " + std::to_string(choices));
    std::vector<std::vector<std::string>> levels(depth);
    std::vector<TensorInfo> flowing = types;
    for (int64_t level = 0; level < depth; ++level) {
      ResolvedModule resolved =
          resolve(*spec.findModule(node.modules[level]), flowing,
                  node.moduleLocs[level],
                  nodeWhere(node) + " level " + std::to_string(level));
      for (int64_t i = 0; i < (int64_t(1) << level); ++i) {
        std::string name = node.name + ".level" + std::to_string(level) +
                           "." + std::to_string(i);
        instance(resolved, name, node.moduleLocs[level]);
        levels[level].push_back(name);
      }
      flowing = resolved.outputTypes;
    }
    pathTypes = flowing;
    // Path bits are most-significant first: path p at level l uses
    // instance p >> (depth - 1 - l).
    for (int64_t path = 0; path < choices; ++path) {
      SmallVector<Attribute> steps;
      for (int64_t level = 0; level < depth; ++level)
        steps.push_back(sym(levels[level][path >> (depth - 1 - level)]));
      paths.push_back(ArrayAttr::get(context, steps));
    }
  }
  SmallVector<Type> resultTypes;
  GraphValue out;
  for (const TensorInfo &type : pathTypes) {
    TensorInfo stacked = type;
    stacked.shape.insert(stacked.shape.begin(), k);
    out.types.push_back(stacked);
    // Stacking keeps each path result's own (physical) layout.
    auto physical = physicalType(type, context);
    SmallVector<int64_t> shape(physical.getShape());
    shape.insert(shape.begin() + 1, k);
    resultTypes.push_back(
        RankedTensorType::get(shape, physical.getElementType()));
  }
  auto dispatch = b.create<goe::DispatchOp>(
      locOf(node.loc), resultTypes, routing, values,
      ArrayAttr::get(context, paths));
  out.values.assign(dispatch.getResults().begin(), dispatch.getResults().end());
  if (!node.tree && !node.modules.empty())
    out.names = spec.findModule(node.modules[0])->outputNames;
  else if (node.tree)
    out.names = spec.findModule(node.modules.back())->outputNames;
  out.routing = routing;
  out.isDispatch = true;
  table[node.name] = out;
}

void GraphGen::emitCombineNode(const Node &node) {
  std::vector<Value> values;
  std::vector<TensorInfo> types;
  Value routing;
  size_t dispatchStart = 0;
  for (const Ref &ref : node.from) {
    const GraphValue *owner = nullptr;
    size_t before = values.size();
    lookup(ref, nodeWhere(node), values, types, &owner, /*forCombine=*/true);
    if (!owner->isDispatch)
      continue;
    if (routing && routing != owner->routing)
      fail(ref.loc, nodeWhere(node) + " reads two dispatches; a combine "
                                      "merges the results of one");
    routing = owner->routing;
    dispatchStart = before;
  }
  if (!routing)
    fail(node.loc, nodeWhere(node) + " reads no dispatch: a combine merges "
                                     "the per-choice results of one");
  int64_t k = cast<goe::RoutingType>(routing.getType()).getK();
  const std::string &kind = node.target;
  std::vector<TensorInfo> resultTypes;
  auto shapeError = [&](const std::string &message) {
    fail(node.loc, nodeWhere(node) + " (" + kind + "): " + message);
  };
  if (kind == "select" || kind == "weighted_sum") {
    if (kind == "select" && k != 1)
      shapeError("select needs a top-1 route, but it picks " +
                 std::to_string(k) + "; use weighted_sum or wbf");
    if (dispatchStart != 0)
      shapeError("reads only the dispatch's results");
    for (const TensorInfo &type : types) {
      TensorInfo merged = type;
      merged.shape.erase(merged.shape.begin());
      resultTypes.push_back(merged);
    }
  } else if (kind == "importance_mix") {
    if (k != 1)
      shapeError("needs a top-1 route");
    if (types.size() != 3 || dispatchStart != 1)
      shapeError("reads [baseline, dispatch] where each expert returns "
                 "(scores, importance); got " +
                 std::to_string(types.size()) + " tensors");
    const Shape &base = types[0].shape;
    if (base.size() != 1)
      shapeError("baseline scores must be [classes], got " +
                 formatShape(base));
    Shape scores{1, base[0]}, importance{1, base[0], 2};
    if (types[1].shape != scores)
      shapeError("expert scores must be " + formatShape({base[0]}) +
                 " like the baseline's, got " +
                 formatShape({types[1].shape.begin() + 1,
                              types[1].shape.end()}));
    if (types[2].shape != importance)
      shapeError("importance must be " + formatShape({base[0], 2}) + ", got " +
                 formatShape({types[2].shape.begin() + 1,
                              types[2].shape.end()}));
    resultTypes.push_back(types[0]);
  } else { // wbf
    if (dispatchStart != 0)
      shapeError("reads only the dispatch's results");
    for (const TensorInfo &type : types)
      if (type.shape.size() != 5 || type.shape[1] != 3 ||
          type.shape[4] != types[0].shape[4] || type.shape[4] < 6)
        shapeError("reads YOLO head levels [3, H, W, nc + 5] (detect "
                   "layers) with one nc, got " +
                   formatShape({type.shape.begin() + 1, type.shape.end()}));
    auto maxDet = node.params.find("max_det");
    int64_t rows = maxDet == node.params.end() ? 300 : maxDet->second.i;
    resultTypes.push_back(TensorInfo{{rows, 6}, false});
  }
  SmallVector<Type> physical;
  for (const TensorInfo &type : resultTypes)
    physical.push_back(physicalType(type, context));
  SmallVector<NamedAttribute> params;
  for (const auto &[key, field] : node.params) {
    Attribute value;
    if (field.kind == Field::Float)
      value = b.getF64FloatAttr(field.f);
    else if (field.kind == Field::Str)
      value = b.getStringAttr(field.s);
    else
      value = b.getI64IntegerAttr(field.i);
    params.push_back(b.getNamedAttr(key, value));
  }
  auto combine = b.create<goe::CombineOp>(
      locOf(node.loc), physical,
      goe::CombineKindAttr::get(context, *goe::symbolizeCombineKind(kind)),
      routing, values,
      params.empty() ? DictionaryAttr() : b.getDictionaryAttr(params));
  GraphValue out;
  out.values.assign(combine.getResults().begin(), combine.getResults().end());
  out.types = resultTypes;
  table[node.name] = out;
}

void GraphGen::run() {
  // Graph signature: inputs as users hand them over (channels-first).
  SmallVector<Type> inputTypes;
  for (const Input &input : spec.inputs) {
    SmallVector<int64_t> shape{ShapedType::kDynamic};
    shape.append(input.shape.begin(), input.shape.end());
    inputTypes.push_back(RankedTensorType::get(
        shape, input.isInt ? Type(b.getI64Type()) : Type(b.getF32Type())));
  }
  auto graph = moduleBuilder.create<goe::GraphOp>(
      locOf({1, 1}), spec.name, FunctionType::get(context, inputTypes, {}),
      ArrayAttr(), ArrayAttr());
  Block *entry = new Block();
  graph.getBody().push_back(entry);
  b.setInsertionPointToStart(entry);
  // Functions and routers go before the graph, in the order they appear.
  moduleBuilder.setInsertionPoint(graph);

  auto permsConst = [&](ArrayRef<int32_t> perms, Location loc) {
    auto type = RankedTensorType::get({(int64_t)perms.size()}, b.getI32Type());
    return b.create<tosa::ConstOp>(loc, type,
                                   DenseElementsAttr::get(type, perms));
  };
  for (auto [index, input] : llvm::enumerate(spec.inputs)) {
    Location loc = locOf(input.loc);
    Value arg = entry->addArgument(inputTypes[index], loc);
    graph.setArgAttr(index, "goe.name", b.getStringAttr(input.name));
    TensorInfo info{input.shape, input.isInt};
    if (input.shape.size() == 3)
      arg = b.create<tosa::TransposeOp>(loc, physicalType(info, context), arg,
                                        permsConst({0, 2, 3, 1}, loc));
    GraphValue value;
    value.values = {arg};
    value.types = {info};
    table[input.name] = value;
  }

  // Every --router choice must name a routing node of this graph.
  std::vector<std::string> routerNodes;
  for (const Node &node : spec.graph)
    if (node.kind == Node::RouterNode)
      routerNodes.push_back(node.name);
  for (const auto &[key, router] : options.routers) {
    if (key.empty() && routerNodes.size() != 1)
      fail({1, 1}, "--router " + router + ": the graph has " +
                       std::to_string(routerNodes.size()) +
                       " router nodes; name one as --router NODE=" + router);
    if (!key.empty() && std::find(routerNodes.begin(), routerNodes.end(),
                                  key) == routerNodes.end())
      fail({1, 1}, "--router " + key + "=" + router + ": the graph has no "
                   "router node '" + key + "'");
  }

  for (const Node &node : spec.graph) {
    switch (node.kind) {
    case Node::ModuleNode:
      emitModuleNode(node);
      break;
    case Node::RouterNode:
      emitRouterNode(node);
      break;
    case Node::DispatchNode:
      emitDispatchNode(node);
      break;
    case Node::CombineNode:
      emitCombineNode(node);
      break;
    }
  }

  // Routers the graph does not place are still declared, so that
  // `--router` can swap them in and training sees them all.
  for (const Router &router : spec.routers) {
    if (declared.count(router.name))
      continue;
    if (router.from.name.empty())
      fail(router.loc, "router '" + router.name +
                           "' is not placed in the graph and names no 'from'");
    std::vector<Value> values;
    std::vector<TensorInfo> types;
    lookup(router.from, "router '" + router.name + "'", values, types);
    if (values.size() != 1)
      fail(router.from.loc, "router '" + router.name + "' reads one value; '" +
                                router.from.name + "' has " +
                                std::to_string(values.size()));
    checkRouterInput(router, router.from, types[0]);
    declareRouter(router, types);
  }

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const Ref &ref : spec.outputs) {
    std::vector<Value> values;
    std::vector<TensorInfo> types;
    lookup(ref, "'outputs'", values, types);
    for (auto [value, type] : llvm::zip(values, types)) {
      Value result = value;
      if (type.shape.size() == 3) {
        SmallVector<int64_t> shape{ShapedType::kDynamic};
        shape.append(type.shape.begin(), type.shape.end());
        Type element = cast<RankedTensorType>(value.getType()).getElementType();
        result = b.create<tosa::TransposeOp>(
            locOf(ref.loc), RankedTensorType::get(shape, element), value,
            permsConst({0, 3, 1, 2}, locOf(ref.loc)));
      }
      results.push_back(result);
      resultTypes.push_back(result.getType());
    }
  }
  b.create<goe::OutputOp>(locOf({1, 1}), results);
  graph.setFunctionType(FunctionType::get(context, inputTypes, resultTypes));
}

} // namespace

namespace goe::spec {

void registerSpecDialects(DialectRegistry &registry) {
  registry.insert<goe::GoeDialect, func::FuncDialect, tosa::TosaDialect,
                  ml_program::MLProgramDialect>();
}

OwningOpRef<ModuleOp> buildModule(const Spec &spec,
                                  const BuildOptions &options,
                                  MLIRContext *context) {
  context->loadDialect<goe::GoeDialect, func::FuncDialect, tosa::TosaDialect,
                       ml_program::MLProgramDialect>();
  OwningOpRef<ModuleOp> module = ModuleOp::create(
      FileLineColLoc::get(context, spec.file, 1, 1), spec.name);
  try {
    GraphGen(spec, options, *module).run();
  } catch (const GraphError &error) {
    if (!error.message.empty())
      emitError(FileLineColLoc::get(context, spec.file, error.loc.line,
                                    error.loc.col))
          << error.message;
    return nullptr;
  }
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

} // namespace goe::spec
