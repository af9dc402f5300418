//===- Forward.cpp - one forward pass of the LibTorch reference -----------===//
//
// Model::forward walks the graph plan's nodes in order, keeping each node's
// tensors by name: routers give per-input path choices (computed, or given
// by the caller), dispatches run every path on the inputs routed to it only
// and scatter the results back to [B, k, ...], combines merge the k
// choices. The compiled model's runtime does the same with kernels.
//
//===----------------------------------------------------------------------===//

#include "goe/Frontends/Torch/TorchModel.h"

#include "Instance.h"
#include "ModelImpl.h"

#include "goe/Frontends/Spec/GraphPlan.h"

#include <set>

using namespace goe::spec;
using goe::torchref::detail::InstanceModule;
using goe::torchref::detail::SelectedOutput;

namespace goe::torchref {

namespace {

/// A routing decision in tensors: paths [B, k] (i64), weights [B, k] (f32;
/// a tensor so that a gate's weights keep their gradient for training).
struct Route {
  int64_t choices = 0, k = 1;
  at::Tensor paths, weights;
  at::Tensor gateLogits; // topk only
};

/// One forward pass over the plan.
class Runner {
public:
  Runner(const GraphPlan &plan,
         const std::vector<std::shared_ptr<InstanceModule>> &instances,
         const std::map<std::string, Routing> &given,
         const std::vector<SelectedOutput> &selected, ForwardResult &result)
      : plan(plan), instances(instances), given(given), selected(selected),
        result(result) {}

  /// Runs the pass; false when the inputs or a given routing do not fit
  /// the plan (`problem` says how). LibTorch's own errors still throw.
  bool run(const std::map<std::string, at::Tensor> &inputs);
  std::string problem;

private:
  std::vector<at::Tensor> gather(const std::vector<ValueRef> &refs) {
    std::vector<at::Tensor> tensors;
    for (const ValueRef &ref : refs)
      tensors.push_back(values.at(ref.node).at(ref.index));
    return tensors;
  }
  std::vector<at::Tensor> runInstance(int id,
                                      const std::vector<at::Tensor> &inputs) {
    result.instanceSamples[plan.instances[id].name] += inputs[0].size(0);
    return instances[id]->forward(inputs);
  }

  /// Records the first problem of the pass and gives false.
  template <typename... Parts> bool refuse(const Parts &...parts) {
    if (problem.empty())
      problem = c10::str(parts...);
    return false;
  }
  bool checkInputs(const std::map<std::string, at::Tensor> &inputs);
  bool takeSelected();
  bool givenRoute(const PlanNode &node, const Routing &routing, Route &route);
  bool computeRoute(const PlanNode &node, const at::Tensor &x, Route &route);
  bool report(const PlanNode &node, const Route &route);
  std::vector<at::Tensor> dispatch(const PlanNode &node,
                                   const std::vector<at::Tensor> &inputs);
  std::vector<at::Tensor> combine(const PlanNode &node,
                                  const std::vector<at::Tensor> &inputs);

