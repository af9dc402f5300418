//===- GateStatistics.h - top-k gating and expert load -----------*- C++ -*-===//
//
// The learned top-k gate: softmax over the experts' logits, the k most
// probable experts (ties to the lower index), their probabilities
// renormalised to sum to 1. And the load statistics of a batch as the
// Switch Transformer defines them:
//   f_i = fraction of the batch's (input, choice) assignments that go to
//         expert i (sums to 1 over i; for k = 1 the fraction of inputs),
//   P_i = mean over the batch of the gate probability of expert i,
//   load-balance loss = N * sum_i f_i * P_i  (N experts; 1 when the load
//         and the probabilities are uniform, N when all goes to one expert).
// The runtime's topk router and goe-train's reports use these functions;
// training computes the same loss on LibTorch tensors to differentiate it.
//
// Thread safety: pure functions.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_ROUTER_GATESTATISTICS_H
#define GOE_ROUTER_GATESTATISTICS_H

#include <cstdint>
#include <string>
#include <vector>

namespace goe::router {

/// One input's top-k: `logits` [experts] (finite) -> `probs` [experts]
/// (softmax), `chosen` [k] and `weights` [k] (renormalised). Returns false
/// with the index of the first non-finite logit in `badLogit`.
bool topkGate(const float *logits, int64_t experts, int64_t k, double *probs,
              int64_t *chosen, float *weights, int64_t *badLogit = nullptr);

struct GateStatistics {
  std::vector<double> usage;    // f_i
  std::vector<double> meanProb; // P_i
  double loadBalanceLoss = 0;   // N * sum f_i P_i
};

/// `probs` [batch, experts] and `chosen` [batch, k] (indices in [0,
/// experts)). Returns false (with `error`) on sizes that do not fit or
/// indices out of range. An empty batch gives zeros.
bool gateStatistics(const std::vector<double> &probs,
                    const std::vector<int64_t> &chosen, int64_t batch,
                    int64_t experts, int64_t k, GateStatistics &stats,
                    std::string *error = nullptr);

/// Capacity of each expert for a batch: ceil(factor * batch * k / experts);
/// a factor <= 0 means no limit (returns batch * k).
int64_t expertCapacity(double factor, int64_t batch, int64_t experts,
                       int64_t k);

} // namespace goe::router

#endif // GOE_ROUTER_GATESTATISTICS_H
