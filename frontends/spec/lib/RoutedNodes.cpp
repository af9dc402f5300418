//===- RoutedNodes.cpp - dispatch and combine nodes to goe ops ------------===//
//
// A dispatch node becomes one goe.dispatch over its experts or its
// Graph-of-Experts tree (one function per module instance, paths numbered
// most-significant bit first); a combine node becomes a goe.combine whose
// result shapes follow its kind. Mismatches are reported at the node.
//
//===----------------------------------------------------------------------===//

#include "GraphGen.h"

namespace goe::spec::graphgen {

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

} // namespace goe::spec::graphgen
