//===- Random.cpp - the random router: an ablation ------------------------===//
//
// Picks paths at random from a seed; it reads its input only for the batch
// size. `seed` is mixed with the run's seed by the runtime.
//
//===----------------------------------------------------------------------===//

#include "Routers.h"

namespace goe::routers {

const RouterKindInfo &random() {
  static const RouterKindInfo info{RouterKind::Random,
                                   RouterKindInfo::Any,
                                   /*bodyKey=*/nullptr,
                                   /*picksSeveral=*/false,
                                   {{"seed", KindParam::Count, false, 0}},
                                   /*state=*/nullptr,
                                   /*checkBody=*/nullptr};
  return info;
}

} // namespace goe::routers
