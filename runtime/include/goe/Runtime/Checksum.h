//===- Checksum.h - the artifact payload checksum ---------------*- C++ -*-===//
//
// FNV-1a 64: not cryptographic, but cheap, dependency-free and good at
// catching truncation and bit flips, which is all the header check is for.
// An artifact's checksum is no proof of origin: load only trusted artifacts
// (they carry native code).
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_CHECKSUM_H
#define GOE_RUNTIME_CHECKSUM_H

#include <cstddef>
#include <cstdint>

namespace goe::runtime {

inline constexpr uint64_t kFnv1a64Offset = 0xcbf29ce484222325ull;
inline constexpr uint64_t kFnv1a64Prime = 0x100000001b3ull;

/// FNV-1a 64 of `size` bytes at `data`, continuing from `seed` (pass the
/// previous result to checksum data in pieces). Thread-safe (pure).
uint64_t fnv1a64(const void *data, size_t size, uint64_t seed = kFnv1a64Offset);

} // namespace goe::runtime

#endif // GOE_RUNTIME_CHECKSUM_H
