//===- Random.cpp - training with random routing (the ablation) -----------===//
//
// Every router node gets a uniform random path per input: router/'s random
// routing rule, the runtime's random router's (k distinct uniform choices,
// weight 1/k). One seed per batch from the pass's generator (seeded from
// (seed, epoch) in training and from the seed in evaluation), mixed with
// the node's index; a sample's key is its index in the batch.
//
//===----------------------------------------------------------------------===//

#include "goe/Training/RouterTrainer.h"

#include "goe/Router/RandomRouting.h"

namespace goe::train {
namespace {

class RandomTrainer : public RouterTrainer {
public:
  explicit RandomTrainer(std::vector<RouterNode> nodes)
      : nodes(std::move(nodes)) {}

  std::map<std::string, torchref::Routing>
  route(const TrainBatch &batch, std::mt19937_64 &rng) override {
    uint64_t batchSeed = rng();
    std::map<std::string, torchref::Routing> routing;
    for (size_t n = 0; n < nodes.size(); ++n) {
      torchref::Routing r; // empty weights: 1/k each, as the rule says
      r.k = nodes[n].k;
      r.paths.resize(static_cast<size_t>(batch.size() * r.k));
      router::randomRoutes(router::mixRandomSeed(batchSeed, n), batch.size(),
                           nodes[n].choices, r.k, r.paths.data());
      routing[nodes[n].name] = std::move(r);
    }
    return routing;
  }

private:
  std::vector<RouterNode> nodes;
};

std::unique_ptr<RouterTrainer> create(RouterContext &context,
                                      runtime::Status &) {
  return std::make_unique<RandomTrainer>(context.nodes);
}

} // namespace

extern const RouterTrainerKind kRandomTrainer = {RouterKind::Random, create};

} // namespace goe::train
