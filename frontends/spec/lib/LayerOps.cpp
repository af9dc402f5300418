//===- LayerOps.cpp - the registry of layer ops ---------------------------===//
//
// Layer ops are defined in their family files (frontends/spec/lib/ops/);
// this file only lists the families.
//
//===----------------------------------------------------------------------===//

#include "goe/Frontends/Spec/LayerOp.h"

#include <algorithm>
#include <climits>

namespace goe::spec {

// Each family file lists its ops (frontends/spec/lib/ops/).
namespace ops {
std::vector<const LayerOp *> convolutionOps();
std::vector<const LayerOp *> normalizationOps();
std::vector<const LayerOp *> activationOps();
std::vector<const LayerOp *> poolingOps();
std::vector<const LayerOp *> linearOps();
std::vector<const LayerOp *> mergeOps();
std::vector<const LayerOp *> detectionOps();
} // namespace ops

const std::vector<const LayerOp *> &allLayerOps() {
  static const std::vector<const LayerOp *> all = [] {
    std::vector<const LayerOp *> ops;
    for (auto family : {ops::convolutionOps, ops::normalizationOps,
                        ops::activationOps, ops::poolingOps, ops::linearOps,
                        ops::mergeOps, ops::detectionOps})
      for (const LayerOp *op : family())
        ops.push_back(op);
    return ops;
  }();
  return all;
}

const OpSpec *findLayerOp(const std::string &name) {
  for (const LayerOp *op : allLayerOps())
    if (name == op->name)
      return op;
  return nullptr;
}

const LayerOp &layerOpOf(const Layer &layer) {
  return *static_cast<const LayerOp *>(findLayerOp(layer.op));
}

std::string layerOpNames() {
  std::vector<std::string> sorted;
  for (const LayerOp *op : allLayerOps())
    sorted.push_back(op->name);
  std::sort(sorted.begin(), sorted.end());
  std::string names;
  for (const std::string &name : sorted)
    names += (names.empty() ? "" : ", ") + name;
  return names;
}

int64_t noMacs(const LayerShapes &) { return 0; }

LayerShapes layerShapes(const ResolvedModule &module,
                        const ResolvedLayer &resolved) {
  LayerShapes shapes{*resolved.layer, {}, resolved.result.shape};
  for (int id : resolved.inputs)
    shapes.inputs.push_back(module.valueType(id).shape);
  return shapes;
}

int64_t moduleMacs(const ResolvedModule &module) {
  int64_t total = 0;
  for (const ResolvedLayer &resolved : module.layers) {
    int64_t macs = layerOpOf(*resolved.layer).macs(layerShapes(module, resolved));
    total = INT64_MAX - total < macs ? INT64_MAX : total + macs;
  }
  return total;
}

} // namespace goe::spec
