//===- WeightedSum.cpp - weighted_sum: Σ route weight × result ------------===//
//
// For any k: each per-choice result [k, D...] becomes the sum over the k
// choices of the route's weight times the result, [D...] (floats only).
//
//===----------------------------------------------------------------------===//

#include "Combines.h"

namespace goe::combines {
namespace {

std::string results(int64_t k, const std::vector<SampleType> &inputs,
                    const ParamValues &, std::vector<SampleType> &out) {
  for (const SampleType &input : inputs) {
    if (input.isInt)
      return "weighted_sum merges float results, got an integer one";
    out.emplace_back();
    if (std::string problem = dropChoice(k, input, out.back());
        !problem.empty())
      return problem;
  }
  return "";
}

} // namespace

const CombineKindInfo &weightedSum() {
  static const CombineKindInfo info{CombineKind::WeightedSum, 0,
                                    "only the dispatch's results", {},
                                    results};
  return info;
}

} // namespace goe::combines
