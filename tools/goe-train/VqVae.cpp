//===- VqVae.cpp - training the latent router's VQ-VAE --------------------===//

#include "VqVae.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>

namespace goe::train {
namespace {

namespace F = torch::nn::functional;

/// Latent [code_dim, H, W] back to a [1, 28, 28] image: two nearest-neighbour
/// upsamplings (to 14 and 28) with 3x3 convolutions. Deliberately small: a
/// strong decoder would reconstruct well from latents that say little.
struct DecoderImpl : torch::nn::Module {
  explicit DecoderImpl(int64_t codeDim) {
    using torch::nn::Conv2dOptions;
    in = register_module("in", torch::nn::Conv2d(
                                   Conv2dOptions(codeDim, 16, 3).padding(1)));
    mid = register_module(
        "mid", torch::nn::Conv2d(Conv2dOptions(16, 16, 3).padding(1)));
    out = register_module(
        "out", torch::nn::Conv2d(Conv2dOptions(16, 1, 3).padding(1)));
  }
  at::Tensor forward(at::Tensor z) {
    auto up = [](const at::Tensor &x, int64_t side) {
      return F::interpolate(x, F::InterpolateFuncOptions()
                                   .size(std::vector<int64_t>{side, side})
                                   .mode(torch::kNearest));
    };
    at::Tensor h = torch::relu(in(z));
    h = torch::relu(mid(up(h, 14)));
    return out(up(h, 28));
  }
  torch::nn::Conv2d in{nullptr}, mid{nullptr}, out{nullptr};
};
TORCH_MODULE(Decoder);

/// Nearest code per position of z [B, C, H, W]: indices [B*H*W].
at::Tensor nearestCodes(const at::Tensor &z, const at::Tensor &codebook) {
  at::Tensor flat = z.permute({0, 2, 3, 1}).reshape({-1, z.size(1)});
  at::Tensor distances = flat.pow(2).sum(1, true) -
                         2 * flat.matmul(codebook.t()) +
                         codebook.pow(2).sum(1).unsqueeze(0);
  return distances.argmin(1);
}

} // namespace

at::Tensor encodeChannelsLast(torchref::Model &model,
                              const std::string &encoder,
                              const at::Tensor &images) {
  torch::NoGradGuard noGrad;
  model.train(false);
  std::vector<at::Tensor> parts;
  for (int64_t start = 0; start < images.size(0); start += 1000) {
    at::Tensor x = images.slice(0, start, std::min(images.size(0), start + 1000));
    parts.push_back(
        model.runInstance(encoder, {x})[0].permute({0, 2, 3, 1}).contiguous());
  }
  return torch::cat(parts, 0).contiguous();
}

runtime::Status trainVqVae(torchref::Model &model, const at::Tensor &images,
                           const VqVaeOptions &options, VqVaeResult &result) {
  std::vector<at::Tensor> encoderParameters;
  std::string prefix = options.encoder + ".";
  for (auto &[name, tensor] : model.parameters())
    if (name.rfind(prefix, 0) == 0 && tensor.requires_grad())
      encoderParameters.push_back(tensor);
  if (encoderParameters.empty())
    return runtime::invalidArgument("the encoder '" + options.encoder +
                                    "' has no trainable parameters");
  Decoder decoder(options.codeDim);
  at::Generator gen = at::detail::createCPUGenerator(options.seed + 17);
  // The codebook starts at encoder outputs of random training images, so
  // that every code begins where latents are.
  at::Tensor codebook;
  {
    at::Tensor pick = torch::randint(images.size(0), {options.codes}, gen,
                                     at::kLong);
    at::Tensor z = encodeChannelsLast(model, options.encoder,
                                      images.index_select(0, pick));
    at::Tensor flat = z.reshape({-1, options.codeDim});
    at::Tensor rows = torch::randint(flat.size(0), {options.codes}, gen,
                                     at::kLong);
    codebook = flat.index_select(0, rows).clone().set_requires_grad(true);
  }
  std::vector<at::Tensor> all = encoderParameters;
  for (const at::Tensor &p : decoder->parameters())
    all.push_back(p);
  all.push_back(codebook);
  torch::optim::Adam adam(all, torch::optim::AdamOptions(options.lr));

  int64_t n = images.size(0);
  for (int64_t epoch = 1; epoch <= options.epochs; ++epoch) {
    auto start = std::chrono::steady_clock::now();
    model.train(true);
    at::Tensor perm = torch::randperm(n, gen, at::kLong);
    at::Tensor used = torch::zeros({options.codes}, at::kLong);
    double reconstruction = 0;
    at::Tensor lastLatent;
    for (int64_t b = 0; b * options.batch < n; ++b) {
      at::Tensor index =
          perm.slice(0, b * options.batch, std::min(n, (b + 1) * options.batch));
      at::Tensor x = images.index_select(0, index);
      at::Tensor z = model.runInstance(options.encoder, {x})[0];
      at::Tensor codes = nearestCodes(z.detach(), codebook.detach());
      at::Tensor zq = codebook.index_select(0, codes)
                          .view({z.size(0), z.size(2), z.size(3), z.size(1)})
                          .permute({0, 3, 1, 2});
      at::Tensor straight = z + (zq - z).detach();
      at::Tensor recon = F::mse_loss(decoder(straight), x);
      at::Tensor loss = recon + F::mse_loss(zq, z.detach()) +
                        options.beta * F::mse_loss(z, zq.detach());
      adam.zero_grad();
      loss.backward();
      adam.step();
      reconstruction += recon.item<double>() * (double)index.size(0);
      used.index_add_(0, codes, torch::ones_like(codes));
      lastLatent = z.detach().permute({0, 2, 3, 1}).reshape({-1, options.codeDim});
    }
    // Dead codes restart at encoder outputs of the last batch.
    at::Tensor dead = used.eq(0).nonzero().view(-1);
    if (dead.numel() > 0 && epoch < options.epochs) {
      torch::NoGradGuard noGrad;
      at::Tensor rows = torch::randint(lastLatent.size(0), {dead.numel()}, gen,
                                       at::kLong);
      codebook.index_copy_(0, dead, lastLatent.index_select(0, rows));
    }
    result.reconstruction = reconstruction / (double)n;
    result.codesUsed = used.gt(0).sum().item<int64_t>();
    double seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count();
    std::printf("vq-vae epoch %" PRId64 "/%" PRId64 ": reconstruction %.4f, "
                "%" PRId64 "/%" PRId64 " codes used (%.0f img/s)\n",
                epoch, options.epochs, result.reconstruction, result.codesUsed,
                options.codes, seconds > 0 ? (double)n / seconds : 0.0);
    std::fflush(stdout);
  }
  model.train(false);
  result.codebook = codebook.detach().clone().contiguous();
  return runtime::okStatus();
}

} // namespace goe::train
