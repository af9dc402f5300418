//===- LatentRouter.h - the latent (VQ-VAE) router's decision ---*- C++ -*-===//
//
// What the vqvae_hclust router does after its encoder has run:
//
//   latent [positions, code_dim]  (the encoder's output, channels-last: the
//                                  code vectors of positions in row-major
//                                  (H, W) order, each contiguous)
//     -> nearest code at every position (NearestCode.h)
//     -> the flattened quantised latent [positions * code_dim]
//     -> nearest cluster centre: its index is the path.
//
// The centres are stored in path order: centres[p] is the k-means centre
// that the hierarchical 2-means tree (ClusterTree.h) put at leaf p. Training
// and the runtime both decide with routeLatent(), on LibTorch's and on the
// compiled encoder's output respectively.
//
// Thread safety: LatentRouterTables is immutable after construction;
// routeLatent only reads it.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_ROUTER_LATENTROUTER_H
#define GOE_ROUTER_LATENTROUTER_H

#include <cstdint>
#include <string>
#include <vector>

namespace goe::router {

struct LatentRouterTables {
  int64_t codes = 0;     // codebook rows
  int64_t codeDim = 0;   // channels of the encoder output
  int64_t positions = 0; // H * W of the encoder output
  int64_t paths = 0;     // cluster centres = router choices
  std::vector<float> codebook; // [codes, codeDim]
  std::vector<float> centres;  // [paths, positions * codeDim], path order

  /// Empty if the sizes are positive and the vectors hold exactly what the
  /// sizes say and every number is finite; otherwise what is wrong.
  std::string validate() const;

  /// Multiply-accumulates per input of the search (the encoder excluded):
  /// positions * codes * codeDim for the nearest codes and paths *
  /// positions * codeDim for the nearest centre.
  int64_t searchMacs() const;
};

/// The path of one input: `latent` is [positions, codeDim]; `scratch` is
/// resized to positions * codeDim and receives the quantised latent.
int64_t routeLatent(const LatentRouterTables &tables, const float *latent,
                    std::vector<float> &scratch);

} // namespace goe::router

#endif // GOE_ROUTER_LATENTROUTER_H
