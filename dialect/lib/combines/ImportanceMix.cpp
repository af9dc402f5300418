//===- ImportanceMix.cpp - importance_mix: baseline and expert, mixed -----===//
//
// For a top-1 route: reads a baseline's scores [C] and the dispatch's
// per-choice (scores [1, C], importance [1, C, 2]); the result is
// baseline · importance[..., 0] + scores · importance[..., 1], [C].
//
//===----------------------------------------------------------------------===//

#include "Combines.h"

namespace goe::combines {
namespace {

std::string results(int64_t k, const std::vector<SampleType> &inputs,
                    const ParamValues &, std::vector<SampleType> &out) {
  if (k != 1)
    return "importance_mix needs a top-1 route, but it picks " +
           std::to_string(k);
  if (inputs.size() != 3)
    return "importance_mix reads (baseline, scores, importance); got " +
           std::to_string(inputs.size()) + " tensors";
  const std::vector<int64_t> &base = inputs[0].shape;
  if (base.size() != 1)
    return "baseline scores must be [classes], got " + printShape(base);
  std::vector<int64_t> scores{1, base[0]}, importance{1, base[0], 2};
  if (inputs[1].shape != scores)
    return "expert scores must be " + printShape(scores) +
           " (one choice of the baseline's), got " +
           printShape(inputs[1].shape);
  if (inputs[2].shape != importance)
    return "importance must be " + printShape(importance) + ", got " +
           printShape(inputs[2].shape);
  out.push_back(inputs[0]);
  return "";
}

} // namespace

const CombineKindInfo &importanceMix() {
  static const CombineKindInfo info{
      CombineKind::ImportanceMix, 1,
      "[baseline, dispatch] where each expert returns (scores, importance)",
      {}, results};
  return info;
}

} // namespace goe::combines
