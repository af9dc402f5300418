//===- VqVae.h - training the latent router's VQ-VAE ------------*- C++ -*-===//
//
// The first stage of the latent (vqvae_hclust) router: a VQ-VAE trained on
// the training images without labels. Its encoder is the spec's encoder
// instance inside the goe::torchref::Model (so the trained weights are the
// ones goe-compile compiles as the router body); the codebook and a small
// decoder live here and only the codebook survives training.
//
//   z_e = encoder(x)                      [B, code_dim, h, w]
//   z_q = nearest codebook row per position
//   x'  = decoder(z_e + sg(z_q - z_e))    straight-through gradient
//   loss = |x' - x|^2 + |sg(z_e) - z_q|^2 + beta |z_e - sg(z_q)|^2
//
// The decoder is sized from the spec: it maps the encoder's [code_dim, h,
// w] back to the router input's [C, H, W], through log2(H / h) nearest-
// neighbour upsamplings each followed by a 3x3 convolution (16 channels;
// the last gives C). Deliberately small: a strong decoder would
// reconstruct well from latents that say little.
//
// Codes that no position used in an epoch are re-seeded from random encoder
// outputs of the last batch (dead codes otherwise never move).
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_VQVAE_H
#define GOE_TRAINING_VQVAE_H

#include "goe/Frontends/Torch/TorchModel.h"
#include "goe/Runtime/Status.h"

#include <ATen/ATen.h>

#include <functional>

namespace goe::train {

struct VqVaeOptions {
  std::string encoder; // instance name in the model: `<router>.<module>`
  int64_t codes = 0, codeDim = 0;
  double beta = 0.25;
  int64_t epochs = 10, batch = 64;
  double lr = 1e-3;
  uint64_t seed = 0;
  std::vector<int64_t> imageShape; // [C, H, W] the decoder reconstructs
};

struct VqVaeResult {
  at::Tensor codebook; // [codes, code_dim]
  double reconstruction = 0; // mean squared error per pixel, last epoch
  int64_t codesUsed = 0;     // codes chosen by some position, last epoch
};

/// The images of the samples `indices` ([n] i64) of the training split.
using ImageSource = std::function<at::Tensor(const at::Tensor &indices)>;

/// Trains the encoder (in `model`), a codebook and a decoder on the
/// `count` images of `images`, printing one line per epoch.
runtime::Status trainVqVae(torchref::Model &model, int64_t count,
                           const ImageSource &images,
                           const VqVaeOptions &options, VqVaeResult &result);

/// The encoder's output for `images`, channels-last [N, h, w, code_dim]
/// and contiguous: the layout the compiled router body returns.
at::Tensor encodeChannelsLast(torchref::Model &model,
                              const std::string &encoder,
                              const at::Tensor &images);

/// The same for the `count` images of a source, 1,000 at a time.
at::Tensor encodeChannelsLast(torchref::Model &model,
                              const std::string &encoder, int64_t count,
                              const ImageSource &images);

} // namespace goe::train

#endif // GOE_TRAINING_VQVAE_H
