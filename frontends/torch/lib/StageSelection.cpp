//===- StageSelection.cpp - inner values and parameter subsets ------------===//
//
// The plan walks of StageSelection.h, and the Model methods staged
// training calls (setOutputs, selectParameters, namedTrainableParameters).
//
//===----------------------------------------------------------------------===//

#include "StageSelection.h"
#include "ModelImpl.h"

#include <algorithm>
#include <iterator>

using namespace goe::spec;

namespace goe::torchref::detail {

namespace {

const PlanNode *findPlanNode(const GraphPlan &plan, const std::string &name) {
  for (const PlanNode &node : plan.nodes)
    if (node.node->name == name)
      return &node;
  return nullptr;
}

/// Splits `node.output`; `output` is empty for a plain node name.
void splitRef(const std::string &ref, std::string &node, std::string &output) {
  size_t dot = ref.find('.');
  node = ref.substr(0, dot);
  output = dot == std::string::npos ? "" : ref.substr(dot + 1);
}

/// The position of `output` among the node's outputs; -1 with `error`.
int outputIndex(const PlanNode &node, const std::string &output,
                std::string &error) {
  const std::string &name = node.node->name;
  if (output.empty()) {
    if (node.outputTypes.size() == 1)
      return 0;
    error = "node '" + name + "' has " +
            std::to_string(node.outputTypes.size()) +
            " outputs: name one ('" + name + ".<output>')";
    return -1;
  }
  auto it = std::find(node.outputNames.begin(), node.outputNames.end(),
                      output);
  // By position too, as the graph's `node.<i>` references are.
  for (size_t i = 0; it == node.outputNames.end() &&
                     i < node.outputTypes.size();
       ++i)
    if (output == std::to_string(i))
      return int(i);
  if (it == node.outputNames.end()) {
    std::string known;
    for (const std::string &n : node.outputNames)
      known += (known.empty() ? "" : ", ") + n;
    error = "node '" + name + "' has no output '" + output + "'" +
            (known.empty() ? " (its outputs are not named)"
                           : " (it has " + known + ")");
    return -1;
  }
  return int(it - node.outputNames.begin());
}

} // namespace

bool resolveOutput(const GraphPlan &plan, const std::string &ref,
                   SelectedOutput &out, std::string &error) {
  std::string nodeName, output;
  splitRef(ref, nodeName, output);
  const PlanNode *node = findPlanNode(plan, nodeName);
  if (!node) {
    error = "'" + nodeName + "' is not a node of the graph";
    return false;
  }
  out = SelectedOutput();
  if (node->kind == PlanNode::Router) {
    const PlanRouter &router = plan.routers[node->router];
    if (router.kind->kind != goe::RouterKind::TopK || !output.empty()) {
      error = "router node '" + nodeName + "' gives no value to train on: " +
              "only a topk router's gate logits can be a loss ('" + nodeName +
              "')";
      return false;
    }
    out.gate = true;
    out.ref = {nodeName, 0};
    out.type.shape = {node->choices};
    return true;
  }
  int index = outputIndex(*node, output, error);
  if (index < 0)
    return false;
  out.ref = {nodeName, size_t(index)};
  out.type = node->outputTypes[index];
  if (node->kind == PlanNode::Dispatch) {
    if (node->k != 1) {
      error = "dispatch '" + nodeName + "' gives " + std::to_string(node->k) +
              " choices per input; a loss reads a dispatch of k = 1 only "
              "(read the combine after it)";
      return false;
    }
    out.oneChoice = true;
    out.type.shape.erase(out.type.shape.begin());
  }
  return true;
}

bool selectLayers(const GraphPlan &plan, const std::string &ref,
                  std::set<std::string> &prefixes, std::string &error) {
  // One instance of a dispatch (`backbones.expert1`): all of its layers,
  // so that one expert learns while its siblings stay as they are.
  for (const PlanInstance &instance : plan.instances)
    if (instance.name == ref) {
      prefixes.insert(ref + ".");
      return true;
    }
  std::string nodeName, output;
  splitRef(ref, nodeName, output);
  const PlanNode *node = findPlanNode(plan, nodeName);
  if (!node) {
    error = "'" + nodeName + "' is not a node of the graph";
    return false;
  }
  std::vector<int> instances;
  switch (node->kind) {
  case PlanNode::Module:
    instances.push_back(node->instance);
    break;
  case PlanNode::Router:
    if (plan.routers[node->router].body >= 0)
      instances.push_back(plan.routers[node->router].body);
    break;
  case PlanNode::Dispatch:
    for (const std::vector<int> &path : node->paths)
      for (int id : path)
        if (std::find(instances.begin(), instances.end(), id) ==
            instances.end())
          instances.push_back(id);
    if (!output.empty() && node->paths.size() > 0 &&
        node->paths[0].size() > 1) {
      error = "'" + ref + "': a tree dispatch is trained whole ('" +
              nodeName + "')";
      return false;
    }
    break;
  case PlanNode::Combine:
    break;
  }
  if (instances.empty()) {
    error = "'" + nodeName + "' has no parameters to train";
    return false;
  }
  int index = -1;
  if (!output.empty() && (index = outputIndex(*node, output, error)) < 0)
    return false;
  size_t before = prefixes.size();
  for (int id : instances) {
    const PlanInstance &instance = plan.instances[id];
    const ResolvedModule &module = instance.resolved;
    int inputs = int(module.inputs.size());
    std::vector<bool> wanted(module.layers.size(), index < 0);
    if (index >= 0) {
      // The layers the output depends on: a walk back over value ids.
      std::vector<int> stack{module.outputs[index]};
      while (!stack.empty()) {
        int value = stack.back();
        stack.pop_back();
        if (value < inputs || wanted[value - inputs])
          continue;
        wanted[value - inputs] = true;
        for (int in : module.layers[value - inputs].inputs)
          stack.push_back(in);
      }
    }
    for (size_t l = 0; l < module.layers.size(); ++l)
      if (wanted[l])
        prefixes.insert(instance.name + "." +
                        std::to_string(module.layers[l].layer->index) + ".");
  }
  if (prefixes.size() == before) {
    error = "'" + ref + "' selects no layers";
    return false;
  }
  return true;
}

} // namespace goe::torchref::detail

