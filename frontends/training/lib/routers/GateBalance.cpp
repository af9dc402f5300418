//===- GateBalance.cpp - a top-k gate's balance loss and usage --------===//

#include "goe/Training/GateBalance.h"

#include <torch/torch.h>

#include <cstdio>

namespace goe::train {

at::Tensor loadBalanceLoss(const at::Tensor &gateLogits, int64_t k) {
  int64_t experts = gateLogits.size(1);
  at::Tensor probs = torch::softmax(gateLogits, 1);
  // The top-k as the router picks it (stable sort: ties to the lower index).
  at::Tensor chosen =
      std::get<1>(probs.detach().sort(/*stable=*/true, 1, true)).slice(1, 0, k);
  at::Tensor share = torch::zeros({experts}, probs.options());
  share.index_add_(0, chosen.reshape(-1),
                   torch::ones({chosen.numel()}, probs.options()));
  share = share / (double)chosen.numel();
  return (double)experts * (share * probs.mean(0)).sum();
}

void GateUsage::add(const at::Tensor &gateLogits) {
  torch::NoGradGuard noGrad;
  at::Tensor p = torch::softmax(gateLogits.to(at::kDouble), 1).contiguous();
  at::Tensor c = std::get<1>(p.sort(/*stable=*/true, 1, true))
                     .slice(1, 0, k)
                     .contiguous();
  probs.insert(probs.end(), p.data_ptr<double>(),
               p.data_ptr<double>() + p.numel());
  chosen.insert(chosen.end(), c.data_ptr<int64_t>(),
                c.data_ptr<int64_t>() + c.numel());
  batch += gateLogits.size(0);
}

router::GateStatistics GateUsage::statistics() const {
  router::GateStatistics stats;
  router::gateStatistics(probs, chosen, batch, experts, k, stats);
  return stats;
}

std::string GateUsage::report() const {
  if (batch == 0)
    return {};
  router::GateStatistics stats = statistics();
  auto list = [](const std::vector<double> &values) {
    std::string out;
    char buffer[32];
    for (double v : values) {
      std::snprintf(buffer, sizeof buffer, "%s%.3f", out.empty() ? "" : " ", v);
      out += buffer;
    }
    return out;
  };
  char tail[64];
  std::snprintf(tail, sizeof tail, "%.4f", stats.loadBalanceLoss);
  return "expert usage f = " + list(stats.usage) + ", mean probability P = " +
         list(stats.meanProb) + ", load-balance loss N*sum(f*P) = " + tail;
}

} // namespace goe::train
