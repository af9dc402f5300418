//===- Routing.cpp - per-input routing decisions ------------------------===//

#include "goe/Runtime/Random.h"
#include "Routing.h"
#include "goe/Router/GateStatistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace goe::runtime::detail {
namespace {

uint64_t mix(uint64_t a, uint64_t b) {
  SplitMix64 g{a ^ (b * 0xd1b54a32d192ed03ull)};
  return g.next();
}

void prepare(const LoadedRouter &router, int64_t batch, RouteDecision &d) {
  d.router = router.name;
  d.batch = batch;
  d.k = router.k;
  d.choices.assign(static_cast<size_t>(batch * router.k), 0);
  d.weights.assign(static_cast<size_t>(batch * router.k), 0.0f);
}

} // namespace

Status routeOracle(const LoadedRouter &router, const Tensor &labels,
                   RouteDecision &decision) {
  int64_t batch = labels.shape()[0];
  prepare(router, batch, decision);
  const int64_t *label = labels.i64();
  for (int64_t b = 0; b < batch; ++b) {
    if (label[b] < 0 || label[b] >= router.choices)
      return outOfRange("oracle router '" + router.name + "': input " +
                        std::to_string(b) + " has label " +
                        std::to_string(label[b]) + ", outside [0, " +
                        std::to_string(router.choices) + ")");
    decision.choices[b] = label[b];
    decision.weights[b] = 1.0f;
  }
  return okStatus();
}

void routeRandom(const LoadedRouter &router, int64_t batch, uint64_t runSeed,
                 int step, RouteDecision &decision) {
  prepare(router, batch, decision);
  uint64_t base = mix(mix(router.seed, runSeed), static_cast<uint64_t>(step));
  std::vector<int64_t> pool(static_cast<size_t>(router.choices));
  for (int64_t b = 0; b < batch; ++b) {
    SplitMix64 gen{mix(base, static_cast<uint64_t>(b))};
    std::iota(pool.begin(), pool.end(), 0);
    // A partial Fisher-Yates shuffle: the first k are a uniform sample
    // without replacement.
    for (int64_t j = 0; j < router.k; ++j) {
      int64_t pick = j + static_cast<int64_t>(
                             gen.below(static_cast<uint64_t>(router.choices - j)));
      std::swap(pool[j], pool[pick]);
      decision.choices[b * router.k + j] = pool[j];
      decision.weights[b * router.k + j] = 1.0f / static_cast<float>(router.k);
    }
  }
}

Status routeTopk(const LoadedRouter &router, const Tensor &logits,
                 RouteDecision &decision) {
  int64_t batch = logits.shape()[0];
  int64_t n = router.choices;
  prepare(router, batch, decision);
  std::vector<double> prob(static_cast<size_t>(n));
  for (int64_t b = 0; b < batch; ++b) {
    const float *row = logits.f32() + b * n;
    int64_t bad = 0;
    // The gate math is router/'s, shared with goe-train's reports.
    if (!router::topkGate(row, n, router.k, prob.data(),
                          decision.choices.data() + b * router.k,
                          decision.weights.data() + b * router.k, &bad))
      return outOfRange("topk router '" + router.name + "': logit " +
                        std::to_string(bad) + " of input " + std::to_string(b) +
                        " is " + std::to_string(row[bad]));
  }
  return okStatus();
}

} // namespace goe::runtime::detail
