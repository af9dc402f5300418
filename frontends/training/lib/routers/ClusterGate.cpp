//===- ClusterGate.cpp - a gate taught clusters found without labels ------===//
//
// The cluster_gate router, learned before the experts and without any
// label (neither the task's nor a group's):
//   1. global statistics of every training image (router/ImageMoments.h:
//      mean intensity and the ink's centre of mass, with `statistics:
//      second_moments` also its second moments), standardised;
//   2. Faiss k-means of them into `choices` clusters, best of
//      `kmeans_restarts` seeded runs, ordered by the hierarchical balanced
//      2-means tree over the centres (siblings share a tree's upper
//      stages); each image's nearest centre is its cluster (router/KMeans.h,
//      router/ClusterTree.h, router/NearestCode.h);
//   3. the gate (the spec's `gate` module) trained for --router-epochs
//      epochs with cross-entropy to predict those clusters (Adam, --lr,
//      --batch, seeded by --seed).
// Then every split is routed by the gate's largest logit, as the runtime
// does, and the experts train on those paths; the gate stays as trained
// (it never runs, so gets no gradient, while the experts train). Purity
// against the dataset's `group` field, when it has one, is reported per
// split. The gate's weights are ordinary module weights: the weights file
// and the checkpoint carry them, and a resumed run re-routes from them.
//
// Why a gate rather than the statistics themselves at run time: the gate is
// compiled like any module (no new kernel), and it can learn more of the
// groups than the statistics separate; its MACs are counted as the body's.
//
//===----------------------------------------------------------------------===//

#include "goe/Training/Interrupt.h"
#include "goe/Training/RouterTrainer.h"

#include "goe/Frontends/Spec/GraphPlan.h"
#include "goe/Router/ClusterTree.h"
#include "goe/Router/ImageMoments.h"
#include "goe/Router/KMeans.h"
#include "goe/Router/NearestCode.h"

#include <torch/torch.h>

#include <array>
#include <chrono>
#include <cinttypes>
#include <cstdio>

namespace goe::train {
namespace {

using runtime::Status;

class ClusterGateTrainer : public PretrainedRouterTrainer {
public:
  explicit ClusterGateTrainer(RouterContext &context)
      : PretrainedRouterTrainer(context.nodes.at(0).name),
        model(context.model), router(*context.router), data(context.data),
        options(context.options),
        gate(router.name + "." + router.body), input(router.from.name) {
    params = spec::paramValues(router.params,
                               routerKindInfo(RouterKind::ClusterGate).params);
  }

  Status pretrain() override {
    auto begin = std::chrono::steady_clock::now();
    at::Tensor clusters;
    GOE_RETURN_IF_ERROR(clusterTrainingImages(clusters));
    GOE_RETURN_IF_ERROR(trainGate(clusters));
    std::printf("cluster_gate '%s': trained in %.1f s\n", router.name.c_str(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                              begin)
                    .count());
    return routeSplits();
  }

  // The gate's weights come back with the model's; only the routes must be
  // recomputed from them.
  Status loadState(torch::serialize::InputArchive &) override {
    return routeSplits();
  }

private:
  at::Tensor images(Split split, int64_t begin, int64_t end) const {
    return data.range(split, begin, end).inputs.at(input).to(at::kFloat)
        .contiguous();
  }

  /// Steps 1 and 2: `clusters` [n] i64, the training images' k-means
  /// clusters of their standardised statistics.
  Status clusterTrainingImages(at::Tensor &clusters) {
    int order = int(params["statistics"]) + 1;
    int64_t dim = router::imageMomentCount(order);
    int64_t n = data.size(Split::Train);
    std::vector<float> features(static_cast<size_t>(n * dim));
    for (int64_t start = 0; start < n; start += 1000) {
      at::Tensor x = images(Split::Train, start, std::min(n, start + 1000));
      if (x.dim() != 4)
        return runtime::invalidArgument(
            "router '" + router.name + "': a cluster_gate clusters images "
            "[C, H, W]; its input '" + input + "' has " +
            std::to_string(x.dim() - 1) + " dimensions per sample");
      int64_t c = x.size(1), h = x.size(2), w = x.size(3);
      if (h < 2 || w < 2)
        return runtime::invalidArgument(
            "router '" + router.name + "': images of " + std::to_string(h) +
            " x " + std::to_string(w) + " pixels have no border to measure "
            "the background on (at least 2 x 2)");
      for (int64_t i = 0; i < x.size(0); ++i)
        router::imageMoments(x.data_ptr<float>() + i * c * h * w, c, h, w,
                             order, features.data() + (start + i) * dim);
    }
    std::vector<float> mean, stddev;
    std::string why;
    if (!router::standardise(features, n, dim, mean, stddev, &why))
      return runtime::invalidArgument("cluster_gate '" + router.name +
                                      "': " + why);
    router::KMeansOptions km;
    km.clusters = router.choices;
    km.restarts = int(params["kmeans_restarts"]);
    km.seed = options.seed;
    router::KMeansResult result;
    if (!router::kmeans(features.data(), n, dim, km, result, &why))
      return runtime::invalidArgument("cluster_gate '" + router.name +
                                      "': " + why);
    // Path order: for a tree of paths, sibling paths share their upper
    // stages, so the closest clusters should be siblings; the hierarchical
    // balanced 2-means tree over the centres gives that order (as for the
    // latent router). It needs a power of two of clusters; otherwise
    // k-means's order stays.
    int64_t k = router.choices;
    if ((k & (k - 1)) == 0) {
      std::vector<float> ordered;
      for (int64_t cluster :
           router::hierarchicalLeafOrder(result.centres.data(), k, dim))
        ordered.insert(ordered.end(), result.centres.begin() + cluster * dim,
                       result.centres.begin() + (cluster + 1) * dim);
      result.centres = std::move(ordered);
    }
    clusters = torch::empty({n}, at::kLong);
    std::vector<int64_t> sizes(static_cast<size_t>(router.choices), 0);
    for (int64_t i = 0; i < n; ++i) {
      int64_t nearest = router::nearestRow(result.centres.data(),
                                           router.choices, dim,
                                           features.data() + i * dim);
      clusters[i] = nearest;
      ++sizes[static_cast<size_t>(nearest)];
    }
    std::string sizeText;
    for (int64_t size : sizes)
      sizeText += (sizeText.empty() ? "" : " / ") + std::to_string(size);
    std::printf("cluster_gate '%s': k-means of %" PRId64 " images on %" PRId64
                " statistics into %" PRId64 " clusters of %s images "
                "(objective %.4g, best of %d)\n",
                router.name.c_str(), n, dim, router.choices, sizeText.c_str(),
                result.objective, km.restarts);
    GOE_RETURN_IF_ERROR(printRoutingPurity(data, Split::Train, clusters,
                                           router.choices, "cluster purity"));
    return runtime::okStatus();
  }

