//===- VqvaeHclust.cpp - the latent router: VQ-VAE codes, clustered -------===//
//
// Runs its encoder (a module whose output is a [code_dim, H, W] latent),
// quantises each position to the nearest of `codes` codebook entries and
// sends the flattened code to the path of the nearest cluster centre.
// goe-train learns the codebook (`beta` weighs the commitment loss) and the
// centres (k-means with `kmeans_restarts`); both travel with the weights.
//
//===----------------------------------------------------------------------===//

#include "Routers.h"

namespace goe::routers {
namespace {

std::string checkEncoder(int64_t, const ParamValues &params,
                         llvm::ArrayRef<int64_t> shape, llvm::StringRef body) {
  int64_t codeDim = (int64_t)params.at("code_dim");
  if (shape.size() == 3 && shape[0] == codeDim)
    return "";
  return "has code_dim " + std::to_string(codeDim) + " but its encoder " +
         body.str() + " emits " + printShape(shape) +
         " (want [code_dim, H, W])";
}

/// The codebook [codes, code_dim] and the centres [choices, latent size],
/// the latent being the encoder's output.
std::vector<std::vector<int64_t>> tables(int64_t choices,
                                         const ParamValues &params,
                                         llvm::ArrayRef<int64_t> latent) {
  int64_t latentSize = 1;
  for (int64_t d : latent)
    latentSize *= d; // at most 2^31: the spec bounds every tensor
  return {{(int64_t)params.at("codes"), (int64_t)params.at("code_dim")},
          {choices, latentSize}};
}

} // namespace

const RouterKindInfo &vqvaeHclust() {
  static const RouterKindInfo info{
      RouterKind::VqvaeHclust,
      RouterKindInfo::Float,
      /*bodyKey=*/"encoder",
      /*picksSeveral=*/false,
      {{"codes", KindParam::Size, true},
       {"code_dim", KindParam::Size, true},
       {"beta", KindParam::Float, false, 0.25, 0.0, 1e6},
       {"kmeans_restarts", KindParam::Size, false, 10}},
      /*state=*/"a codebook [codes, code_dim] and cluster centres "
                "[choices, H * W * code_dim], bound with the weights",
      checkEncoder,
      tables};
  return info;
}

} // namespace goe::routers
