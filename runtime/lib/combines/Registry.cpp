//===- Registry.cpp - combine kinds by their artifact message -------------===//
//
// Adding a combine kind: its message in artifact.proto's Combine oneof, its
// file in this folder, its line in kCombineKinds.
//
//===----------------------------------------------------------------------===//

#include "combines/Combiner.h"

namespace goe::runtime::detail {
namespace {

struct CombineKindEntry {
  artifact::Combine::KindCase kind;
  const char *name; // as in artifact.proto, for messages
  CombineLoader load;
};

const CombineKindEntry kCombineKinds[] = {
    {artifact::Combine::kSelect, "select", loadSelectCombine},
    {artifact::Combine::kWeightedSum, "weighted_sum", loadWeightedSumCombine},
    {artifact::Combine::kImportanceMix, "importance_mix",
     loadImportanceMixCombine},
    {artifact::Combine::kWbf, "wbf", loadWbfCombine},
    {artifact::Combine::kNms, "nms", loadNmsCombine},
};

} // namespace

StatusOr<std::shared_ptr<const Combiner>>
loadCombine(const artifact::Combine &source) {
  std::string known;
  for (const CombineKindEntry &entry : kCombineKinds) {
    if (entry.kind == source.kind_case())
      return entry.load(source);
    known += std::string(known.empty() ? "" : ", ") + entry.name;
  }
  return invalidArgument("has no combine kind this runtime knows (" + known +
                         "): recompile the model with this release's "
                         "goe-compile");
}

Status dropSlotDim(const char *kind, const std::vector<TensorSpec> &inputs,
                   int64_t k, std::vector<TensorSpec> &outputs) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].shape.empty() || inputs[i].shape[0] != k)
      return invalidArgument(std::string(kind) + " input " + std::to_string(i) +
                             " is " + specToString(inputs[i]) + ", expected [" +
                             std::to_string(k) +
                             ", ...] (one slot per chosen path" +
                             (k == 1 ? ", k = 1)" : ")"));
    TensorSpec out = inputs[i];
    out.shape.erase(out.shape.begin());
    outputs.push_back(out);
  }
  return okStatus();
}

std::vector<int64_t> withoutSlotDim(const std::vector<int64_t> &shape) {
  std::vector<int64_t> out = shape;
  out.erase(out.begin() + 1);
  return out;
}

Status checkHeadLevels(const char *kind, const std::vector<TensorSpec> &levels,
                       int64_t k) {
  if (levels.empty())
    return invalidArgument(std::string(kind) +
                           " needs at least one head level");
  for (size_t i = 0; i < levels.size(); ++i) {
    const TensorSpec &level = levels[i];
    if (level.dtype != DType::F32 || level.shape.size() < 2 ||
        level.shape[0] != k || level.shape.back() < 6 ||
        level.shape.back() != levels[0].shape.back())
      return invalidArgument(
          std::string(kind) + " level " + std::to_string(i) + " is " +
          specToString(level) + ", expected f32[" + std::to_string(k) +
          ", ..., nc + 5] (decoded xywh, objectness, class probabilities; "
          "the same nc on every level)");
  }
  return okStatus();
}

void writeBoxRows(const std::vector<Box> &boxes, int64_t maxDet, float *dst) {
  for (size_t i = 0; i < boxes.size() && static_cast<int64_t>(i) < maxDet;
       ++i) {
    const Box &box = boxes[i];
    float *row = dst + i * 6;
    row[0] = static_cast<float>(box.x1);
    row[1] = static_cast<float>(box.y1);
    row[2] = static_cast<float>(box.x2);
    row[3] = static_cast<float>(box.y2);
    row[4] = static_cast<float>(box.score);
    row[5] = static_cast<float>(box.label);
  }
}

} // namespace goe::runtime::detail
