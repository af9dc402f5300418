//===- NearestCode.h - vector quantisation by nearest code ------*- C++ -*-===//
//
// The VQ step of the latent router: every position of an encoder output is
// replaced by the codebook row nearest to it (squared Euclidean distance).
// Training (goe-train) and the runtime call these same functions on the
// encoder's output, so the two make the same choice for the same numbers.
//
// Ties go to the lower index, so the result does not depend on the order in
// which candidates happen to be compared.
//
// Thread safety: pure functions.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_ROUTER_NEARESTCODE_H
#define GOE_ROUTER_NEARESTCODE_H

#include <cstdint>

namespace goe::router {

/// Squared Euclidean distance between two vectors of `dim` floats, summed
/// in double so that the result does not depend on vector width.
double squaredDistance(const float *a, const float *b, int64_t dim);

/// Index of the row of `rows` ([count, dim], row-major) nearest to `vector`;
/// the lowest index among equally near rows. `count` must be >= 1.
int64_t nearestRow(const float *rows, int64_t count, int64_t dim,
                   const float *vector);

/// Quantises `latent` ([positions, dim], row-major): `indices[i]` is the
/// code nearest to position i, and `quantised` (if not null, [positions,
/// dim]) receives that code's vector.
void quantise(const float *codebook, int64_t codes, int64_t dim,
              const float *latent, int64_t positions, int64_t *indices,
              float *quantised);

} // namespace goe::router

#endif // GOE_ROUTER_NEARESTCODE_H
