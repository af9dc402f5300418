//===- Stages.cpp - staged training: which stage, what it trains ----------===//

#include "goe/Training/Stages.h"
#include "goe/Training/TrainingError.h"

#include <torch/torch.h>

#include <set>

namespace goe::train {

runtime::StatusOr<std::vector<StagePlan>>
planStages(const spec::Spec &spec, const TrainOptions &options) {
  const std::vector<spec::TrainingStage> &declared = spec.training.stages;
  std::vector<StagePlan> plans;
  if (declared.empty() || options.stages == "none") {
    if (!options.stageEpochs.empty())
      return runtime::invalidArgument(
          "--stage-epochs: " +
          std::string(declared.empty() ? "the spec declares no stages"
                                       : "--stages none trains no stage"));
    plans.push_back({"", nullptr, 1, options.epochs});
    return plans;
  }
  std::string names;
  std::set<std::string> known;
  for (const spec::TrainingStage &stage : declared) {
    names += (names.empty() ? "" : ", ") + stage.name;
    known.insert(stage.name);
  }
  auto unknown = [&](const std::string &flag, const std::string &name) {
    return runtime::invalidArgument(flag + ": the spec declares no stage '" +
                                    name + "' (it declares " + names + ")");
  };
  std::set<std::string> kept;
  if (!options.stages.empty()) {
    size_t start = 0;
    while (start <= options.stages.size()) {
      size_t comma = options.stages.find(',', start);
      std::string name = options.stages.substr(
          start, comma == std::string::npos ? std::string::npos
                                            : comma - start);
      if (!known.count(name))
        return unknown("--stages", name);
      kept.insert(name);
      if (comma == std::string::npos)
        break;
      start = comma + 1;
    }
  }
  for (const auto &[name, epochs] : options.stageEpochs) {
    if (!known.count(name))
      return unknown("--stage-epochs", name);
    if (epochs < 0)
      return runtime::invalidArgument("--stage-epochs " + name +
                                      ": epochs must be >= 0");
  }
  int64_t next = 1;
  for (const spec::TrainingStage &stage : declared) {
    if (!kept.empty() && !kept.count(stage.name))
      continue;
    auto given = options.stageEpochs.find(stage.name);
    int64_t epochs = given != options.stageEpochs.end() ? given->second
                     : stage.epochs >= 0               ? stage.epochs
                                                       : options.epochs;
    plans.push_back({stage.name, &stage, next, next + epochs - 1});
    next += epochs;
  }
  return plans;
}

std::string groupField(const std::string &routerNode) {
  return routerNode + "_group";
}

at::Tensor groupsOf(const at::Tensor &target,
                    const std::vector<std::vector<int64_t>> &groups,
                    const std::string &routerNode, const TrainBatch &batch,
                    const std::string &targetField) {
  int64_t classes = 0;
  for (const std::vector<int64_t> &group : groups)
    for (int64_t c : group)
      classes = std::max(classes, c + 1);
  std::vector<int64_t> lookup(classes, -1);
  for (size_t g = 0; g < groups.size(); ++g)
    for (int64_t c : groups[g])
      lookup[c] = (int64_t)g;
  at::Tensor table = torch::tensor(lookup, torch::kLong);
  at::Tensor y = target.to(torch::kLong);
  at::Tensor inRange = y.ge(0) & y.lt(classes);
  at::Tensor group = torch::full_like(y, -1);
  group.masked_scatter_(inRange, table.index_select(0, y.masked_select(inRange)));
  at::Tensor bad = group.lt(0).nonzero();
  if (bad.numel() > 0) {
    int64_t row = bad[0][0].item<int64_t>();
    throw TrainingError(runtime::invalidArgument(
        "class " + std::to_string(y[row].item<int64_t>()) + " (field '" +
        targetField + "' of " + data::splitName(batch.split) + " sample " +
        std::to_string(batch.indices[row].item<int64_t>()) +
        ") is in no group of router node '" + routerNode +
        "' (the spec's training groups)"));
  }
  return group;
}

namespace {

class GroupRouting : public RouterTrainer {
public:
  GroupRouting(RouterTrainer &inner, const spec::TrainingPlan &plan,
               std::string targetField)
      : inner(inner), plan(plan), targetField(std::move(targetField)) {}

  std::map<std::string, torchref::Routing>
  route(const TrainBatch &batch, std::mt19937_64 &rng) override {
    std::map<std::string, torchref::Routing> routing = inner.route(batch, rng);
    for (const auto &[node, groups] : plan.groups) {
      at::Tensor group = groupsOf(batch.fields.at(targetField), groups, node,
                                  batch, targetField)
                             .contiguous();
      torchref::Routing &r = routing[node];
      r.k = 1;
      r.paths.assign(group.data_ptr<int64_t>(),
                     group.data_ptr<int64_t>() + group.numel());
      r.weights.clear();
    }
    return routing;
  }
  // No gate decides: no balance term, no usage to observe or report. The
  // router's state (what the weights file holds) is the router's own.
  std::vector<artifact::Tensor> weightState() const override {
    return inner.weightState();
  }
  void saveState(torch::serialize::OutputArchive &archive) const override {
    inner.saveState(archive);
  }
  runtime::Status loadState(torch::serialize::InputArchive &archive) override {
    return inner.loadState(archive);
  }

private:
  RouterTrainer &inner;
  const spec::TrainingPlan &plan;
  std::string targetField;
};

} // namespace

std::unique_ptr<RouterTrainer>
routeByGroups(RouterTrainer &inner, const spec::TrainingPlan &plan,
              std::string targetField) {
  return std::make_unique<GroupRouting>(inner, plan, std::move(targetField));
}

} // namespace goe::train
