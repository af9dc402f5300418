//===- RouterTrainer.h - how each router kind is trained --------*- C++ -*-===//
//
// The router a spec routes with decides how its experts train. One
// RouterTrainer per router kind (dialect/include/goe/Dialect/Goe/RouterKinds.h),
// registered by the kind in lib/routers/Registry.cpp, each in its own file:
//   oracle        the model routes by the label input; nothing to learn
//   random        every router node gets uniform random paths (the
//                 ablation; the runtime's random rule, router/RandomRouting.h)
//   topk          the gate trains with the experts, plus the Switch
//                 load-balancing loss; its usage is reported
//   vqvae_hclust  trained before the experts (VQ-VAE, k-means, 2-means
//                 tree), its codebook and centres written with the weights
// A trainer may pre-train, route a batch, add an auxiliary loss, report on
// an evaluation, and carry state into the weights file and the checkpoint.
// A graph without routers gets the base class, which does none of these.
//
// Adding a router trainer: docs/architecture.md, "Adding a router trainer".
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_ROUTERTRAINER_H
#define GOE_TRAINING_ROUTERTRAINER_H

#include "goe/Dialect/Goe/RouterKinds.h"
#include "goe/Frontends/Torch/TorchModel.h"
#include "goe/Runtime/proto/artifact.pb.h"
#include "goe/Training/TrainOptions.h"
#include "goe/Training/TrainingData.h"

#include <torch/serialize/archive.h>

#include <array>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace goe::train {

/// A router node of the graph: what routing must be given for it.
struct RouterNode {
  std::string name;   // the graph node
  int64_t choices = 0, k = 1;
};

/// What a trainer is made from.
struct RouterContext {
  torchref::Model &model;
  const spec::Spec &spec;
  /// The router trained (after --router); null for the random ablation.
  const spec::Router *router;
  std::vector<RouterNode> nodes;
  const TrainOptions &options;
  const TrainingData &data;
};

class RouterTrainer {
public:
  virtual ~RouterTrainer();
  /// Learns what must exist before the experts train (the latent router).
  virtual runtime::Status pretrain() { return runtime::okStatus(); }
  /// The routing given to the model for `batch`; empty: the model computes
  /// it itself. `rng` is the pass's generator (seeded per epoch).
  virtual std::map<std::string, torchref::Routing>
  route(const TrainBatch &batch, std::mt19937_64 &rng);
  /// Added to the objective's loss in a training step, from the step's
  /// forward pass (a gate's logits); undefined: none.
  virtual at::Tensor auxiliaryLoss(const TrainBatch &batch,
                                   const torchref::ForwardResult &result);
  /// Evaluation: called before a split is scored and for each batch with
  /// its forward pass.
  virtual void beginEvaluation() {}
  virtual void observe(const TrainBatch &batch,
                       const torchref::ForwardResult &result) {
    (void)batch;
    (void)result;
  }
  /// A line on the last evaluation of `split` (gate usage); "" if none.
  virtual std::string report(data::Split split) const;
  /// Tensors it adds to the weights file (the latent router's tables).
  virtual std::vector<artifact::Tensor> weightState() const { return {}; }
  /// Its state in a checkpoint; loadState follows a load of the weights.
  virtual void saveState(torch::serialize::OutputArchive &archive) const;
  virtual runtime::Status loadState(torch::serialize::InputArchive &archive);
};

struct RouterTrainerKind {
  RouterKind kind;
  std::unique_ptr<RouterTrainer> (*create)(RouterContext &context,
                                           runtime::Status &status);
};

const std::vector<const RouterTrainerKind *> &routerTrainerKinds();

/// What the routers trained before the experts share (vqvae_hclust,
/// cluster_gate; lib/routers/Pretrained.cpp): each sample's path is fixed
/// once the router is trained, and route() hands out `paths[split]`.
class PretrainedRouterTrainer : public RouterTrainer {
public:
  std::map<std::string, torchref::Routing>
  route(const TrainBatch &batch, std::mt19937_64 &rng) override;

protected:
  explicit PretrainedRouterTrainer(std::string node) : node(std::move(node)) {}
  /// The router node routed.
  std::string node;
  /// Per split (data::Split's order), every sample's path: [n] i64.
  std::array<at::Tensor, 3> paths;
};

/// Whether goe-train can pre-train a router of `kind` for `context`: the
/// graph has one router node and the router reads a graph input. The
/// error names the router and what it reads.
runtime::Status checkPretrainedRouter(const RouterContext &context,
                                      const char *kind);

/// When the dataset has an i64 `group` field (rotated MNIST's rotation),
/// prints "<what> (<split>): ..." of `paths` ([n] i64, the split's routes
/// in order) against it (router/Purity.h); does nothing otherwise. Groups
/// are only ever read for this report, never to train a router.
runtime::Status printRoutingPurity(const TrainingData &data, data::Split split,
                                   const at::Tensor &paths, int64_t numPaths,
                                   const char *what = "routing purity");

/// The trainer for context.router's kind (the random ablation when it is
/// null and the graph has router nodes; the base class when it has none).
runtime::StatusOr<std::unique_ptr<RouterTrainer>>
makeRouterTrainer(RouterContext &context);

} // namespace goe::train

#endif // GOE_TRAINING_ROUTERTRAINER_H
