//===- RandomRouting.cpp - the one random-routing rule --------------------===//

#include "goe/Router/RandomRouting.h"

#include <cstddef>
#include <numeric>
#include <utility>
#include <vector>

namespace goe::router {
namespace {

/// SplitMix64: the same numbers on every platform and standard library.
uint64_t splitMix64(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// Uniform in [0, n) by multiply-high (bias below 2^-64 * n).
uint64_t below(uint64_t &state, uint64_t n) {
  return static_cast<uint64_t>(
      (static_cast<unsigned __int128>(splitMix64(state)) * n) >> 64);
}

} // namespace

uint64_t mixRandomSeed(uint64_t a, uint64_t b) {
  uint64_t state = a ^ (b * 0xd1b54a32d192ed03ull);
  return splitMix64(state);
}

void randomRoute(uint64_t seed, uint64_t key, int64_t choices, int64_t k,
                 int64_t *paths, float *weights) {
  uint64_t state = mixRandomSeed(seed, key);
  std::vector<int64_t> pool(static_cast<std::size_t>(choices));
  std::iota(pool.begin(), pool.end(), int64_t{0});
  for (int64_t j = 0; j < k; ++j) {
    int64_t pick =
        j + static_cast<int64_t>(below(state, static_cast<uint64_t>(choices - j)));
    std::swap(pool[j], pool[pick]);
    paths[j] = pool[j];
    if (weights)
      weights[j] = 1.0f / static_cast<float>(k);
  }
}

void randomRoutes(uint64_t seed, int64_t batch, int64_t choices, int64_t k,
                  int64_t *paths, float *weights) {
  for (int64_t b = 0; b < batch; ++b)
    randomRoute(seed, static_cast<uint64_t>(b), choices, k, paths + b * k,
                weights ? weights + b * k : nullptr);
}

} // namespace goe::router
