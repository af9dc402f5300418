//===- Topk.cpp - training a learned top-k gate with the experts ----------===//
//
// The model routes by the gate (softmax, the k largest, renormalised
// weights), so the task loss reaches the gate through the combine; the
// Switch load-balancing loss N * sum(f_i * P_i) (GateBalance.h), weighted
// by --balance-weight or the router's balance_weight, is added to every
// step. Each evaluation reports the gate's usage on the split.
//
//===----------------------------------------------------------------------===//

#include "goe/Training/GateBalance.h"
#include "goe/Training/RouterTrainer.h"

#include "goe/Frontends/Spec/GraphPlan.h"

#include <ATen/ATen.h>

namespace goe::train {
namespace {

class TopkTrainer : public RouterTrainer {
public:
  TopkTrainer(RouterContext &context, double balanceWeight)
      : model(context.model), router(*context.router),
        gate(router.name + "." + router.body), balanceWeight(balanceWeight),
        usage(router.choices, router.k) {}

  at::Tensor auxiliaryLoss(const TrainBatch &batch) override {
    if (balanceWeight <= 0)
      return {};
    return balanceWeight *
           loadBalanceLoss(model.runInstance(gate, {gateInput(batch)})[0],
                           router.k);
  }

  void beginEvaluation() override {
    usage = GateUsage(router.choices, router.k);
  }
  void observe(const TrainBatch &batch) override {
    usage.add(model.runInstance(gate, {gateInput(batch)})[0]);
  }
  std::string report(data::Split split) const override {
    if (split == data::Split::Test)
      return "gate '" + router.name + "' on the test split: " + usage.report();
    return "  gate on " + std::string(data::splitName(split)) + ": " +
           usage.report();
  }

private:
  const at::Tensor &gateInput(const TrainBatch &batch) const {
    return batch.inputs.at(router.from.name);
  }

  torchref::Model &model;
  const spec::Router &router;
  std::string gate;
  double balanceWeight;
  GateUsage usage;
};

std::unique_ptr<RouterTrainer> create(RouterContext &context,
                                      runtime::Status &status) {
  const spec::Router &router = *context.router;
  bool readsInput = false;
  for (const spec::Input &input : context.spec.inputs)
    readsInput |= input.name == router.from.name;
  if (!readsInput) {
    status = runtime::invalidArgument(
        "router '" + router.name + "': goe-train trains topk gates that read "
        "a graph input; this one reads '" + router.from.name + "'");
    return nullptr;
  }
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
  return std::make_unique<TopkTrainer>(context, weight);
}

} // namespace

extern const RouterTrainerKind kTopkTrainer = {RouterKind::TopK, create};

} // namespace goe::train
