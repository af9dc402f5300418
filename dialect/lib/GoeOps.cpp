//===- GoeOps.cpp - goe operations: parsing, printing, verifiers ----------===//
//
// The verifiers here are the contract later passes rely on: a dispatch's
// paths chain type-correctly and agree in their results, a router's fan-out
// matches what it routes to, and a combine's operands have the layout its
// kind needs. Every message names both sides of a mismatch.
//
//===----------------------------------------------------------------------===//

#include "goe/Dialect/Goe/GoeOps.h"
#include "goe/Dialect/Goe/CombineKinds.h"
#include "goe/Dialect/Goe/RouterKinds.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/FunctionImplementation.h"

using namespace mlir;
using namespace goe;

/// The activation inputs of an expert function: its arguments without the
/// trailing weights that goe-weights-to-arguments appends (`goe.weights`).
ArrayRef<Type> goe::getActivationTypes(func::FuncOp fn) {
  ArrayRef<Type> inputs = fn.getArgumentTypes();
  if (auto weights = fn->getAttrOfType<ArrayAttr>("goe.weights"))
    return inputs.drop_back(std::min<size_t>(weights.size(), inputs.size()));
  return inputs;
}

//===----------------------------------------------------------------------===//
// GraphOp / OutputOp
//===----------------------------------------------------------------------===//

ParseResult GraphOp::parse(OpAsmParser &parser, OperationState &result) {
  auto buildType = [](Builder &builder, ArrayRef<Type> inputs,
                      ArrayRef<Type> results, function_interface_impl::VariadicFlag,
                      std::string &) {
    return builder.getFunctionType(inputs, results);
  };
  return function_interface_impl::parseFunctionOp(
      parser, result, /*allowVariadic=*/false,
      getFunctionTypeAttrName(result.name), buildType,
      getArgAttrsAttrName(result.name), getResAttrsAttrName(result.name));
}

void GraphOp::print(OpAsmPrinter &p) {
  function_interface_impl::printFunctionOp(
      p, *this, /*isVariadic=*/false, getFunctionTypeAttrName(),
      getArgAttrsAttrName(), getResAttrsAttrName());
}

LogicalResult GraphOp::verify() {
  if (getBody().empty())
    return emitOpError("needs a body");
  for (auto [index, type] : llvm::enumerate(getArgumentTypes())) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || tensor.getRank() < 1)
      return emitOpError() << "input " << index
                           << " must be a ranked tensor with a batch "
                              "dimension, got "
                           << type;
  }
  return success();
}

LogicalResult OutputOp::verify() {
  auto graph = cast<GraphOp>((*this)->getParentOp());
  ArrayRef<Type> expected = graph.getResultTypes();
  if (getResults().size() != expected.size())
    return emitOpError() << "returns " << getResults().size()
                         << " values but the graph declares "
                         << expected.size();
  for (auto [index, value, type] :
       llvm::enumerate(getResults(), expected))
    if (value.getType() != type)
      return emitOpError() << "result " << index << " has type "
                           << value.getType() << " but the graph declares "
                           << type;
  return success();
}

//===----------------------------------------------------------------------===//
// RouterOp / RouteOp
//===----------------------------------------------------------------------===//

/// A goe.router's or goe.combine's parameters as numbers (a Choice by its
/// index), with the kind's defaults for those it leaves out.
static ParamValues paramValues(DictionaryAttr dict,
                               const std::vector<KindParam> &params) {
  ParamValues values;
  for (NamedAttribute entry : dict ? dict.getValue()
                                   : ArrayRef<NamedAttribute>()) {
    std::string key = entry.getName().str();
    if (auto f = dyn_cast<FloatAttr>(entry.getValue()))
      values[key] = f.getValueAsDouble();
    else if (auto i = dyn_cast<IntegerAttr>(entry.getValue()))
      values[key] = double(i.getInt());
    else if (auto s = dyn_cast<StringAttr>(entry.getValue()))
      if (const KindParam *param = findParam(params, key))
        values[key] = param->choiceIndex(s.getValue());
  }
  return withDefaults(params, values);
}

