//===- RandomRouting.h - the one random-routing rule -------------*- C++ -*-===//
//
// Random routing (the `random` router kind, an ablation, and goe-train's
// --router random) follows one rule, used by the runtime's random router
// and by goe-train, so that a seed picks the same paths in both:
//
//   Every sample gets k DISTINCT choices, drawn uniformly without
//   replacement from [0, choices), each with weight 1/k. The draw is a pure
//   function of (seed, key): the sample's key (its index in the batch) and
//   the routing's seed, never of the batch size, the other samples or the
//   order in which they are routed.
//
// The draw: a SplitMix64 stream started at mixRandomSeed(seed, key); the
// first k positions of a partial Fisher-Yates shuffle of 0..choices-1,
// position j swapped with j + below(choices - j), where below(n) is the
// high 64 bits of next() * n.
//
// Thread safety: pure functions.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_ROUTER_RANDOMROUTING_H
#define GOE_ROUTER_RANDOMROUTING_H

#include <cstdint>

namespace goe::router {

/// Combines two seeds into one (one SplitMix64 step over a ^ (b * odd)):
/// how a routing's seed is derived from a router's seed, a run's seed and a
/// step, and a sample's stream from the seed and its key.
uint64_t mixRandomSeed(uint64_t a, uint64_t b);

/// The rule for one sample: `paths` [k] receives k distinct choices in
/// [0, choices), `weights` [k] (if not null) 1/k each.
/// Precondition: 1 <= k <= choices.
void randomRoute(uint64_t seed, uint64_t key, int64_t choices, int64_t k,
                 int64_t *paths, float *weights = nullptr);

/// The rule for a batch whose sample b has key b: `paths` [batch, k],
/// `weights` [batch, k] (if not null). What the runtime's random router and
/// goe-train's --router random both call.
void randomRoutes(uint64_t seed, int64_t batch, int64_t choices, int64_t k,
                  int64_t *paths, float *weights = nullptr);

} // namespace goe::router

#endif // GOE_ROUTER_RANDOMROUTING_H
