//===- KMeans.cpp - k-means of latent vectors (Faiss) --------------------===//

#include "goe/Router/KMeans.h"

#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>
#include <faiss/impl/FaissException.h>

namespace goe::router {

bool kmeans(const float *points, int64_t count, int64_t dim,
            const KMeansOptions &options, KMeansResult &result,
            std::string *error) {
  auto fail = [&](const std::string &message) {
    if (error)
      *error = message;
    return false;
  };
  if (options.clusters < 1 || dim < 1 || options.restarts < 1 ||
      options.iterations < 1)
    return fail("k-means needs positive clusters, dimension, restarts and "
                "iterations");
  if (count < options.clusters)
    return fail("k-means of " + std::to_string(count) + " points into " +
                std::to_string(options.clusters) + " clusters");
  try {
    faiss::ClusteringParameters parameters;
    parameters.niter = options.iterations;
    parameters.nredo = options.restarts;
    parameters.seed = static_cast<int>(options.seed & 0x7fffffff);
    parameters.verbose = false;
    // Use every point: Faiss otherwise subsamples above 256 per centre.
    parameters.max_points_per_centroid =
        static_cast<int>(count / options.clusters + 1);
    faiss::Clustering clustering(static_cast<int>(dim),
                                 static_cast<int>(options.clusters),
                                 parameters);
    faiss::IndexFlatL2 index(dim);
    clustering.train(count, points, index);
    result.centres = clustering.centroids;
    result.objective = clustering.iteration_stats.empty()
                           ? 0.0
                           : clustering.iteration_stats.back().obj;
  } catch (const faiss::FaissException &e) {
    return fail(std::string("Faiss k-means failed: ") + e.what());
  }
  return true;
}

} // namespace goe::router