LogicalResult RouterOp::verify() {
  int64_t choices = getChoices(), k = getK();
  if (choices < 1)
    return emitOpError() << "needs at least one choice, got " << choices;
  if (k < 1 || k > choices)
    return emitOpError() << "picks k in [1, " << choices << "], got k = "
                         << k;
  const RouterKindInfo &info = routerKindInfo(getKind());
  if (info.hasBody() && !getBody())
    return emitOpError() << "of kind '" << info.name()
                         << "' needs a body function";
  if (!info.hasBody() && getBody())
    return emitOpError() << "of kind '" << info.name()
                         << "' takes no body function";
  for (const KindParam &param : info.params) {
    if (!param.required)
      continue;
    Attribute value = getParams() ? getParams()->get(param.key) : Attribute();
    auto integer = dyn_cast_or_null<IntegerAttr>(value);
    if (param.type == KindParam::Size && (!integer || integer.getInt() < 1))
      return emitOpError() << "of kind '" << info.name()
                           << "' needs a positive integer parameter '"
                           << param.key << "'";
    if (!value)
      return emitOpError() << "of kind '" << info.name()
                           << "' needs the parameter '" << param.key << "'";
  }
  if (info.checkParams) {
    std::string problem = info.checkParams(
        choices, paramValues(getParamsAttr(), info.params));
    if (!problem.empty())
      return emitOpError() << "of kind '" << info.name() << "': " << problem;
  }
  return success();
}

/// The per-sample logical shape of a body's single result: the batch
/// dropped and a channels-last [H, W, C] read back as [C, H, W].
static FailureOr<SmallVector<int64_t>> bodyOutputShape(Operation *op,
                                                       func::FuncOp body) {
  if (body.getNumResults() != 1)
    return op->emitOpError() << "body @" << body.getName()
                             << " must return one tensor, it returns "
                             << body.getNumResults();
  auto type = dyn_cast<RankedTensorType>(body.getResultTypes()[0]);
  if (!type || type.getRank() < 2)
    return op->emitOpError() << "body @" << body.getName()
                             << " must return a batched tensor, got "
                             << body.getResultTypes()[0];
  SmallVector<int64_t> shape(type.getShape().drop_front());
  if (shape.size() == 3)
    shape = {shape[2], shape[0], shape[1]};
  return shape;
}

LogicalResult
RouterOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  if (!getBody())
    return success();
  auto body =
      symbolTable.lookupNearestSymbolFrom<func::FuncOp>(*this, getBodyAttr());
  if (!body)
    return emitOpError() << "body @" << *getBody()
                         << " is not a function in this module";
  FailureOr<SmallVector<int64_t>> shape = bodyOutputShape(*this, body);
  if (failed(shape))
    return failure();
  const RouterKindInfo &info = routerKindInfo(getKind());
  std::string problem =
      info.checkBody(getChoices(), paramValues(getParamsAttr(), info.params),
                     *shape, ("@" + body.getName()).str());
  if (!problem.empty())
    return emitOpError() << problem;
  return success();
}

