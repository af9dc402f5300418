//===- Random.cpp - the random router: an ablation ------------------------===//
//
// Picks k distinct paths at random from a seed, each weighted 1/k; it reads
// its input only for the batch size. `seed` is mixed with the run's seed by
// the runtime. With k > 1 it is the random-routing ablation of a top-k gate
// (examples/moe_yolov7_tiny's random_pick).
//
//===----------------------------------------------------------------------===//

#include "Routers.h"

namespace goe::routers {

const RouterKindInfo &random() {
  static const RouterKindInfo info{RouterKind::Random,
                                   RouterKindInfo::Any,
                                   /*bodyKey=*/nullptr,
                                   /*picksSeveral=*/true,
                                   {{"seed", KindParam::Count, false, 0}},
                                   /*state=*/nullptr,
                                   /*checkBody=*/nullptr};
  return info;
}

} // namespace goe::routers
