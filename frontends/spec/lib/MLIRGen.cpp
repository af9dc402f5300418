//===- MLIRGen.cpp - the graph plan to goe.graph --------------------------===//
//
// Emits the goe module of a spec from its graph plan (GraphPlan.h), which
// has already resolved every name, instance and path and reported every
// graph-level problem: one function per module instance (ExpertEmitter),
// one goe.router per declared router, and one goe.graph whose body calls
// shared modules and runs goe.route / goe.dispatch / goe.combine in node
// order. Module-level ops come out in the order the plan made them.
//
//===----------------------------------------------------------------------===//

#include "goe/Frontends/Spec/MLIRGen.h"
#include "goe/Dialect/Goe/GoeOps.h"
#include "goe/Frontends/Spec/GraphPlan.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;

namespace goe::spec {
namespace {

/// A spec field as an attribute of a goe.router or goe.combine.
Attribute fieldAttr(Builder &b, const Field &field) {
  if (field.kind == Field::Float)
    return b.getF64FloatAttr(field.f);
  if (field.kind == Field::Str)
    return b.getStringAttr(field.s);
  return b.getI64IntegerAttr(field.i);
}

class GraphGen {
public:
  GraphGen(const GraphPlan &plan, ModuleOp module)
      : plan(plan), spec(*plan.spec), context(module.getContext()),
        moduleBuilder(module.getBodyRegion()), b(context) {}

  void run();

private:
  Location locOf(Loc loc) {
    return FileLineColLoc::get(context, spec.file, loc.line, loc.col);
  }
  FlatSymbolRefAttr symbol(int instance) {
    return FlatSymbolRefAttr::get(context, plan.instances[instance].name);
  }
  SmallVector<Value> gather(const std::vector<ValueRef> &refs);
  /// Emits the functions of the instances planned before `end`.
  void emitInstances(size_t end);
  goe::RouterOp declareRouter(int index);
  DictionaryAttr params(const Fields &fields, const char *skip);

  void emitInputs(Block *entry, ArrayRef<Type> inputTypes, goe::GraphOp graph);
  void emitModuleNode(const PlanNode &node);
  void emitRouterNode(const PlanNode &node);
  void emitDispatchNode(const PlanNode &node);
  void emitCombineNode(const PlanNode &node);
  SmallVector<Value> emitOutputs();
  Value transpose(Value value, ArrayRef<int32_t> perms, Type type,
                  Location loc);

