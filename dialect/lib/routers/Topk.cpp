//===- Topk.cpp - the learned gate: softmax of logits, top k --------------===//
//
// Runs its gate (a module whose output is [choices] logits), takes a softmax
// and keeps the k largest, their weights renormalised to sum 1. The other
// parameters steer goe-train's load balancing; the gate's weights are its
// only learned state.
//
//===----------------------------------------------------------------------===//

#include "Routers.h"

namespace goe::routers {

std::string checkGate(int64_t choices, const ParamValues &,
                      llvm::ArrayRef<int64_t> shape, llvm::StringRef body) {
  if (shape.size() == 1 && shape[0] == choices)
    return "";
  return "chooses among " + std::to_string(choices) + " experts but its gate " +
         body.str() + " emits " + printShape(shape) + " logits";
}

const RouterKindInfo &topk() {
  static const RouterKindInfo info{
      RouterKind::TopK,
      RouterKindInfo::Float,
      /*bodyKey=*/"gate",
      /*picksSeveral=*/true,
      {{"balance_weight", KindParam::Float, false, 0.01, 0.0, 1e6},
       {"capacity_factor", KindParam::Float, false, 0.0, 0.0, 1e6},
       {"jitter", KindParam::Float, false, 0.0, 0.0, 1.0},
       {"z_loss_weight", KindParam::Float, false, 0.0, 0.0, 1e6}},
      /*state=*/nullptr,
      checkGate};
  return info;
}

} // namespace goe::routers
