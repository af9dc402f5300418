//===- NearestCode.cpp - vector quantisation by nearest code -------------===//

#include "goe/Router/NearestCode.h"

#include <cstring>

namespace goe::router {

double squaredDistance(const float *a, const float *b, int64_t dim) {
  double sum = 0;
  for (int64_t i = 0; i < dim; ++i) {
    double d = double(a[i]) - double(b[i]);
    sum += d * d;
  }
  return sum;
}

int64_t nearestRow(const float *rows, int64_t count, int64_t dim,
                   const float *vector) {
  int64_t best = 0;
  double bestDistance = squaredDistance(rows, vector, dim);
  for (int64_t r = 1; r < count; ++r) {
    double d = squaredDistance(rows + r * dim, vector, dim);
    if (d < bestDistance) { // strict: ties keep the lower index
      best = r;
      bestDistance = d;
    }
  }
  return best;
}

void quantise(const float *codebook, int64_t codes, int64_t dim,
              const float *latent, int64_t positions, int64_t *indices,
              float *quantised) {
  for (int64_t p = 0; p < positions; ++p) {
    int64_t code = nearestRow(codebook, codes, dim, latent + p * dim);
    indices[p] = code;
    if (quantised)
      std::memcpy(quantised + p * dim, codebook + code * dim,
                  sizeof(float) * static_cast<size_t>(dim));
  }
}

} // namespace goe::router
