//===- GateStatistics.cpp - top-k gating and expert load -----------------===//

#include "goe/Router/GateStatistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace goe::router {

bool topkGate(const float *logits, int64_t experts, int64_t k, double *probs,
              int64_t *chosen, float *weights, int64_t *badLogit) {
  double top = -INFINITY;
  for (int64_t i = 0; i < experts; ++i) {
    if (!std::isfinite(logits[i])) {
      if (badLogit)
        *badLogit = i;
      return false;
    }
    top = std::max(top, double(logits[i]));
  }
  double sum = 0;
  for (int64_t i = 0; i < experts; ++i)
    sum += probs[i] = std::exp(double(logits[i]) - top);
  for (int64_t i = 0; i < experts; ++i)
    probs[i] /= sum;
  std::vector<int64_t> order(static_cast<size_t>(experts));
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + k, order.end(),
                    [&](int64_t x, int64_t y) {
                      return probs[x] > probs[y] ||
                             (probs[x] == probs[y] && x < y);
                    });
  double kept = 0;
  for (int64_t j = 0; j < k; ++j)
    kept += probs[order[j]];
  for (int64_t j = 0; j < k; ++j) {
    chosen[j] = order[j];
    weights[j] = static_cast<float>(probs[order[j]] / kept);
  }
  return true;
}

bool gateStatistics(const std::vector<double> &probs,
                    const std::vector<int64_t> &chosen, int64_t batch,
                    int64_t experts, int64_t k, GateStatistics &stats,
                    std::string *error) {
  auto fail = [&](const std::string &message) {
    if (error)
      *error = message;
    return false;
  };
  if (experts < 1 || k < 1 || k > experts || batch < 0)
    return fail("gate statistics need 1 <= k <= experts and batch >= 0");
  if (static_cast<int64_t>(probs.size()) != batch * experts ||
      static_cast<int64_t>(chosen.size()) != batch * k)
    return fail("gate statistics: " + std::to_string(probs.size()) +
                " probabilities and " + std::to_string(chosen.size()) +
                " choices for batch " + std::to_string(batch) + ", " +
                std::to_string(experts) + " experts, k " + std::to_string(k));
  stats = GateStatistics();
  stats.usage.assign(static_cast<size_t>(experts), 0.0);
  stats.meanProb.assign(static_cast<size_t>(experts), 0.0);
  if (batch == 0)
    return true;
  for (int64_t c : chosen) {
    if (c < 0 || c >= experts)
      return fail("gate statistics: choice " + std::to_string(c) +
                  " outside [0, " + std::to_string(experts) + ")");
    stats.usage[c] += 1.0;
  }
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < experts; ++i)
      stats.meanProb[i] += probs[b * experts + i];
  double loss = 0;
  for (int64_t i = 0; i < experts; ++i) {
    stats.usage[i] /= double(batch * k);
    stats.meanProb[i] /= double(batch);
    loss += stats.usage[i] * stats.meanProb[i];
  }
  stats.loadBalanceLoss = double(experts) * loss;
  return true;
}

int64_t expertCapacity(double factor, int64_t batch, int64_t experts,
                       int64_t k) {
  if (factor <= 0)
    return batch * k;
  return static_cast<int64_t>(
      std::ceil(factor * double(batch * k) / double(experts)));
}

} // namespace goe::router
