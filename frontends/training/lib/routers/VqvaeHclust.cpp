//===- VqvaeHclust.cpp - the latent router, learned before the experts ----===//
//
// The whole vqvae_hclust router, learned without labels from the training
// images before any expert trains:
//   1. the VQ-VAE (VqVae.h): the spec's encoder and a codebook;
//   2. every training image's flattened quantised latent (channels-last,
//      router/NearestCode.h);
//   3. Faiss k-means of those latents into `choices` clusters, best of
//      `kmeans_restarts` seeded runs (router/KMeans.h);
//   4. hierarchical balanced 2-means over the cluster centres; its leaf
//      order is the path order (router/ClusterTree.h).
// Then every sample of every split gets its path from router::routeLatent,
// the function the runtime calls on the compiled encoder's output, and the
// experts train on these paths. When the dataset has a `group` field,
// purity against it (router/Purity.h) is reported per split; groups are
// never used to train the router. The codebook and centres go into the
// weights file (`<router>.codebook`, `<router>.centres`) and the
// checkpoint; a resumed run re-routes the splits from them.
//
//===----------------------------------------------------------------------===//

#include "goe/Training/RouterTrainer.h"
#include "goe/Training/VqVae.h"

#include "goe/Frontends/Spec/GraphPlan.h"
#include "goe/Router/ClusterTree.h"
#include "goe/Router/KMeans.h"
#include "goe/Router/LatentRouter.h"
#include "goe/Router/NearestCode.h"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cinttypes>
#include <cstdio>

