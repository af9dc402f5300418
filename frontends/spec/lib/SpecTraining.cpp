//===- SpecTraining.cpp - the training section of a spec ------------------===//
//
// `training:` says how goe-train trains the spec when told nothing else:
// the label classes each path of a router node serves (`groups`) and the
// stages, in order, each with the parameters it trains, the value its loss
// reads and how routers decide. Names are checked against the graph here;
// a `node.output` is checked when the graph is planned (the LibTorch model's
// setOutputs and parameter selection), where outputs are known. Compilers
// ignore the section.
//
//===----------------------------------------------------------------------===//

#include "YamlReader.h"

#include <cctype>

namespace goe::spec::detail {

namespace {

const Node *findNode(const Spec &spec, const std::string &name) {
  for (const Node &node : spec.graph)
    if (node.name == name)
      return &node;
  return nullptr;
}

} // namespace

LogicalResult Reader::readGroups(const YAML::Node &node) {
  if (failed(expectMap(node, "training groups")))
    return failure();
  for (const auto &entry : node) {
    std::string name;
    if (!take(readName(entry.first, "router node"), name))
      return failure();
    const Node *router = findNode(spec, name);
    if (!router || router->kind != Node::RouterNode)
      return fail(entry.first, "training groups: '" + name +
                                   "' is not a router node of the graph");
    int64_t choices = spec.findRouter(router->target)->choices;
    const YAML::Node &lists = entry.second;
    if (!lists.IsSequence() || (int64_t)lists.size() != choices)
      return fail(lists, "training groups of '" + name +
                             "' must be a list of " + std::to_string(choices) +
                             " class lists, one per path of router '" +
                             router->target + "'");
    std::vector<std::vector<int64_t>> groups;
    std::set<int64_t> seen;
    for (const YAML::Node &list : lists) {
      if (failed(expectSeq(list, "the classes of a group")))
        return failure();
      if (list.size() == 0)
        return fail(list, "a group must hold at least one class");
      groups.emplace_back();
      for (const YAML::Node &item : list) {
        int64_t label;
        if (!take(readInt(item, "class"), label))
          return failure();
        if (label < 0)
          return fail(item, "a class is a label >= 0, got " +
                                std::to_string(label));
        if (!seen.insert(label).second)
          return fail(item, "class " + std::to_string(label) +
                                " is in two groups of '" + name + "'");
        groups.back().push_back(label);
      }
    }
    spec.training.groups[name] = std::move(groups);
  }
  return success();
}

LogicalResult Reader::readStage(const YAML::Node &node) {
  std::string owner =
      "training stage " + std::to_string(spec.training.stages.size() + 1);
  if (failed(expectMap(node, owner)) ||
      failed(checkKeys(node,
                       {"name", "epochs", "train", "loss", "route", "copy"},
                       owner)))
    return failure();
  TrainingStage stage;
  stage.loc = locOf(node);
  if (!node["name"])
    return fail(node, owner + " needs a 'name'");
  if (!take(readName(node["name"], "stage name"), stage.name))
    return failure();
  for (const TrainingStage &other : spec.training.stages)
    if (other.name == stage.name)
      return fail(node["name"],
                  "training stage '" + stage.name + "' is defined twice");
  owner = "training stage '" + stage.name + "'";
  if (YAML::Node epochs = node["epochs"]) {
    if (!take(readInt(epochs, "epochs"), stage.epochs))
      return failure();
    if (stage.epochs < 0)
      return fail(epochs, owner + ": epochs must be >= 0");
  }
  // A reference names a graph node, optionally one of its outputs.
  auto checkRef = [&](const Ref &ref) -> LogicalResult {
    std::string nodeName = ref.name.substr(0, ref.name.find('.'));
    if (!findNode(spec, nodeName))
      return fail(ref.loc, owner + ": '" + nodeName +
                               "' is not a node of the graph");
    return success();
  };
  if (YAML::Node train = node["train"]) {
    std::vector<Ref> refs;
    if (failed(readRefs(train, /*namesOnly=*/true, refs, "train")))
      return failure();
    for (const Ref &ref : refs) {
      if (failed(checkRef(ref)))
        return failure();
      stage.train.push_back(ref.name);
    }
  }
  if (YAML::Node loss = node["loss"]) {
    std::vector<Ref> refs;
    if (failed(readRefs(loss, /*namesOnly=*/true, refs, "loss")))
      return failure();
    if (refs.size() != 1)
      return fail(loss, owner + ": 'loss' names one value");
    if (failed(checkRef(refs[0])))
      return failure();
    stage.loss = refs[0].name;
    stage.lossLoc = refs[0].loc;
    // A loss on a router node trains its gate to pick each label's group.
    const Node *target = findNode(spec, stage.loss);
    if (target && target->kind == Node::RouterNode &&
        !spec.training.groups.count(stage.loss))
      return fail(loss, owner + ": a loss on router node '" + stage.loss +
                            "' needs its classes in 'groups'");
  }
  if (YAML::Node route = node["route"]) {
    std::string how;
    bool isPath = route.IsScalar() && !route.Scalar().empty() &&
                  std::isdigit((unsigned char)route.Scalar()[0]);
    if (isPath && failed(readFixedPath(route, owner, stage)))
      return failure();
    if (!isPath && !take(readName(route, "route"), how))
      return failure();
    if (!isPath && how != "groups" && how != "router")
      return fail(route, owner + ": route must be 'router' (the routers "
                                 "decide), 'groups' (each sample goes to "
                                 "its label's group) or a path number "
                                 "(every sample takes it), got '" + how + "'");
    stage.routeByGroups = how == "groups";
    if (stage.routeByGroups && spec.training.groups.empty())
      return fail(route, owner + ": route: groups needs 'groups'");
  }
  if (YAML::Node copy = node["copy"]) {
    if (failed(expectMap(copy, owner + ": copy")) ||
        failed(checkKeys(copy, {"from", "to"}, owner + ": copy")))
      return failure();
    for (const char *key : {"from", "to"}) {
      if (!copy[key])
        return fail(copy, owner + ": copy needs '" + key + "'");
      std::vector<Ref> refs;
      if (failed(readRefs(copy[key], /*namesOnly=*/true, refs, key)))
        return failure();
      if (refs.size() != 1)
        return fail(copy[key], owner + ": copy: '" + key + "' names one node");
      if (failed(checkRef(refs[0])))
        return failure();
      (std::string(key) == "from" ? stage.copyFrom : stage.copyTo) =
          refs[0].name;
    }
    if (stage.copyFrom == stage.copyTo)
      return fail(copy, owner + ": copy: 'from' and 'to' are the same node");
  }
  spec.training.stages.push_back(std::move(stage));
  return success();
}

LogicalResult Reader::readFixedPath(const YAML::Node &route,
                                    const std::string &owner,
                                    TrainingStage &stage) {
  if (!take(readInt(route, "route"), stage.routePath))
    return failure();
  bool anyRouter = false;
  for (const Node &node : spec.graph) {
    if (node.kind != Node::RouterNode)
      continue;
    anyRouter = true;
    for (const Router &router : spec.routers)
      if (router.name == node.target && stage.routePath >= router.choices)
        return fail(route, owner + ": route: path " +
                               std::to_string(stage.routePath) +
                               ", but router node '" + node.name + "' has " +
                               std::to_string(router.choices) +
                               " choices (paths 0-" +
                               std::to_string(router.choices - 1) + ")");
  }
  if (!anyRouter)
    return fail(route, owner + ": route: a path number needs a router node");
  return success();
}

LogicalResult Reader::readTraining(const YAML::Node &node) {
  spec.training.loc = locOf(node);
  if (failed(expectMap(node, "training")) ||
      failed(checkKeys(node, {"groups", "stages"}, "training")))
    return failure();
  if (YAML::Node groups = node["groups"])
    if (failed(readGroups(groups)))
      return failure();
  if (YAML::Node stages = node["stages"]) {
    if (failed(expectSeq(stages, "training stages")))
      return failure();
    for (const YAML::Node &stage : stages)
      if (failed(readStage(stage)))
        return failure();
  }
  return success();
}

} // namespace goe::spec::detail
