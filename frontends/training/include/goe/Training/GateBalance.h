//===- GateBalance.h - a top-k gate's balance loss and usage ----*- C++ -*-===//
//
// The topk router's gate is trained with the experts: its renormalised
// top-k weights scale the experts' outputs (weighted_sum), so the task loss
// reaches it, and the Switch Transformer's load-balancing loss
//   N * sum_i f_i * P_i
// (f_i: share of the batch's top-k assignments to expert i, a constant;
// P_i: mean gate probability of expert i, differentiable) keeps it from
// sending everything to one expert. router/GateStatistics.h defines the
// same quantities for reports; this is their LibTorch form for training.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_GATEBALANCE_H
#define GOE_TRAINING_GATEBALANCE_H

#include "goe/Router/GateStatistics.h"

#include <ATen/ATen.h>

#include <string>
#include <vector>

namespace goe::train {

/// The differentiable load-balancing loss of a batch's gate logits [B, N].
at::Tensor loadBalanceLoss(const at::Tensor &gateLogits, int64_t k);

/// Gate probabilities and top-k choices over many batches, for a report of
/// expert usage with router::gateStatistics.
class GateUsage {
public:
  GateUsage(int64_t experts, int64_t k) : experts(experts), k(k) {}
  void add(const at::Tensor &gateLogits);
  /// "expert usage f = ..., mean probability P = ..., load-balance loss
  /// N·Σf·P = ..."; empty before any add().
  std::string report() const;
  router::GateStatistics statistics() const;

private:
  int64_t experts, k, batch = 0;
  std::vector<double> probs;
  std::vector<int64_t> chosen;
};

} // namespace goe::train

#endif // GOE_TRAINING_GATEBALANCE_H
