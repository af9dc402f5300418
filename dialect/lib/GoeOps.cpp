//===- GoeOps.cpp - goe operations: parsing, printing, verifiers ----------===//
//
// The verifiers here are the contract later passes rely on: a dispatch's
// paths chain type-correctly and agree in their results, a router's fan-out
// matches what it routes to, and a combine's operands have the layout its
// kind needs. Every message names both sides of a mismatch.
//
//===----------------------------------------------------------------------===//

#include "goe/Dialect/Goe/GoeOps.h"

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

static bool routerNeedsBody(RouterKind kind) {
  return kind == RouterKind::TopK || kind == RouterKind::VqvaeHclust;
}

LogicalResult RouterOp::verify() {
  int64_t choices = getChoices(), k = getK();
  if (choices < 1)
    return emitOpError() << "needs at least one choice, got " << choices;
  if (k < 1 || k > choices)
    return emitOpError() << "picks k in [1, " << choices << "], got k = "
                         << k;
  if (routerNeedsBody(getKind()) && !getBody())
    return emitOpError() << "of kind '" << stringifyRouterKind(getKind())
                         << "' needs a body function";
  if (!routerNeedsBody(getKind()) && getBody())
    return emitOpError() << "of kind '" << stringifyRouterKind(getKind())
                         << "' takes no body function";
  if (getKind() == RouterKind::VqvaeHclust) {
    for (StringRef name : {"codes", "code_dim"}) {
      auto value = getParams() ? getParams()->getAs<IntegerAttr>(name)
                               : IntegerAttr();
      if (!value || value.getInt() < 1)
        return emitOpError() << "of kind 'vqvae_hclust' needs a positive "
                                "integer parameter '"
                             << name << "'";
    }
  }
  return success();
}

/// The last dimension of a body's single result: the gate's logits or the
/// encoder's code channels (channels-last), which must match the router.
static FailureOr<int64_t> lastDimOfSingleResult(Operation *op,
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
  return type.getShape().back();
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
  FailureOr<int64_t> last = lastDimOfSingleResult(*this, body);
  if (failed(last))
    return failure();
  if (getKind() == RouterKind::TopK && *last != getChoices())
    return emitOpError() << "chooses among " << getChoices()
                         << " experts but its gate @" << body.getName()
                         << " emits " << *last << " logits";
  if (getKind() == RouterKind::VqvaeHclust) {
    int64_t codeDim = getParams()->getAs<IntegerAttr>("code_dim").getInt();
    if (*last != codeDim)
      return emitOpError() << "has code_dim " << codeDim
                           << " but its encoder @" << body.getName()
                           << " emits " << *last << " channels";
  }
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
  if (router.getKind() == RouterKind::Oracle &&
      (input.getRank() != 1 || !input.getElementType().isInteger(64)))
    return emitOpError() << "oracle router @" << getRouter()
                         << " reads one i64 label per input, got " << input;
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

/// Checks that `input` is `[B, k, ...]` and returns `[B, ...]`.
static FailureOr<RankedTensorType> dropChoiceDim(Operation *op, Type input,
                                                 int64_t k) {
  auto tensor = cast<RankedTensorType>(input);
  if (tensor.getRank() < 2 || tensor.getDimSize(1) != k)
    return op->emitOpError() << "expects per-choice results [batch, " << k
                             << ", ...], got " << input;
  SmallVector<int64_t> shape(tensor.getShape());
  shape.erase(shape.begin() + 1);
  return RankedTensorType::get(shape, tensor.getElementType());
}

static LogicalResult expectType(Operation *op, unsigned index, Type actual,
                                Type expected) {
  if (actual == expected)
    return success();
  return op->emitOpError() << "result " << index << " has type " << actual
                           << ", expected " << expected;
}

LogicalResult CombineOp::verify() {
  RoutingType routing = getRouting().getType();
  int64_t k = routing.getK();
  auto inputs = getInputs().getTypes();
  auto results = getResults().getTypes();
  if (inputs.empty())
    return emitOpError() << "needs at least one input to combine";
  switch (getKind()) {
  case CombineKind::Select:
  case CombineKind::WeightedSum: {
    if (getKind() == CombineKind::Select && k != 1)
      return emitOpError() << "select needs a top-1 route, got top-" << k
                           << "; use weighted_sum or wbf";
    if (inputs.size() != results.size())
      return emitOpError() << "has " << inputs.size() << " inputs but "
                           << results.size() << " results";
    for (auto [index, input, result] : llvm::enumerate(inputs, results)) {
      FailureOr<RankedTensorType> merged = dropChoiceDim(*this, input, k);
      if (failed(merged) || failed(expectType(*this, index, result, *merged)))
        return failure();
    }
    return success();
  }
  case CombineKind::ImportanceMix: {
    if (k != 1)
      return emitOpError() << "importance_mix needs a top-1 route, got top-"
                           << k;
    if (inputs.size() != 3 || results.size() != 1)
      return emitOpError() << "importance_mix takes (baseline, scores, "
                              "importance) and gives one result";
    auto base = cast<RankedTensorType>(inputs[0]);
    auto scores = cast<RankedTensorType>(inputs[1]);
    auto importance = cast<RankedTensorType>(inputs[2]);
    if (base.getRank() != 2)
      return emitOpError() << "baseline scores must be [batch, classes], got "
                           << base;
    int64_t classes = base.getDimSize(1);
    auto expectShape = [&](RankedTensorType type, ArrayRef<int64_t> tail,
                           StringRef what) -> LogicalResult {
      SmallVector<int64_t> shape{type.getRank() ? type.getDimSize(0) : 0};
      shape.append(tail.begin(), tail.end());
      if (type.getShape() == ArrayRef<int64_t>(shape))
        return success();
      return emitOpError() << what << " must be [batch, "
                           << llvm::make_range(tail.begin(), tail.end())
                           << "], got " << type;
    };
    if (failed(expectShape(scores, {1, classes}, "expert scores")) ||
        failed(expectShape(importance, {1, classes, 2}, "importance")))
      return failure();
    return expectType(*this, 0, results[0], base);
  }
  case CombineKind::Wbf: {
    if (inputs.empty() || results.size() != 1)
      return emitOpError() << "wbf takes one or more head levels and gives "
                              "one box tensor";
    int64_t attributes = -1;
    for (Type input : inputs) {
      auto level = cast<RankedTensorType>(input);
      if (level.getRank() != 6 || level.getDimSize(1) != k ||
          level.getDimSize(2) != 3 ||
          (attributes >= 0 && level.getDimSize(5) != attributes))
        return emitOpError() << "wbf levels must be [batch, " << k
                             << ", 3, H, W, nc + 5] with one nc, got "
                             << input;
      attributes = level.getDimSize(5);
    }
    auto boxes = cast<RankedTensorType>(results[0]);
    if (boxes.getRank() != 3 || boxes.getDimSize(2) != 6)
      return emitOpError() << "wbf gives [batch, max_det, 6] boxes, got "
                           << boxes;
    return success();
  }
  }
  return emitOpError("unknown combine kind");
}

#define GET_OP_CLASSES
#include "goe/Dialect/Goe/GoeOps.cpp.inc"