LogicalResult RouteOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto router = symbolTable.lookupNearestSymbolFrom<RouterOp>(*this,
                                                              getRouterAttr());
  if (!router)
    return emitOpError() << "@" << getRouter() << " is not a goe.router";
  RoutingType type = getRouting().getType();
  if (type.getChoices() != router.getChoices() || type.getK() != router.getK())
    return emitOpError() << "result " << type << " does not match router @"
                         << getRouter() << " (" << router.getChoices()
                         << " choices, top " << router.getK() << ")";
  auto input = cast<RankedTensorType>(getInput().getType());
  const RouterKindInfo &info = routerKindInfo(router.getKind());
  if (input.getRank() < 1 ||
      !info.accepts(input.getShape().drop_front(),
                    input.getElementType().isInteger(64)))
    return emitOpError() << info.name() << " router @" << getRouter()
                         << " reads " << info.inputText() << ", got "
                         << input;
  if (router.getBody()) {
    auto body = symbolTable.lookupNearestSymbolFrom<func::FuncOp>(
        router, router.getBodyAttr());
    if (body && (getActivationTypes(body).size() != 1 ||
                 getActivationTypes(body)[0] != input))
      return emitOpError() << "feeds " << input << " to router @"
                           << getRouter() << " whose body @"
                           << body.getName() << " takes "
                           << getActivationTypes(body);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// DispatchOp
//===----------------------------------------------------------------------===//

SmallVector<FlatSymbolRefAttr> DispatchOp::getPath(unsigned index) {
  SmallVector<FlatSymbolRefAttr> path;
  for (Attribute step : cast<ArrayAttr>(getPaths()[index]))
    path.push_back(cast<FlatSymbolRefAttr>(step));
  return path;
}

/// `type` with a dimension of size `k` inserted after the batch dimension.
static RankedTensorType insertChoiceDim(RankedTensorType type, int64_t k) {
  SmallVector<int64_t> shape(type.getShape());
  shape.insert(shape.begin() + 1, k);
  return RankedTensorType::get(shape, type.getElementType());
}

LogicalResult
DispatchOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  RoutingType routing = getRouting().getType();
  if (getNumPaths() != routing.getChoices())
    return emitOpError() << "has " << getNumPaths()
                         << " paths but its route chooses among "
                         << routing.getChoices();
  SmallVector<Type> pathResults;
  for (unsigned index = 0; index < getNumPaths(); ++index) {
    auto steps = dyn_cast<ArrayAttr>(getPaths()[index]);
    if (!steps || steps.empty())
      return emitOpError() << "path " << index
                           << " must be a non-empty list of functions";
    SmallVector<Type> flowing(getInputs().getTypes());
    for (Attribute step : steps) {
      auto symbol = dyn_cast<FlatSymbolRefAttr>(step);
      if (!symbol)
        return emitOpError() << "path " << index << " holds " << step
                             << ", not a function symbol";
      auto fn = symbolTable.lookupNearestSymbolFrom<func::FuncOp>(*this,
                                                                  symbol);
      if (!fn)
        return emitOpError() << "path " << index << " calls " << symbol
                             << ", which is not a function in this module";
      if (TypeRange(getActivationTypes(fn)) != TypeRange(flowing))
        return emitOpError()
               << "path " << index << ": " << symbol << " takes "
               << getActivationTypes(fn) << " but is given " << flowing;
      flowing.assign(fn.getResultTypes().begin(), fn.getResultTypes().end());
    }
    if (index == 0)
      pathResults = flowing;
    else if (TypeRange(flowing) != TypeRange(pathResults))
      return emitOpError() << "path " << index << " returns " << flowing
                           << " but path 0 returns " << pathResults;
  }
  if (pathResults.size() != getNumResults())
    return emitOpError() << "has " << getNumResults()
                         << " results but its paths return "
                         << pathResults.size();
  for (auto [index, pathType, result] :
       llvm::enumerate(pathResults, getResults().getTypes())) {
    auto tensor = dyn_cast<RankedTensorType>(pathType);
    if (!tensor || tensor.getRank() < 1)
      return emitOpError() << "path result " << index
                           << " must be a batched tensor, got " << pathType;
    Type expected = insertChoiceDim(tensor, routing.getK());
    if (result != expected)
      return emitOpError() << "result " << index << " has type " << result
                           << " but top-" << routing.getK()
                           << " of path result " << pathType << " is "
                           << expected;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// CombineOp
//===----------------------------------------------------------------------===//

/// The per-sample type of a batched tensor type.
static SampleType sampleType(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return {tensor.getShape().drop_front().vec(),
          tensor.getElementType().isInteger(64)};
}

LogicalResult CombineOp::verify() {
  int64_t k = getRouting().getType().getK();
  if (getInputs().empty())
    return emitOpError() << "needs at least one input to combine";
  std::vector<SampleType> inputs, expected;
  for (Type type : getInputs().getTypes()) {
    if (cast<RankedTensorType>(type).getRank() < 1)
      return emitOpError() << "inputs must be batched tensors, got " << type;
    inputs.push_back(sampleType(type));
  }
  const CombineKindInfo &info = combineKindInfo(getKind());
  std::string problem = info.results(
      k, inputs, paramValues(getParamsAttr(), info.params), expected);
  if (!problem.empty())
    return emitOpError() << problem;
  if (expected.size() != getNumResults())
    return emitOpError() << "has " << getNumResults() << " results but "
                         << info.name() << " of its inputs gives "
                         << expected.size();
  for (auto [index, result] : llvm::enumerate(getResults().getTypes())) {
    auto tensor = cast<RankedTensorType>(result);
    if (tensor.getRank() < 1 || sampleType(result).shape != expected[index].shape ||
        tensor.getElementType().isInteger(64) != expected[index].isInt)
      return emitOpError() << "result " << index << " has type " << result
                           << ", expected [batch] + "
                           << printShape(expected[index].shape)
                           << (expected[index].isInt ? " of i64" : " of f32");
  }
  return success();
}

#define GET_OP_CLASSES
#include "goe/Dialect/Goe/GoeOps.cpp.inc"