  const GraphPlan &plan;
  const std::vector<std::shared_ptr<InstanceModule>> &instances;
  const std::map<std::string, Routing> &given;
  const std::vector<SelectedOutput> &selected;
  ForwardResult &result;
  int64_t batch = -1;
  std::map<std::string, std::vector<at::Tensor>> values;
  std::map<std::string, Route> routes;
};

bool Runner::givenRoute(const PlanNode &node, const Routing &routing,
                        Route &route) {
  route = Route{node.choices, node.k, {}, {}};
  size_t n = (size_t)(batch * node.k);
  const std::string &name = node.node->name;
  if (routing.k != node.k)
    return refuse("router node '", name, "' picks ", node.k,
                  " per input, the given routing ", routing.k);
  if (routing.paths.size() != n)
    return refuse("router node '", name, "': the given routing has ",
                  routing.paths.size(), " choices for ", batch,
                  " inputs x k = ", node.k);
  if (!routing.weights.empty() && routing.weights.size() != n)
    return refuse("router node '", name, "': ", routing.weights.size(),
                  " weights for ", n, " choices");
  route.paths = at::tensor(routing.paths, at::kLong).view({batch, node.k});
  route.weights =
      routing.weights.empty()
          ? at::full({batch, node.k}, 1.0 / (double)node.k, at::kFloat)
          : at::tensor(routing.weights, at::kFloat).view({batch, node.k});
  return true;
}

bool Runner::computeRoute(const PlanNode &node, const at::Tensor &x,
                          Route &route) {
  const PlanRouter &router = plan.routers[node.router];
  route = Route{node.choices, node.k, {}, {}};
  switch (router.kind->kind) {
  case goe::RouterKind::Oracle:
    // Label i -> path i, the whole weight on it.
    route.paths = x.to(at::kLong).view({batch, 1});
    route.weights = at::ones({batch, 1}, at::kFloat);
    return true;
  case goe::RouterKind::Fixed:
    route.paths = at::full(
        {batch, 1},
        (int64_t)spec::paramValues(router.router->params,
                                   router.kind->params)["path"],
        at::kLong);
    route.weights = at::ones({batch, 1}, at::kFloat);
    return true;
  case goe::RouterKind::TopK:
  case goe::RouterKind::ClusterGate: {
    // Gate logits -> softmax -> the k largest (cluster_gate: k = 1); a stable descending sort
    // breaks ties towards the lower index. Weights renormalised to sum 1.
    at::Tensor logits = runInstance(router.body, {x})[0];
    at::Tensor probs = at::softmax(logits, 1);
    auto sorted = probs.sort(/*stable=*/true, /*dim=*/1, /*descending=*/true);
    at::Tensor top = std::get<0>(sorted).slice(1, 0, node.k);
    route.paths = std::get<1>(sorted).slice(1, 0, node.k).contiguous();
    route.weights = top / top.sum(1, /*keepdim=*/true);
    route.gateLogits = logits;
    return true;
  }
  case goe::RouterKind::Random:
  case goe::RouterKind::VqvaeHclust:
    break;
  }
  return refuse("router node '", node.node->name, "' uses router '",
                router.router->name, "' (", router.kind->name().str(),
                "), whose decision needs learned state: pass its routing to "
                "forward()");
}

bool Runner::report(const PlanNode &node, const Route &route) {
  RouteReport out;
  out.k = route.k;
  out.choices = route.choices;
  at::Tensor paths = route.paths.contiguous();
  at::Tensor weights = route.weights.detach().to(at::kFloat).contiguous();
  out.paths.assign(paths.data_ptr<int64_t>(),
                   paths.data_ptr<int64_t>() + paths.numel());
  out.weights.assign(weights.data_ptr<float>(),
                     weights.data_ptr<float>() + weights.numel());
  out.counts.assign(route.choices, 0);
  for (int64_t p : out.paths) {
    if (p < 0 || p >= route.choices)
      return refuse("router node '", node.node->name, "' chose path ", p,
                    ", outside [0, ", route.choices, ")");
    ++out.counts[p];
  }
  result.routes[node.node->name] = out;
  result.routeWeightNodes.push_back(node.node->name);
  result.routeWeights.push_back(route.weights);
  result.gateLogits.push_back(route.gateLogits);
  return true;
}

std::vector<at::Tensor>
Runner::dispatch(const PlanNode &node, const std::vector<at::Tensor> &inputs) {
  std::vector<at::Tensor> stacked;
  for (const TensorInfo &type : node.outputTypes) { // [k, ...] per sample
    std::vector<int64_t> shape{batch};
    shape.insert(shape.end(), type.shape.begin(), type.shape.end());
    stacked.push_back(at::zeros(shape, type.isInt ? at::kLong : at::kFloat));
  }
  const RouteReport &chosen = result.routes.at(node.route);
  for (int64_t path = 0; path < node.choices; ++path) {
    // The (input, choice slot) pairs routed to this path.
    std::vector<int64_t> rows, slots;
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t s = 0; s < node.k; ++s)
        if (chosen.paths[b * node.k + s] == path) {
          rows.push_back(b);
          slots.push_back(s);
        }
    if (rows.empty())
      continue; // a path nobody chose never runs
    at::Tensor rowIndex = at::tensor(rows, at::kLong);
    at::Tensor slotIndex = at::tensor(slots, at::kLong);
    std::vector<at::Tensor> group;
    for (const at::Tensor &input : inputs)
      group.push_back(input.index_select(0, rowIndex));
    for (int id : node.paths[path])
      group = runInstance(id, group);
    for (size_t o = 0; o < stacked.size(); ++o)
      stacked[o].index_put_({rowIndex, slotIndex}, group[o]);
  }
  return stacked;
}

std::vector<at::Tensor>
Runner::combine(const PlanNode &node, const std::vector<at::Tensor> &inputs) {
  const Route &route = routes.at(node.route);
  std::vector<at::Tensor> out;
  switch (node.combine->kind) {
  case goe::CombineKind::Select:
    for (const at::Tensor &x : inputs)
      out.push_back(x.select(1, 0));
    break;
  case goe::CombineKind::WeightedSum:
    for (const at::Tensor &x : inputs) {
      std::vector<int64_t> shape(x.dim(), 1);
      shape[0] = batch;
      shape[1] = node.k;
      out.push_back((x * route.weights.view(shape)).sum(1));
    }
    break;
  case goe::CombineKind::ImportanceMix: {
    // baseline [B, C], scores [B, 1, C], importance [B, 1, C, 2]
    at::Tensor base = inputs[0];
    at::Tensor scores = inputs[1].select(1, 0);
    at::Tensor importance = inputs[2].select(1, 0);
    out.push_back(base * importance.select(2, 0) +
                  scores * importance.select(2, 1));
    break;
  }
  case goe::CombineKind::Wbf: // out of scope: the raw per-choice head levels
  case goe::CombineKind::Nms:
    out = inputs;
    break;
  }
  return out;
}

bool Runner::checkInputs(const std::map<std::string, at::Tensor> &inputs) {
  for (const Input &input : plan.spec->inputs) {
    auto it = inputs.find(input.name);
    if (it == inputs.end())
      return refuse("missing input '", input.name, "'");
    const at::Tensor &x = it->second;
    bool same = x.dim() == (int64_t)input.shape.size() + 1;
    for (size_t d = 0; same && d < input.shape.size(); ++d)
      same = x.size(d + 1) == input.shape[d];
    if (!same)
      return refuse("input '", input.name, "' must be [B] + ",
                    formatShape(input.shape), ", got ", x.sizes());
    if (x.scalar_type() != (input.isInt ? at::kLong : at::kFloat))
      return refuse("input '", input.name, "' must be ",
                    input.isInt ? "int64" : "float32", ", got ",
                    x.scalar_type());
    if (batch >= 0 && x.size(0) != batch)
      return refuse("input '", input.name, "' has batch ", x.size(0),
                    ", the others ", batch);
    batch = x.size(0);
    values[input.name] = {x};
  }
  return true;
}

bool Runner::takeSelected() {
  for (const SelectedOutput &out : selected) {
    if (out.gate) {
      const at::Tensor &logits = routes.at(out.ref.node).gateLogits;
      if (!logits.defined())
        return refuse("router node '", out.ref.node,
                      "' was given its routing: its gate did not run");
      result.outputs.push_back(logits);
      continue;
    }
    const at::Tensor &value = values.at(out.ref.node).at(out.ref.index);
    result.outputs.push_back(out.oneChoice ? value.select(1, 0) : value);
  }
  return true;
}

bool Runner::run(const std::map<std::string, at::Tensor> &inputs) {
  if (!checkInputs(inputs))
    return false;
  for (const PlanNode &node : plan.nodes) {
    std::vector<at::Tensor> in = gather(node.inputs);
    const std::string &name = node.node->name;
    switch (node.kind) {
    case PlanNode::Module:
      values[name] = runInstance(node.instance, in);
      break;
    case PlanNode::Router: {
      auto it = given.find(name);
      Route route;
      bool routed = it != given.end() ? givenRoute(node, it->second, route)
                                      : computeRoute(node, in[0], route);
      if (!routed || !report(node, route))
        return false;
      routes[name] = route;
      break;
    }
    case PlanNode::Dispatch:
      values[name] = dispatch(node, in);
      break;
    case PlanNode::Combine:
      values[name] = combine(node, in);
      break;
    }
  }
  if (!selected.empty()) // setOutputs()
    return takeSelected();
  // A wbf or nms combine's value here is its raw head levels (see
  // combine()): an output naming it gives all of them in place of the
  // compiled boxes.
  std::set<std::string> rawLevels;
  for (const PlanNode &node : plan.nodes)
    if (node.kind == PlanNode::Combine &&
        node.combine->readsHeadLevels)
      rawLevels.insert(node.node->name);
  for (const ValueRef &ref : plan.outputs) {
    const std::vector<at::Tensor> &value = values.at(ref.node);
    if (rawLevels.count(ref.node))
      result.outputs.insert(result.outputs.end(), value.begin(), value.end());
    else
      result.outputs.push_back(value.at(ref.index));
  }
  return true;
}

} // namespace

ForwardResult Model::forward(const std::map<std::string, at::Tensor> &inputs,
                             const std::map<std::string, Routing> &routing) {
  ForwardResult result;
  // LibTorch reports mismatches inside its ops by throwing c10::Error; the
  // runner's own checks return, and both end as `error`.
  try {
    Runner runner(impl->plan, impl->instances, routing, impl->selected,
                  result);
    if (!runner.run(inputs)) {
      result = ForwardResult();
      result.error = runner.problem;
    }
  } catch (const c10::Error &error) {
    result = ForwardResult();
    result.error = error.what_without_backtrace();
  } catch (const std::exception &error) {
    result = ForwardResult();
    result.error = error.what();
  }
  return result;
}

} // namespace goe::torchref
