//===- Pretrained.cpp - what the routers trained first share --------------===//
//
// vqvae_hclust and cluster_gate are trained before the experts, without
// labels; afterwards every sample's path is fixed. They share the hand-out
// of those paths, the check of what goe-train can pre-train, and the
// report printed per split when the dataset carries its true groups
// (rotated MNIST's rotation): the purity of router/Purity.h and which group
// each path was matched to (scripts/experiment_results.py reads the test
// split's line).
//
//===----------------------------------------------------------------------===//

#include "goe/Training/RouterTrainer.h"

#include "goe/Router/Purity.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

namespace goe::train {

std::map<std::string, torchref::Routing>
PretrainedRouterTrainer::route(const TrainBatch &batch, std::mt19937_64 &) {
  at::Tensor chosen = paths[int(batch.split)].index_select(0, batch.indices);
  torchref::Routing given;
  given.paths.assign(chosen.data_ptr<int64_t>(),
                     chosen.data_ptr<int64_t>() + chosen.numel());
  return {{node, given}};
}

runtime::Status checkPretrainedRouter(const RouterContext &context,
                                      const char *kind) {
  if (context.nodes.size() != 1)
    return runtime::invalidArgument(
        "--router " + context.router->name + ": goe-train trains a " + kind +
        " router for a graph with one router node");
  if (!context.data.inputFields().count(context.router->from.name))
    return runtime::invalidArgument(
        "router '" + context.router->name + "': goe-train trains " + kind +
        " routers that read a graph input; this one reads '" +
        context.router->from.name + "'");
  return runtime::okStatus();
}

runtime::Status printRoutingPurity(const TrainingData &data, Split split,
                                   const at::Tensor &paths, int64_t numPaths,
                                   const char *what) {
  bool hasGroups = false;
  for (const data::Field &field : data.dataset().fields())
    hasGroups |= field.name == "group" &&
                 field.spec == runtime::TensorSpec{runtime::DType::I64, {}};
  if (!hasGroups)
    return runtime::okStatus();
  at::Tensor chosen = paths.to(at::kLong).contiguous();
  std::vector<int64_t> groups;
  int64_t n = chosen.numel();
  for (int64_t start = 0; start < n; start += 1000) {
    at::Tensor g = data.range(split, start, std::min(n, start + 1000))
                       .fields.at("group")
                       .contiguous();
    groups.insert(groups.end(), g.data_ptr<int64_t>(),
                  g.data_ptr<int64_t>() + g.numel());
  }
  std::vector<int64_t> routes(chosen.data_ptr<int64_t>(),
                              chosen.data_ptr<int64_t>() + n);
  int64_t numGroups =
      groups.empty() ? 1 : *std::max_element(groups.begin(), groups.end()) + 1;
  router::PurityResult purity;
  std::string why;
  if (!router::routingPurity(routes, groups, numPaths,
                             std::min<int64_t>(numGroups, 20), purity, &why))
    return runtime::invalidArgument("routing purity: " + why);
  std::string matching;
  for (int64_t p = 0; p < numPaths; ++p)
    matching += (p ? ", path " : "path ") + std::to_string(p) + " -> group " +
                std::to_string(purity.groupOfPath[p]);
  std::printf("%s (%s): %.4f (%" PRId64 "/%" PRId64 "; %s)\n", what,
              data::splitName(split), purity.purity, purity.matched,
              purity.inputs, matching.c_str());
  return runtime::okStatus();
}

} // namespace goe::train
