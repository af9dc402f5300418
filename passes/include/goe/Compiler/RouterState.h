//===- RouterState.h - learned router tables in weights and artifacts -*- C++ -*-===//
//
// A vqvae_hclust router has learned state besides its encoder's weights: a
// codebook and the cluster centres in path order (router/LatentRouter.h).
// goe-train writes them into the weights file next to the weights, as
// f32 tensors named
//   <router>.codebook  [codes, code_dim]
//   <router>.centres   [choices, H * W * code_dim]  (the encoder's latent,
//                                                    channels-last)
// and goe-compile copies them into the artifact's Router message (fields
// codebook and centres). They are not ml_program globals: no compiled code
// reads them, the runtime's router does.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_COMPILER_ROUTERSTATE_H
#define GOE_COMPILER_ROUTERSTATE_H

#include "goe/Compiler/Weights.h"

namespace goe {

/// Whether `name` names a table of a vqvae_hclust router of `module`.
bool isRouterStateName(mlir::ModuleOp module, llvm::StringRef name);

/// Adds deterministic random tables for every vqvae_hclust router of
/// `module` (codebook uniform in [-1, 1], each centre a latent of random
/// codes), so that a model compiled with --seed routes to every path.
void addRandomRouterState(mlir::ModuleOp module, uint64_t seed,
                          WeightMap &weights);

/// Copies the tables of every vqvae_hclust router into `model.routers`.
/// A router a ROUTE step uses must have both, shaped as above; otherwise an
/// error names the router and the missing or misshapen table.
mlir::LogicalResult attachRouterState(mlir::ModuleOp module,
                                      const WeightMap &weights,
                                      artifact::Model &model);

} // namespace goe

#endif // GOE_COMPILER_ROUTERSTATE_H