namespace goe::train {
namespace {

using runtime::Status;

artifact::Tensor table(const std::string &name, int64_t rows, int64_t columns,
                       const std::vector<float> &values) {
  artifact::Tensor t;
  t.set_name(name);
  t.add_shape(rows);
  t.add_shape(columns);
  t.set_dtype(artifact::F32);
  t.set_data(std::string(reinterpret_cast<const char *>(values.data()),
                         values.size() * sizeof(float)));
  return t;
}

at::Tensor toTensor(const std::vector<float> &values) {
  return torch::tensor(at::ArrayRef<float>(values)).clone();
}

std::vector<float> fromTensor(const at::Tensor &t) {
  at::Tensor c = t.to(at::kFloat).contiguous();
  return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

class VqvaeHclustTrainer : public PretrainedRouterTrainer {
public:
  explicit VqvaeHclustTrainer(RouterContext &context)
      : PretrainedRouterTrainer(context.nodes.at(0).name),
        model(context.model), router(*context.router), data(context.data),
        options(context.options),
        encoder(router.name + "." + router.body), input(router.from.name) {
    params = spec::paramValues(router.params,
                               routerKindInfo(RouterKind::VqvaeHclust).params);
  }

  Status pretrain() override {
    auto begin = std::chrono::steady_clock::now();
    VqVaeOptions vq;
    vq.encoder = encoder;
    vq.codes = int64_t(params["codes"]);
    vq.codeDim = int64_t(params["code_dim"]);
    vq.beta = params["beta"];
    vq.epochs = options.routerEpochs;
    vq.batch = options.batch;
    vq.seed = options.seed;
    vq.imageShape = imageShape();
    VqVaeResult trained;
    int64_t n = data.size(Split::Train);
    ImageSource images = source(Split::Train);
    GOE_RETURN_IF_ERROR(trainVqVae(model, n, images, vq, trained));

    // Flattened quantised latents of the training images.
    at::Tensor latents = encodeChannelsLast(model, encoder, n, images);
    tables.codes = vq.codes;
    tables.codeDim = vq.codeDim;
    tables.positions = latents.size(1) * latents.size(2);
    tables.paths = router.choices;
    const float *codebook = trained.codebook.data_ptr<float>();
    tables.codebook.assign(codebook, codebook + vq.codes * vq.codeDim);
    int64_t dim = tables.positions * tables.codeDim;
    std::vector<float> quantised(static_cast<size_t>(n * dim));
    std::vector<int64_t> indices(static_cast<size_t>(tables.positions));
    for (int64_t i = 0; i < n; ++i)
      router::quantise(tables.codebook.data(), tables.codes, tables.codeDim,
                       latents.data_ptr<float>() + i * dim, tables.positions,
                       indices.data(), quantised.data() + i * dim);

    router::KMeansOptions km;
    km.clusters = router.choices;
    km.restarts = int(params["kmeans_restarts"]);
    km.seed = options.seed;
    router::KMeansResult clusters;
    std::string why;
    if (!router::kmeans(quantised.data(), n, dim, km, clusters, &why))
      return runtime::invalidArgument("latent router '" + router.name +
                                      "': " + why);
    std::vector<int64_t> order = router::hierarchicalLeafOrder(
        clusters.centres.data(), km.clusters, dim);
    tables.centres.clear();
    for (int64_t cluster : order)
      tables.centres.insert(tables.centres.end(),
                            clusters.centres.begin() + cluster * dim,
                            clusters.centres.begin() + (cluster + 1) * dim);
    std::string problem = tables.validate();
    if (!problem.empty())
      return runtime::internalError("latent router '" + router.name +
                                    "': " + problem);
    double seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - begin)
                         .count();
    std::printf("latent router '%s': %" PRId64 " x %" PRId64
                " latent, %" PRId64 " codes (%" PRId64 " used), k-means "
                "objective %.4g (best of %d); trained in %.1f s\n",
                router.name.c_str(), tables.positions, tables.codeDim,
                tables.codes, trained.codesUsed, clusters.objective,
                km.restarts, seconds);
    std::printf("latent router MACs per input besides the encoder: %" PRId64
                " (nearest code %" PRId64 ", nearest centre %" PRId64 ")\n",
                tables.searchMacs(),
                tables.positions * tables.codes * tables.codeDim,
                tables.paths * dim);
    return routeSplits();
  }

  std::vector<artifact::Tensor> weightState() const override {
    return {table(router.name + ".codebook", tables.codes, tables.codeDim,
                  tables.codebook),
            table(router.name + ".centres", tables.paths,
                  tables.positions * tables.codeDim, tables.centres)};
  }

  void saveState(torch::serialize::OutputArchive &archive) const override {
    archive.write("latent_shape",
                  torch::tensor({tables.codes, tables.codeDim, tables.positions,
                                 tables.paths}),
                  true);
    archive.write("latent_codebook", toTensor(tables.codebook), true);
    archive.write("latent_centres", toTensor(tables.centres), true);
  }

  Status loadState(torch::serialize::InputArchive &archive) override {
    at::Tensor shape, codebook, centres;
    if (!archive.try_read("latent_shape", shape, true) ||
        !archive.try_read("latent_codebook", codebook, true) ||
        !archive.try_read("latent_centres", centres, true))
      return runtime::invalidArgument(
          "the checkpoint has no tables of the latent router '" + router.name +
          "' (it was written by a run with another router)");
    tables.codes = shape[0].item<int64_t>();
    tables.codeDim = shape[1].item<int64_t>();
    tables.positions = shape[2].item<int64_t>();
    tables.paths = shape[3].item<int64_t>();
    tables.codebook = fromTensor(codebook);
    tables.centres = fromTensor(centres);
    std::string problem = tables.validate();
    if (!problem.empty() || tables.paths != router.choices)
      return runtime::invalidArgument(
          "the checkpoint's latent router tables do not fit router '" +
          router.name + "'" + (problem.empty() ? "" : ": " + problem));
    return routeSplits();
  }

private:
  ImageSource source(Split split) const {
    return [this, split](const at::Tensor &indices) {
      return data.batch(split, indices).inputs.at(input);
    };
  }

  std::vector<int64_t> imageShape() const {
    for (const data::Field &field : data.dataset().fields())
      if (field.name == data.inputFields().at(input))
        return field.spec.shape;
    return {};
  }

  /// Every split's paths, and their purity when the data has groups.
  Status routeSplits() {
    for (Split split : {Split::Train, Split::Val, Split::Test}) {
      int64_t n = data.size(split);
      at::Tensor latents = encodeChannelsLast(model, encoder, n, source(split));
      at::Tensor chosen = torch::empty({n}, at::kLong);
      const float *values = latents.data_ptr<float>();
      int64_t stride = tables.positions * tables.codeDim;
      std::vector<float> scratch;
      for (int64_t i = 0; i < n; ++i)
        chosen[i] = router::routeLatent(tables, values + i * stride, scratch);
      paths[int(split)] = chosen;
      GOE_RETURN_IF_ERROR(printRoutingPurity(data, split, chosen, tables.paths));
    }
    std::fflush(stdout);
    return runtime::okStatus();
  }

  torchref::Model &model;
  const spec::Router &router;
  const TrainingData &data;
  const TrainOptions &options;
  std::string encoder, input;
  ParamValues params;
  router::LatentRouterTables tables;
};

std::unique_ptr<RouterTrainer> create(RouterContext &context,
                                      runtime::Status &status) {
  status = checkPretrainedRouter(context, "vqvae_hclust");
  if (!status.ok())
    return nullptr;
  return std::make_unique<VqvaeHclustTrainer>(context);
}

} // namespace

extern const RouterTrainerKind kVqvaeHclustTrainer = {RouterKind::VqvaeHclust,
                                                      create};

} // namespace goe::train
