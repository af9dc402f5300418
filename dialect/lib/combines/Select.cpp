//===- Select.cpp - select: the one chosen path's results -----------------===//
//
// For a top-1 route: each per-choice result [1, D...] becomes [D...].
//
//===----------------------------------------------------------------------===//

#include "Combines.h"

namespace goe::combines {
namespace {

std::string results(int64_t k, const std::vector<SampleType> &inputs,
                    const ParamValues &, std::vector<SampleType> &out) {
  if (k != 1)
    return "select needs a top-1 route, but it picks " + std::to_string(k) +
           "; use weighted_sum or wbf";
  for (const SampleType &input : inputs) {
    out.emplace_back();
    if (std::string problem = dropChoice(k, input, out.back());
        !problem.empty())
      return problem;
  }
  return "";
}

} // namespace

const CombineKindInfo &select() {
  static const CombineKindInfo info{CombineKind::Select, 0,
                                    "only the dispatch's results", {},
                                    results};
  return info;
}

std::string dropChoice(int64_t k, const SampleType &input, SampleType &out) {
  if (input.shape.empty() || input.shape[0] != k)
    return "expects per-choice results [" + std::to_string(k) +
           ", ...] per sample, got " + printShape(input.shape);
  out = input;
  out.shape.erase(out.shape.begin());
  return "";
}

} // namespace goe::combines
