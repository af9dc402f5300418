//===- Wbf.cpp - wbf: NMS per expert, weighted boxes fusion across them ---===//
//
// Reads YOLO head levels (detect layers) [k, 3, H, W, nc + 5] per sample;
// each chosen expert's boxes go through NMS (nms_conf, nms_iou), then
// weighted boxes fusion across the k experts weighted by the route (iou,
// skip_box_thr, conf_type). The result is [max_det, 6] boxes per sample.
//
//===----------------------------------------------------------------------===//

#include "Combines.h"

namespace goe::combines {

std::string headLevelsProblem(const char *kind, int64_t k,
                              const std::vector<SampleType> &inputs) {
  if (inputs.empty())
    return std::string(kind) + " reads one or more head levels";
  for (const SampleType &level : inputs) {
    const std::vector<int64_t> &s = level.shape;
    if (s.size() != 5 || s[0] != k || s[1] != 3 || s[4] < 6 ||
        s[4] != inputs[0].shape.back())
      return std::string(kind) + " reads YOLO head levels [" +
             std::to_string(k) +
             ", 3, H, W, nc + 5] (k choices of detect layers) with one nc, "
             "got " +
             printShape(s);
  }
  return "";
}

namespace {

std::string results(int64_t k, const std::vector<SampleType> &inputs,
                    const ParamValues &params, std::vector<SampleType> &out) {
  if (std::string problem = headLevelsProblem("wbf", k, inputs);
      !problem.empty())
    return problem;
  out.push_back(SampleType{{(int64_t)params.at("max_det"), 6}, false});
  return "";
}

} // namespace

const CombineKindInfo &wbf() {
  static const CombineKindInfo info{
      CombineKind::Wbf, 0, "only the dispatch's results",
      {{"iou", KindParam::Float, false, 0.55, 0.0, 1.0},
       {"skip_box_thr", KindParam::Float, false, 0.0, 0.0, 1.0},
       {"conf_type", KindParam::Choice, false, 0, 0, 0,
        {"avg", "max", "box_and_model_avg", "absent_model_aware_avg"}},
       {"nms_conf", KindParam::Float, false, 0.001, 0.0, 1.0},
       {"nms_iou", KindParam::Float, false, 0.65, 0.0, 1.0},
       {"max_det", KindParam::Size, false, 300, 1, 1e6}},
      results,
      /*readsHeadLevels=*/true};
  return info;
}

} // namespace goe::combines
