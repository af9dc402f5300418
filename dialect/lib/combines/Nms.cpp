//===- Nms.cpp - nms: one NMS over every chosen expert's boxes ------------===//
//
// Reads YOLO head levels (detect layers) [k, 3, H, W, nc + 5] per sample,
// as wbf does, but pools the k chosen experts' candidate rows and runs one
// class-wise NMS over them (nms_conf, nms_iou, max_det): the plain
// alternative to fusing the experts' boxes, and the ablation of wbf. The
// route weights are not used. The result is [max_det, 6] boxes per sample.
//
//===----------------------------------------------------------------------===//

#include "Combines.h"

namespace goe::combines {
namespace {

std::string results(int64_t k, const std::vector<SampleType> &inputs,
                    const ParamValues &params, std::vector<SampleType> &out) {
  if (std::string problem = headLevelsProblem("nms", k, inputs);
      !problem.empty())
    return problem;
  out.push_back(SampleType{{(int64_t)params.at("max_det"), 6}, false});
  return "";
}

} // namespace

const CombineKindInfo &nms() {
  static const CombineKindInfo info{
      CombineKind::Nms, 0, "only the dispatch's results",
      {{"nms_conf", KindParam::Float, false, 0.001, 0.0, 1.0},
       {"nms_iou", KindParam::Float, false, 0.65, 0.0, 1.0},
       {"max_det", KindParam::Size, false, 300, 1, 1e6}},
      results,
      /*readsHeadLevels=*/true};
  return info;
}

} // namespace goe::combines
