//===- Random.h - a small portable random generator -------------*- C++ -*-===//
//
// SplitMix64: tiny and well mixed, and, unlike std::uniform_*_distribution,
// it gives the same numbers on every platform and standard library, so a
// seed reproduces random routing and random inputs everywhere.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_RANDOM_H
#define GOE_RUNTIME_RANDOM_H

#include <cstdint>

namespace goe::runtime {

struct SplitMix64 {
  uint64_t state;

  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

  /// Uniform in [0, n) by multiply-high (bias below 2^-64 * n).
  uint64_t below(uint64_t n) {
    return static_cast<uint64_t>(
        (static_cast<unsigned __int128>(next()) * n) >> 64);
  }

  /// Uniform in [0, 1) with 24 bits: every value is an exact f32.
  float unitFloat() { return static_cast<float>(next() >> 40) * 0x1.0p-24f; }
};

} // namespace goe::runtime

#endif // GOE_RUNTIME_RANDOM_H
