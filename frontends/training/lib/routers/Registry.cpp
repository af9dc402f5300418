//===- Registry.cpp - the router trainers, by router kind -----------------===//

#include "goe/Training/RouterTrainer.h"

namespace goe::train {

extern const RouterTrainerKind kOracleTrainer;
extern const RouterTrainerKind kRandomTrainer;
extern const RouterTrainerKind kTopkTrainer;
extern const RouterTrainerKind kVqvaeHclustTrainer;
extern const RouterTrainerKind kClusterGateTrainer;
extern const RouterTrainerKind kFixedTrainer;

RouterTrainer::~RouterTrainer() = default;

std::map<std::string, torchref::Routing>
RouterTrainer::route(const TrainBatch &, std::mt19937_64 &) {
  return {};
}

at::Tensor RouterTrainer::auxiliaryLoss(const TrainBatch &,
                                        const torchref::ForwardResult &) {
  return {};
}

std::string RouterTrainer::report(data::Split) const { return {}; }

void RouterTrainer::saveState(torch::serialize::OutputArchive &) const {}

runtime::Status RouterTrainer::loadState(torch::serialize::InputArchive &) {
  return runtime::okStatus();
}

const std::vector<const RouterTrainerKind *> &routerTrainerKinds() {
  static const std::vector<const RouterTrainerKind *> kinds = {
      &kOracleTrainer, &kRandomTrainer, &kTopkTrainer, &kVqvaeHclustTrainer,
      &kClusterGateTrainer, &kFixedTrainer};
  return kinds;
}

runtime::StatusOr<std::unique_ptr<RouterTrainer>>
makeRouterTrainer(RouterContext &context) {
  if (context.nodes.empty())
    return std::make_unique<RouterTrainer>();
  RouterKind kind = RouterKind::Random;
  if (context.router) {
    const RouterKindInfo *info = findRouterKind(context.router->kind);
    if (!info)
      return runtime::invalidArgument("router '" + context.router->name +
                                      "' has an unknown kind '" +
                                      context.router->kind + "'");
    kind = info->kind;
  }
  for (const RouterTrainerKind *trainer : routerTrainerKinds()) {
    if (trainer->kind != kind)
      continue;
    runtime::Status status;
    std::unique_ptr<RouterTrainer> made = trainer->create(context, status);
    if (!status.ok())
      return status;
    return made;
  }
  return runtime::unimplemented("goe-train cannot train a router of kind '" +
                                stringifyRouterKind(kind).str() + "' yet");
}

} // namespace goe::train
