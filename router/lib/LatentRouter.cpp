//===- LatentRouter.cpp - the latent (VQ-VAE) router's decision ----------===//

#include "goe/Router/LatentRouter.h"
#include "goe/Router/NearestCode.h"

#include <cmath>

namespace goe::router {

std::string LatentRouterTables::validate() const {
  if (codes < 1 || codeDim < 1 || positions < 1 || paths < 1)
    return "sizes must be positive (codes " + std::to_string(codes) +
           ", code_dim " + std::to_string(codeDim) + ", positions " +
           std::to_string(positions) + ", paths " + std::to_string(paths) + ")";
  if (static_cast<int64_t>(codebook.size()) != codes * codeDim)
    return "the codebook has " + std::to_string(codebook.size()) +
           " numbers, [codes, code_dim] = [" + std::to_string(codes) + ", " +
           std::to_string(codeDim) + "] needs " +
           std::to_string(codes * codeDim);
  if (static_cast<int64_t>(centres.size()) != paths * positions * codeDim)
    return "the centres have " + std::to_string(centres.size()) +
           " numbers, [paths, positions * code_dim] = [" +
           std::to_string(paths) + ", " + std::to_string(positions * codeDim) +
           "] needs " + std::to_string(paths * positions * codeDim);
  for (float v : codebook)
    if (!std::isfinite(v))
      return "the codebook holds a non-finite number";
  for (float v : centres)
    if (!std::isfinite(v))
      return "the centres hold a non-finite number";
  return {};
}

int64_t LatentRouterTables::searchMacs() const {
  return positions * codes * codeDim + paths * positions * codeDim;
}

int64_t routeLatent(const LatentRouterTables &tables, const float *latent,
                    std::vector<float> &scratch) {
  int64_t dim = tables.positions * tables.codeDim;
  scratch.resize(static_cast<size_t>(dim));
  for (int64_t p = 0; p < tables.positions; ++p) {
    const float *at = latent + p * tables.codeDim;
    int64_t code = nearestRow(tables.codebook.data(), tables.codes,
                              tables.codeDim, at);
    for (int64_t c = 0; c < tables.codeDim; ++c)
      scratch[p * tables.codeDim + c] =
          tables.codebook[code * tables.codeDim + c];
  }
  return nearestRow(tables.centres.data(), tables.paths, dim, scratch.data());
}

} // namespace goe::router