namespace goe::torchref {

bool Model::setOutputs(const std::vector<std::string> &refs,
                       std::vector<TensorInfo> &types, std::string &error) {
  std::vector<detail::SelectedOutput> selected;
  for (const std::string &ref : refs) {
    selected.emplace_back();
    if (!detail::resolveOutput(impl->plan, ref, selected.back(), error))
      return false;
  }
  types.clear();
  for (const detail::SelectedOutput &out : selected)
    types.push_back(out.type);
  impl->selected = std::move(selected);
  return true;
}

bool Model::selectParameters(const std::string &ref,
                             std::vector<std::string> &names,
                             std::string &error) const {
  std::set<std::string> prefixes;
  if (!detail::selectLayers(impl->plan, ref, prefixes, error))
    return false;
  for (const auto &[name, tensor] : namedTrainableParameters()) {
    auto next = prefixes.upper_bound(name);
    if (next != prefixes.begin() &&
        name.compare(0, std::prev(next)->size(), *std::prev(next)) == 0)
      names.push_back(name);
  }
  if (names.empty()) {
    error = "'" + ref + "' has no trainable parameters";
    return false;
  }
  return true;
}

std::vector<std::string> Model::everyOutput(const std::string &ref) const {
  const PlanNode *node = ref.find('.') == std::string::npos
                             ? detail::findPlanNode(impl->plan, ref)
                             : nullptr;
  if (!node || node->kind == PlanNode::Router || node->outputTypes.size() < 2)
    return {ref};
  std::vector<std::string> refs;
  for (size_t i = 0; i < node->outputTypes.size(); ++i)
    refs.push_back(ref + "." + std::to_string(i));
  return refs;
}

std::map<std::string, at::Tensor> Model::namedTrainableParameters() const {
  std::map<std::string, at::Tensor> all;
  for (size_t i = 0; i < impl->instances.size(); ++i)
    for (const auto &item : impl->instances[i]->named_parameters())
      all[impl->plan.instances[i].name + "." + item.key()] = item.value();
  return all;
}

} // namespace goe::torchref
