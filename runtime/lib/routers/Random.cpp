//===- Random.cpp - the random router: router/'s random-routing rule ------===//
//
// The rule itself (k distinct uniform choices, weight 1/k, a pure function
// of seed and sample key) is router/RandomRouting.h's, which goe-train's
// --router random uses too. Here: the routing's seed is the router's seed
// mixed with the run's seed and the ROUTE step's index; a sample's key is
// its index in the batch.
//
//===----------------------------------------------------------------------===//

#include "routers/Router.h"

#include "goe/Router/RandomRouting.h"

namespace goe::runtime::detail {
namespace {

class RandomRouter final : public Router {
public:
  explicit RandomRouter(uint64_t seed) : seed(seed) {}

  Status route(const LoadedRouter &router, const RouteContext &context,
               RouteDecision &decision) const override {
    prepareDecision(router, context.batch, decision);
    uint64_t routing = router::mixRandomSeed(
        router::mixRandomSeed(seed, context.runSeed),
        static_cast<uint64_t>(context.step));
    router::randomRoutes(routing, context.batch, router.choices, router.k,
                         decision.choices.data(), decision.weights.data());
    return okStatus();
  }

private:
  uint64_t seed;
};

} // namespace

StatusOr<std::shared_ptr<const Router>>
loadRandomRouter(const artifact::Router &source, const Program &,
                 LoadedRouter &) {
  return std::shared_ptr<const Router>(
      std::make_shared<RandomRouter>(source.random().seed()));
}

} // namespace goe::runtime::detail
