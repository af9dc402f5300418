//===- Topk.cpp - training a learned top-k gate with the experts ----------===//
//
// The model routes by the gate (softmax, the k largest, renormalised
// weights), so the task loss reaches the gate through the combine (or, for
// a mixture objective, through the weights of each expert's loss); the
// Switch load-balancing loss N * sum(f_i * P_i) (GateBalance.h) on the
// gate logits of the step's own forward pass, weighted by --balance-weight
// or the router's balance_weight, and the router z-loss
// mean(logsumexp(logits)^2) (ST-MoE) weighted by --z-loss, are added to
// every step. The gate may
// read a graph input or any value inside the graph (MoE-YOLO's P5). Each
// evaluation reports the gate's usage on the split.
//
//===----------------------------------------------------------------------===//

#include "goe/Training/GateBalance.h"
#include "goe/Training/RouterTrainer.h"

#include "goe/Frontends/Spec/GraphPlan.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace goe::train {
namespace {

class TopkTrainer : public RouterTrainer {
public:
  TopkTrainer(RouterContext &context, double balanceWeight,
              double zLossWeight)
      : router(*context.router), balanceWeight(balanceWeight),
        zLossWeight(zLossWeight), usage(router.choices, router.k) {
    for (const RouterNode &node : context.nodes)
      nodes.push_back(node.name);
  }

  at::Tensor auxiliaryLoss(const TrainBatch &,
                           const torchref::ForwardResult &result) override {
    at::Tensor loss;
    auto add = [&](const at::Tensor &term) {
      loss = loss.defined() ? loss + term : term;
    };
    for (const at::Tensor &logits : gateLogits(result)) {
      if (balanceWeight > 0)
        add(balanceWeight * loadBalanceLoss(logits, router.k));
      if (zLossWeight > 0)
        add(zLossWeight * at::logsumexp(logits, 1).pow(2).mean());
    }
    return loss;
  }

  void beginEvaluation() override {
    usage = GateUsage(router.choices, router.k);
  }
  void observe(const TrainBatch &,
               const torchref::ForwardResult &result) override {
    for (const at::Tensor &logits : gateLogits(result))
      usage.add(logits);
  }
  std::string report(data::Split split) const override {
    if (split == data::Split::Test)
      return "gate '" + router.name + "' on the test split: " + usage.report();
    return "  gate on " + std::string(data::splitName(split)) + ": " +
           usage.report();
  }

private:
  /// The logits of this router's gates in the forward pass (one per router
  /// node that uses it).
  std::vector<at::Tensor> gateLogits(const torchref::ForwardResult &result) const {
    std::vector<at::Tensor> found;
    for (size_t i = 0; i < result.routeWeightNodes.size(); ++i)
      if (std::find(nodes.begin(), nodes.end(), result.routeWeightNodes[i]) !=
              nodes.end() &&
          result.gateLogits[i].defined())
        found.push_back(result.gateLogits[i]);
    return found;
  }

  const spec::Router &router;
  std::vector<std::string> nodes;
  double balanceWeight, zLossWeight;
  GateUsage usage;
};

std::unique_ptr<RouterTrainer> create(RouterContext &context,
                                      runtime::Status &status) {
  const spec::Router &router = *context.router;
  ParamValues params = spec::paramValues(
      router.params, routerKindInfo(RouterKind::TopK).params);
  if (params["capacity_factor"] > 0) {
    status = runtime::invalidArgument(
        "router '" + router.name + "': capacity_factor is not supported by "
        "goe-train yet (set it to 0)");
    return nullptr;
  }
  double weight = context.options.balanceWeight >= 0
                      ? context.options.balanceWeight
                      : params["balance_weight"];
  return std::make_unique<TopkTrainer>(context, weight,
                                       context.options.zLossWeight);
}

} // namespace

extern const RouterTrainerKind kTopkTrainer = {RouterKind::TopK, create};

} // namespace goe::train
