//===- Fixed.cpp - the fixed router: every input takes one path -----------===//
//
// Sends every input to path `path` with the whole weight, whatever the
// input: one expert of a trained mixture alone, the ablation beside the
// gate (examples/backbone_gating/detection.yaml's general_only: the
// general backbone without the gate). No body, no learned state.
//
//===----------------------------------------------------------------------===//

#include "Routers.h"

namespace goe::routers {

namespace {

std::string checkPath(int64_t choices, const ParamValues &params) {
  auto path = static_cast<int64_t>(params.at("path"));
  if (path < choices)
    return "";
  return "path " + std::to_string(path) + " is not one of its " +
         std::to_string(choices) + " choices (0.." +
         std::to_string(choices - 1) + ")";
}

} // namespace

const RouterKindInfo &fixed() {
  static const RouterKindInfo info{RouterKind::Fixed,
                                   RouterKindInfo::Any,
                                   /*bodyKey=*/nullptr,
                                   /*picksSeveral=*/false,
                                   {{"path", KindParam::Count, false, 0}},
                                   /*state=*/nullptr,
                                   /*checkBody=*/nullptr,
                                   /*stateShapes=*/nullptr,
                                   checkPath};
  return info;
}

} // namespace goe::routers
