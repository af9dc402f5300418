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

#include "GraphGen.h"

namespace goe::spec::graphgen {

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

} // namespace goe::spec::graphgen

using namespace goe::spec::graphgen;

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