  /// Step 3: the gate learns to predict `clusters` from the images.
  Status trainGate(const at::Tensor &clusters) {
    std::vector<at::Tensor> weights;
    std::string prefix = gate + ".";
    for (auto &[name, tensor] : model.parameters())
      if (name.rfind(prefix, 0) == 0 && tensor.requires_grad())
        weights.push_back(tensor);
    if (weights.empty())
      return runtime::invalidArgument("the gate '" + gate +
                                      "' has no trainable parameters");
    torch::optim::Adam adam(weights, torch::optim::AdamOptions(options.optimizer.lr));
    at::Generator gen = at::detail::createCPUGenerator(options.seed + 29);
    int64_t n = clusters.numel();
    for (int64_t epoch = 1; epoch <= options.routerEpochs; ++epoch) {
      auto start = std::chrono::steady_clock::now();
      model.train(true);
      at::Tensor perm = torch::randperm(n, gen, at::kLong);
      double loss = 0;
      int64_t agree = 0;
      for (int64_t b = 0; b * options.batch < n; ++b) {
        if (int signal = interrupted())
          return runtime::failedPrecondition(
              std::string("interrupted by ") + signalName(signal) +
              " while training the cluster_gate's gate; nothing written");
        at::Tensor index = perm.slice(
            0, b * options.batch, std::min(n, (b + 1) * options.batch));
        at::Tensor x = data.batch(Split::Train, index).inputs.at(input);
        at::Tensor target = clusters.index_select(0, index);
        at::Tensor logits = model.runInstance(gate, {x})[0];
        at::Tensor step = at::cross_entropy_loss(logits, target);
        adam.zero_grad();
        step.backward();
        adam.step();
        loss += step.item<double>() * double(index.size(0));
        agree += logits.argmax(1).eq(target).sum().item<int64_t>();
      }
      if (!std::isfinite(loss))
        return runtime::invalidArgument(
            "the cluster_gate's gate diverged in epoch " +
            std::to_string(epoch) + " (non-finite loss): lower --lr");
      double seconds = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - start)
                           .count();
      std::printf("gate epoch %" PRId64 "/%" PRId64 ": loss %.4f, agrees "
                  "with the clusters on %.4f of the training images "
                  "(%.0f img/s)\n",
                  epoch, options.routerEpochs, loss / double(n),
                  double(agree) / double(n),
                  seconds > 0 ? double(n) / seconds : 0.0);
      std::fflush(stdout);
    }
    model.train(false);
    return runtime::okStatus();
  }

  /// Every split's paths from the gate, and their purity when the data has
  /// groups.
  Status routeSplits() {
    torch::NoGradGuard noGrad;
    model.train(false);
    for (Split split : {Split::Train, Split::Val, Split::Test}) {
      int64_t n = data.size(split);
      std::vector<at::Tensor> parts;
      for (int64_t start = 0; start < n; start += 1000)
        parts.push_back(
            model.runInstance(gate, {images(split, start,
                                            std::min(n, start + 1000))})[0]
                .argmax(1));
      paths[int(split)] =
          parts.empty() ? torch::empty({0}, at::kLong) : torch::cat(parts);
      GOE_RETURN_IF_ERROR(
          printRoutingPurity(data, split, paths[int(split)], router.choices));
    }
    std::fflush(stdout);
    return runtime::okStatus();
  }

  torchref::Model &model;
  const spec::Router &router;
  const TrainingData &data;
  const TrainOptions &options;
  std::string gate, input;
  ParamValues params;
};

std::unique_ptr<RouterTrainer> create(RouterContext &context,
                                      runtime::Status &status) {
  status = checkPretrainedRouter(context, "cluster_gate");
  if (!status.ok())
    return nullptr;
  return std::make_unique<ClusterGateTrainer>(context);
}

} // namespace

extern const RouterTrainerKind kClusterGateTrainer = {RouterKind::ClusterGate,
                                                      create};

} // namespace goe::train
