//===- LatentRouterTraining.cpp - the latent router from images ----------===//

#include "LatentRouterTraining.h"

#include "goe/Frontends/Spec/ShapeInference.h"
#include "goe/Router/ClusterTree.h"
#include "goe/Router/KMeans.h"
#include "goe/Router/NearestCode.h"
#include "goe/Router/Purity.h"

#include <torch/torch.h>

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

} // namespace

at::Tensor routeImages(torchref::Model &model, const std::string &encoder,
                       const router::LatentRouterTables &tables,
                       const at::Tensor &images) {
  at::Tensor latents = encodeChannelsLast(model, encoder, images);
  int64_t n = latents.size(0);
  at::Tensor paths = torch::empty({n}, at::kLong);
  const float *data = latents.data_ptr<float>();
  int64_t stride = tables.positions * tables.codeDim;
  std::vector<float> scratch;
  for (int64_t i = 0; i < n; ++i)
    paths[i] = router::routeLatent(tables, data + i * stride, scratch);
  return paths;
}

Status trainLatentRouter(torchref::Model &model, const spec::Router &router,
                         const LatentRouterOptions &options,
                         std::vector<LatentSplit> &splits,
                         router::LatentRouterTables &tables) {
  auto begin = std::chrono::steady_clock::now();
  VqVaeOptions vq;
  vq.encoder = router.name + "." + router.body;
  vq.codes = router.params.at("codes").i;
  vq.codeDim = router.params.at("code_dim").i;
  vq.beta = spec::floatField(router.params, "beta", 0.25);
  vq.epochs = options.epochs;
  vq.batch = options.batch;
  vq.lr = options.lr;
  vq.seed = options.seed;
  VqVaeResult trained;
  GOE_RETURN_IF_ERROR(trainVqVae(model, splits[0].images, vq, trained));

  // Flattened quantised latents of the training images.
  at::Tensor latents =
      encodeChannelsLast(model, vq.encoder, splits[0].images);
  tables.codes = vq.codes;
  tables.codeDim = vq.codeDim;
  tables.positions = latents.size(1) * latents.size(2);
  tables.paths = router.choices;
  const float *codebook = trained.codebook.data_ptr<float>();
  tables.codebook.assign(codebook, codebook + vq.codes * vq.codeDim);
  int64_t n = latents.size(0), dim = tables.positions * tables.codeDim;
  std::vector<float> quantised(static_cast<size_t>(n * dim));
  std::vector<int64_t> indices(static_cast<size_t>(tables.positions));
  for (int64_t i = 0; i < n; ++i)
    router::quantise(tables.codebook.data(), tables.codes, tables.codeDim,
                     latents.data_ptr<float>() + i * dim, tables.positions,
                     indices.data(), quantised.data() + i * dim);

  router::KMeansOptions km;
  km.clusters = router.choices;
  auto restarts = router.params.find("kmeans_restarts");
  km.restarts = restarts == router.params.end() ? 10 : (int)restarts->second.i;
  km.seed = options.seed;
  router::KMeansResult clusters;
  std::string why;
  if (!router::kmeans(quantised.data(), n, dim, km, clusters, &why))
    return runtime::invalidArgument("latent router '" + router.name +
                                    "': " + why);
  std::vector<int64_t> order =
      router::hierarchicalLeafOrder(clusters.centres.data(), km.clusters, dim);
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
              tables.codes, trained.codesUsed, clusters.objective, km.restarts,
              seconds);
  std::printf("latent router MACs per input besides the encoder: %" PRId64
              " (nearest code %" PRId64 ", nearest centre %" PRId64 ")\n",
              tables.searchMacs(), tables.positions * tables.codes * tables.codeDim,
              tables.paths * dim);

  for (LatentSplit &split : splits) {
    *split.paths = routeImages(model, vq.encoder, tables, split.images);
    std::vector<int64_t> paths(split.paths->data_ptr<int64_t>(),
                               split.paths->data_ptr<int64_t>() +
                                   split.paths->numel());
    std::vector<int64_t> groups(split.groups.data_ptr<int64_t>(),
                                split.groups.data_ptr<int64_t>() +
                                    split.groups.numel());
    int64_t numGroups = groups.empty()
                            ? 1
                            : *std::max_element(groups.begin(), groups.end()) + 1;
    router::PurityResult purity;
    if (!router::routingPurity(paths, groups, tables.paths,
                               std::min<int64_t>(numGroups, 20), purity, &why))
      return runtime::invalidArgument("routing purity: " + why);
    std::string matching;
    for (int64_t p = 0; p < tables.paths; ++p)
      matching += (p ? ", path " : "path ") + std::to_string(p) + " -> group " +
                  std::to_string(purity.groupOfPath[p]);
    std::printf("routing purity (%s): %.4f (%" PRId64 "/%" PRId64 "; %s)\n",
                split.name, purity.purity, purity.matched, purity.inputs,
                matching.c_str());
  }
  std::fflush(stdout);
  return runtime::okStatus();
}

std::vector<artifact::Tensor>
latentRouterTensors(const std::string &router,
                    const router::LatentRouterTables &tables) {
  return {table(router + ".codebook", tables.codes, tables.codeDim,
                tables.codebook),
          table(router + ".centres", tables.paths,
                tables.positions * tables.codeDim, tables.centres)};
}

} // namespace goe::train
