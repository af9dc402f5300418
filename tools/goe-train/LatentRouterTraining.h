//===- LatentRouterTraining.h - the latent router from images ---*- C++ -*-===//
//
// The whole vqvae_hclust router, learned without labels from the training
// images, before any expert trains:
//   1. the VQ-VAE (VqVae.h): the spec's encoder and a codebook;
//   2. every training image's flattened quantised latent (channels-last,
//      router/NearestCode.h);
//   3. Faiss k-means of those latents into `choices` clusters, best of
//      `kmeans_restarts` seeded runs (router/KMeans.h);
//   4. hierarchical balanced 2-means over the cluster centres; its leaf
//      order is the path order (router/ClusterTree.h).
// Then every image of every split gets its path from router::routeLatent,
// the function the runtime calls on the compiled encoder's output; the
// experts are trained on these paths. Purity against the true rotation
// group (router/Purity.h) is reported per split; the groups are never used
// to train the router.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TOOLS_GOE_TRAIN_LATENTROUTERTRAINING_H
#define GOE_TOOLS_GOE_TRAIN_LATENTROUTERTRAINING_H

#include "VqVae.h"

#include "goe/Frontends/Spec/Spec.h"
#include "goe/Router/LatentRouter.h"
#include "goe/Runtime/proto/artifact.pb.h"

namespace goe::train {

struct LatentSplit {
  const char *name;
  at::Tensor images, groups; // [N, 1, 28, 28], [N] (groups: reports only)
  at::Tensor *paths;         // receives [N] i64
};

struct LatentRouterOptions {
  int64_t epochs = 10, batch = 64;
  double lr = 1e-3;
  uint64_t seed = 0;
};

/// Trains `router` (kind vqvae_hclust, its encoder instance in `model`) on
/// splits[0]'s images and routes every split. Prints the VQ-VAE epochs,
/// the purity per split and the router's MACs besides its encoder.
runtime::Status trainLatentRouter(torchref::Model &model,
                                  const spec::Router &router,
                                  const LatentRouterOptions &options,
                                  std::vector<LatentSplit> &splits,
                                  router::LatentRouterTables &tables);

/// The paths routeLatent gives for `images` under `tables`.
at::Tensor routeImages(torchref::Model &model, const std::string &encoder,
                       const router::LatentRouterTables &tables,
                       const at::Tensor &images);

/// The tables as the weights-file tensors goe-compile reads
/// (`<router>.codebook`, `<router>.centres`; passes RouterState.h).
std::vector<artifact::Tensor>
latentRouterTensors(const std::string &router,
                    const router::LatentRouterTables &tables);

} // namespace goe::train

#endif // GOE_TOOLS_GOE_TRAIN_LATENTROUTERTRAINING_H