  const GraphPlan &plan;
  const Spec &spec;
  MLIRContext *context;
  OpBuilder moduleBuilder, b;
  std::vector<func::FuncOp> functions; // per instance emitted so far
  std::map<int, goe::RouterOp> routers; // plan router -> its declaration
  std::map<std::string, SmallVector<Value>> values; // physical values
  std::map<std::string, Value> routes;
};

SmallVector<Value> GraphGen::gather(const std::vector<ValueRef> &refs) {
  SmallVector<Value> out;
  for (const ValueRef &ref : refs)
    out.push_back(values.at(ref.node)[ref.index]);
  return out;
}

void GraphGen::emitInstances(size_t end) {
  while (functions.size() < end) {
    const PlanInstance &instance = plan.instances[functions.size()];
    functions.push_back(emitExpertFunction(moduleBuilder, spec,
                                           instance.resolved, instance.name,
                                           locOf(instance.loc)));
  }
}

DictionaryAttr GraphGen::params(const Fields &fields, const char *skip) {
  SmallVector<NamedAttribute> attrs;
  for (const auto &[key, field] : fields)
    if (!skip || key != skip)
      attrs.push_back(b.getNamedAttr(key, fieldAttr(b, field)));
  return attrs.empty() ? DictionaryAttr() : b.getDictionaryAttr(attrs);
}

goe::RouterOp GraphGen::declareRouter(int index) {
  auto it = routers.find(index);
  if (it != routers.end())
    return it->second;
  const PlanRouter &declared = plan.routers[index];
  const Router &router = *declared.router;
  emitInstances(declared.instanceEnd);
  FlatSymbolRefAttr body = declared.body < 0 ? FlatSymbolRefAttr()
                                             : symbol(declared.body);
  auto op = moduleBuilder.create<goe::RouterOp>(
      locOf(router.loc), moduleBuilder.getStringAttr(router.name),
      goe::RouterKindAttr::get(context, declared.kind->kind),
      moduleBuilder.getI64IntegerAttr(router.choices),
      moduleBuilder.getI64IntegerAttr(router.k), body,
      params(router.params, declared.kind->bodyKey));
  routers[index] = op;
  return op;
}

Value GraphGen::transpose(Value value, ArrayRef<int32_t> perms, Type type,
                          Location loc) {
  auto permsType =
      RankedTensorType::get({(int64_t)perms.size()}, b.getI32Type());
  Value constant = b.create<tosa::ConstOp>(
      loc, permsType, DenseElementsAttr::get(permsType, perms));
  return b.create<tosa::TransposeOp>(loc, type, value, constant);
}

void GraphGen::emitInputs(Block *entry, ArrayRef<Type> inputTypes,
                          goe::GraphOp graph) {
  // Graph inputs are channels-first as users hand them over; the graph
  // transposes images to the experts' channels-last layout at its edge.
  for (auto [index, input] : llvm::enumerate(spec.inputs)) {
    Location loc = locOf(input.loc);
    Value arg = entry->addArgument(inputTypes[index], loc);
    graph.setArgAttr(index, "goe.name", b.getStringAttr(input.name));
    TensorInfo info{input.shape, input.isInt};
    if (input.shape.size() == 3)
      arg = transpose(arg, {0, 2, 3, 1}, physicalType(info, context), loc);
    values[input.name] = {arg};
  }
}

void GraphGen::emitModuleNode(const PlanNode &node) {
  emitInstances(node.instanceEnd);
  auto call = b.create<func::CallOp>(locOf(node.node->loc),
                                     functions[node.instance],
                                     gather(node.inputs));
  values[node.node->name].assign(call.getResults().begin(),
                                 call.getResults().end());
}

void GraphGen::emitRouterNode(const PlanNode &node) {
  goe::RouterOp router = declareRouter(node.router);
  emitInstances(node.instanceEnd);
  auto type = goe::RoutingType::get(context, node.choices, node.k);
  routes[node.node->name] = b.create<goe::RouteOp>(
      locOf(node.node->loc), type, router.getSymName(),
      gather(node.inputs)[0]);
}

void GraphGen::emitDispatchNode(const PlanNode &node) {
  emitInstances(node.instanceEnd);
  SmallVector<Attribute> paths;
  for (const std::vector<int> &chain : node.paths) {
    SmallVector<Attribute> steps;
    for (int id : chain)
      steps.push_back(symbol(id));
    paths.push_back(ArrayAttr::get(context, steps));
  }
  // Each path result [B, D...] (in its own physical layout) stacks to
  // [B, k, D...].
  SmallVector<Type> resultTypes;
  for (TensorInfo type : node.outputTypes) {
    type.shape.erase(type.shape.begin());
    RankedTensorType physical = physicalType(type, context);
    SmallVector<int64_t> shape(physical.getShape());
    shape.insert(shape.begin() + 1, node.k);
    resultTypes.push_back(
        RankedTensorType::get(shape, physical.getElementType()));
  }
  auto dispatch = b.create<goe::DispatchOp>(
      locOf(node.node->loc), resultTypes, routes.at(node.route),
      gather(node.inputs), ArrayAttr::get(context, paths));
  values[node.node->name].assign(dispatch.getResults().begin(),
                                 dispatch.getResults().end());
}

void GraphGen::emitCombineNode(const PlanNode &node) {
  SmallVector<Type> resultTypes;
  for (const TensorInfo &type : node.outputTypes)
    resultTypes.push_back(physicalType(type, context));
  auto combine = b.create<goe::CombineOp>(
      locOf(node.node->loc), resultTypes,
      goe::CombineKindAttr::get(context, node.combine->kind),
      routes.at(node.route), gather(node.inputs),
      params(node.node->params, nullptr));
  values[node.node->name].assign(combine.getResults().begin(),
                                 combine.getResults().end());
}

SmallVector<Value> GraphGen::emitOutputs() {
  SmallVector<Value> results;
  for (auto [ref, type, loc] :
       llvm::zip(plan.outputs, plan.outputTypes, plan.outputLocs)) {
    Value result = values.at(ref.node)[ref.index];
    if (type.shape.size() == 3) {
      SmallVector<int64_t> shape{ShapedType::kDynamic};
      shape.append(type.shape.begin(), type.shape.end());
      Type element = cast<RankedTensorType>(result.getType()).getElementType();
      result = transpose(result, {0, 3, 1, 2},
                         RankedTensorType::get(shape, element), locOf(loc));
    }
    results.push_back(result);
  }
  return results;
}

void GraphGen::run() {
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
  // Functions and routers go before the graph, in the order planned.
  moduleBuilder.setInsertionPoint(graph);
  emitInputs(entry, inputTypes, graph);
  for (const PlanNode &node : plan.nodes) {
    switch (node.kind) {
    case PlanNode::Module:
      emitModuleNode(node);
      break;
    case PlanNode::Router:
      emitRouterNode(node);
      break;
    case PlanNode::Dispatch:
      emitDispatchNode(node);
      break;
    case PlanNode::Combine:
      emitCombineNode(node);
      break;
    }
  }
  for (size_t index = 0; index < plan.routers.size(); ++index)
    declareRouter(index);
  emitInstances(plan.instances.size());
  SmallVector<Value> results = emitOutputs();
  b.create<goe::OutputOp>(locOf({1, 1}), results);
  graph.setFunctionType(
      FunctionType::get(context, inputTypes, ValueRange(results).getTypes()));
  // Output names, as the inputs carry theirs (the artifact keeps them).
  for (auto [index, name] : llvm::enumerate(plan.outputNames))
    graph.setResultAttr(index, "goe.name", b.getStringAttr(name));
}

} // namespace

void registerSpecDialects(DialectRegistry &registry) {
  registry.insert<goe::GoeDialect, func::FuncDialect, tosa::TosaDialect,
                  ml_program::MLProgramDialect>();
}

OwningOpRef<ModuleOp> buildModule(const Spec &spec,
                                  const BuildOptions &options,
                                  MLIRContext *context) {
  context->loadDialect<goe::GoeDialect, func::FuncDialect, tosa::TosaDialect,
                       ml_program::MLProgramDialect>();
  FailureOr<GraphPlan> plan = planGraph(spec, options.routers, context);
  if (failed(plan))
    return nullptr;
  OwningOpRef<ModuleOp> module = ModuleOp::create(
      FileLineColLoc::get(context, spec.file, 1, 1), spec.name);
  GraphGen(*plan, *module).run();
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

} // namespace goe::spec
