//===- Routing.h - per-input routing decisions ------------------*- C++ -*-===//
//
// Router kinds turn a batch into k (choice, weight) pairs per input. The topk
// router's body is compiled code; the session runs it and hands its logits
// here, so this file holds only the decision math.
//
// Thread safety: pure functions.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_LIB_ROUTING_H
#define GOE_RUNTIME_LIB_ROUTING_H

#include "Program.h"
#include "goe/Runtime/Session.h"

namespace goe::runtime::detail {

/// oracle: the i64 label of each input is its path. OutOfRange names the
/// input and the label if it is not in [0, choices).
Status routeOracle(const LoadedRouter &router, const Tensor &labels,
                   RouteDecision &decision);

/// random: k distinct uniform choices per input, weight 1/k each. Input b's
/// choices depend only on (router seed, run seed, step, b).
void routeRandom(const LoadedRouter &router, int64_t batch, uint64_t runSeed,
                 int step, RouteDecision &decision);

/// topk: softmax over each input's logits, the k most probable choices
/// (ties to the lower index), weights renormalised to sum to 1.
Status routeTopk(const LoadedRouter &router, const Tensor &logits,
                 RouteDecision &decision);

/// vqvae_hclust at load time: the body (the encoder, resolved before) must
/// return one f32 [H, W, code_dim] per sample, and the router's codebook
/// and centres, if given, must fit it and `choices`; fills `router.latent`.
Status loadLatentRouter(const artifact::Router &source, const Program &program,
                        LoadedRouter &router);

/// A vqvae_hclust router that a ROUTE step uses must have its tables.
Status checkLatentTables(const LoadedRouter &router);

/// vqvae_hclust: `latents` is the encoder's output [B, H, W, code_dim];
/// nearest code per position, nearest centre per input (router/), weight 1.
void routeVqvaeHclust(const LoadedRouter &router, const Tensor &latents,
                      RouteDecision &decision);

} // namespace goe::runtime::detail

#endif // GOE_RUNTIME_LIB_ROUTING_H
