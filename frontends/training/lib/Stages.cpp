//===- Stages.cpp - staged training: which stage, what it trains ----------===//

#include "goe/Training/Stages.h"
#include "goe/Training/TrainingError.h"

#include <torch/torch.h>

#include <set>

namespace goe::train {

namespace {

/// A batch whose sample i is the image of object i (the objects present in
/// a [B, M] mask, row by row): error messages then name the image.
TrainBatch imagesOfObjects(const TrainBatch &batch, const at::Tensor &present) {
  TrainBatch objects;
  objects.split = batch.split;
  at::Tensor image = torch::arange(present.size(0), torch::kLong)
                         .view({-1, 1})
                         .expand(present.sizes());
  objects.indices = batch.indices.to(torch::kLong).index_select(
      0, image.masked_select(present));
  return objects;
}

} // namespace

runtime::StatusOr<std::vector<StagePlan>>
planStages(const spec::Spec &spec, const TrainOptions &options) {
  const std::vector<spec::TrainingStage> &declared = spec.training.stages;
  std::vector<StagePlan> plans;
  if (declared.empty() && !options.stages.empty() && options.stages != "none")
    return runtime::invalidArgument(
        "--stages " + options.stages + ": the spec declares no stages");
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
  if (target.dim() == 3) { // boxes [B, M, 5]: class, then the box; -1 pads
    at::Tensor cls = target.select(2, 0).to(torch::kLong);
    at::Tensor present = cls.ge(0);
    // Each object's group, checked as labels are (the message names the
    // image); padding counts as group 0, which the max never prefers.
    at::Tensor objects = groupsOf(cls.masked_select(present), groups,
                                  routerNode, imagesOfObjects(batch, present),
                                  targetField);
    at::Tensor group = torch::zeros(cls.sizes(), torch::kLong);
    group.masked_scatter_(present, objects);
    return std::get<0>(group.max(1));
  }
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

/// A stage's routing in place of the router's: no gate decides, so no
/// balance term and no usage to observe or report. The router's state
/// (what the weights file and the checkpoint hold) stays the router's own.
class StageRouting : public RouterTrainer {
public:
  explicit StageRouting(RouterTrainer &inner) : inner(inner) {}

  std::map<std::string, torchref::Routing>
  route(const TrainBatch &batch, std::mt19937_64 &rng) override {
    std::map<std::string, torchref::Routing> routing = inner.route(batch, rng);
    for (auto &[node, paths] : pathsOf(batch)) {
      torchref::Routing &r = routing[node];
      r.k = 1;
      r.paths = std::move(paths);
      r.weights.clear();
    }
    return routing;
  }
  std::vector<artifact::Tensor> weightState() const override {
    return inner.weightState();
  }
  void saveState(torch::serialize::OutputArchive &archive) const override {
    inner.saveState(archive);
  }
  runtime::Status loadState(torch::serialize::InputArchive &archive) override {
    return inner.loadState(archive);
  }

protected:
  /// Per router node the stage routes, each sample's path.
  virtual std::map<std::string, std::vector<int64_t>>
  pathsOf(const TrainBatch &batch) const = 0;

private:
  RouterTrainer &inner;
};

/// `route: groups`: each sample to its label's (its boxes') group.
class GroupRouting : public StageRouting {
public:
  GroupRouting(RouterTrainer &inner, const spec::TrainingPlan &plan,
               std::string targetField)
      : StageRouting(inner), plan(plan), targetField(std::move(targetField)) {}

protected:
  std::map<std::string, std::vector<int64_t>>
  pathsOf(const TrainBatch &batch) const override {
    std::map<std::string, std::vector<int64_t>> paths;
    for (const auto &[node, groups] : plan.groups) {
      at::Tensor group = groupsOf(batch.fields.at(targetField), groups, node,
                                  batch, targetField)
                             .contiguous();
      paths[node].assign(group.data_ptr<int64_t>(),
                         group.data_ptr<int64_t>() + group.numel());
    }
    return paths;
  }

private:
  const spec::TrainingPlan &plan;
  std::string targetField;
};

/// `route: P`: every router node of the graph sends every sample to P.
class FixedRouting : public StageRouting {
public:
  FixedRouting(RouterTrainer &inner, const spec::Spec &spec, int64_t path)
      : StageRouting(inner), path(path) {
    for (const spec::Node &node : spec.graph)
      if (node.kind == spec::Node::RouterNode)
        nodes.push_back(node.name);
  }

protected:
  std::map<std::string, std::vector<int64_t>>
  pathsOf(const TrainBatch &batch) const override {
    std::map<std::string, std::vector<int64_t>> paths;
    for (const std::string &node : nodes)
      paths[node].assign(batch.size(), path);
    return paths;
  }

private:
  int64_t path;
  std::vector<std::string> nodes;
};

} // namespace

std::unique_ptr<RouterTrainer> routeToPath(RouterTrainer &inner,
                                           const spec::Spec &spec,
                                           int64_t path) {
  return std::make_unique<FixedRouting>(inner, spec, path);
}

namespace {

/// The (from, to) weight pairs of a stage's `copy`, checked: every `A.x`
/// has a `B.x` of the same shape, and there is at least one.
runtime::Status copyPairs(const torchref::Model &model,
                          const spec::TrainingStage &stage,
                          std::vector<std::pair<std::string, std::string>> &pairs) {
  std::string where = "training stage '" + stage.name + "': copy from '" +
                      stage.copyFrom + "' to '" + stage.copyTo + "'";
  std::map<std::string, at::Tensor> weights = model.parameters();
  std::string from = stage.copyFrom + ".", to = stage.copyTo + ".";
  for (const auto &[name, tensor] : weights) {
    if (name.compare(0, from.size(), from) != 0)
      continue;
    std::string target = to + name.substr(from.size());
    auto counterpart = weights.find(target);
    if (counterpart == weights.end())
      return runtime::invalidArgument(where + ": '" + target +
                                      "' (the counterpart of '" + name +
                                      "') is no weight");
    if (!counterpart->second.sizes().equals(tensor.sizes()))
      return runtime::invalidArgument(where + ": '" + name + "' and '" +
                                      target + "' differ in shape");
    pairs.emplace_back(name, target);
  }
  if (pairs.empty())
    return runtime::invalidArgument(where + ": no weight is named '" + from +
                                    "...'");
  return runtime::okStatus();
}

} // namespace

runtime::Status checkStageCopy(const torchref::Model &model,
                               const spec::TrainingStage &stage) {
  if (stage.copyFrom.empty())
    return runtime::okStatus();
  std::vector<std::pair<std::string, std::string>> pairs;
  return copyPairs(model, stage, pairs);
}

runtime::Status copyStageWeights(torchref::Model &model,
                                 const spec::TrainingStage &stage) {
  if (stage.copyFrom.empty())
    return runtime::okStatus();
  std::vector<std::pair<std::string, std::string>> pairs;
  GOE_RETURN_IF_ERROR(copyPairs(model, stage, pairs));
  std::map<std::string, at::Tensor> weights = model.parameters();
  for (const auto &[from, to] : pairs) {
    std::string why;
    if (!model.setParameter(to, weights.at(from).detach().clone(), &why))
      return runtime::internalError("training stage '" + stage.name +
                                    "': copy: " + why);
  }
  return runtime::okStatus();
}

std::unique_ptr<RouterTrainer>
routeByGroups(RouterTrainer &inner, const spec::TrainingPlan &plan,
              std::string targetField) {
  return std::make_unique<GroupRouting>(inner, plan, std::move(targetField));
}

} // namespace goe::train
