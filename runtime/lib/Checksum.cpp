//===- Checksum.cpp - the artifact payload checksum ---------------------===//

#include "goe/Runtime/Checksum.h"

namespace goe::runtime {

uint64_t fnv1a64(const void *data, size_t size, uint64_t seed) {
  const auto *bytes = static_cast<const unsigned char *>(data);
  uint64_t hash = seed;
  for (size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= kFnv1a64Prime;
  }
  return hash;
}

} // namespace goe::runtime
