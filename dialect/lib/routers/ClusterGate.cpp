//===- ClusterGate.cpp - a gate that learned clusters found without labels -===//
//
// Runs its gate (a module whose output is [choices] logits) and takes the
// path of the largest logit (ties to the lower index), weight 1: top-1 of
// the gate, as topk with k = 1 computes it. What differs is how goe-train
// learns the gate (frontends/training/lib/routers/ClusterGate.cpp): before
// the experts, the training images are clustered into `choices` groups by
// global image statistics (`statistics`, router/ImageMoments.h) with
// k-means (`kmeans_restarts`), and the gate is trained to predict those
// clusters; no label of any kind is used. The gate's weights are its only
// learned state.
//
//===----------------------------------------------------------------------===//

#include "Routers.h"

namespace goe::routers {

const RouterKindInfo &clusterGate() {
  static const RouterKindInfo info{
      RouterKind::ClusterGate,
      RouterKindInfo::Float,
      /*bodyKey=*/"gate",
      /*picksSeveral=*/false,
      {{"statistics", KindParam::Choice, false, 0, 0, 0,
        {"centre_of_mass", "second_moments"}},
       {"kmeans_restarts", KindParam::Size, false, 10}},
      /*state=*/nullptr,
      checkGate};
  return info;
}

} // namespace goe::routers
