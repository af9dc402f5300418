//===- KMeans.h - k-means of latent vectors (Faiss) --------------*- C++ -*-===//
//
// The latent router's clusters: Faiss k-means (faiss::Clustering over an
// exact L2 index) on the flattened quantised latents of the training
// images, `restarts` runs from different seeded initialisations, keeping the
// run of least objective (Faiss's nredo). Only training links this part of
// router/ (GoeRouterTraining); the runtime needs the centres, not Faiss.
//
// Determinism: Faiss seeds its initial centres from `seed`; with one OpenMP
// thread the result is reproducible bit for bit, with more the reduction
// order may differ in the last bits.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_ROUTER_KMEANS_H
#define GOE_ROUTER_KMEANS_H

#include <cstdint>
#include <string>
#include <vector>

namespace goe::router {

struct KMeansOptions {
  int64_t clusters = 4;
  int restarts = 10;   // Faiss nredo: best of this many runs
  int iterations = 25; // Lloyd iterations per run
  uint64_t seed = 0;
};

struct KMeansResult {
  std::vector<float> centres; // [clusters, dim]
  double objective = 0;       // sum of squared distances to the centres
};

/// Clusters `points` ([count, dim], row-major). Returns false (with
/// `error`) when count < clusters, a size is not positive or Faiss fails.
bool kmeans(const float *points, int64_t count, int64_t dim,
            const KMeansOptions &options, KMeansResult &result,
            std::string *error = nullptr);

} // namespace goe::router

#endif // GOE_ROUTER_KMEANS_H
