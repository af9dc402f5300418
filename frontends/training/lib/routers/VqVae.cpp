//===- VqVae.cpp - training the latent router's VQ-VAE --------------------===//

#include "goe/Training/VqVae.h"
#include "goe/Training/Interrupt.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>

namespace goe::train {
namespace {

namespace F = torch::nn::functional;

/// Latent [code_dim, h, w] back to an image [C, H, W] (VqVae.h). For the
/// rotated-MNIST encoder (7 x 7 -> 1 x 28 x 28): a convolution, up to 14,
/// a convolution, up to 28, a convolution to one channel.
struct DecoderImpl : torch::nn::Module {
  DecoderImpl(int64_t codeDim, int64_t latentSide,
              const std::vector<int64_t> &image)
      : channels(image[0]), height(image[1]), width(image[2]) {
    using torch::nn::Conv2dOptions;
    double ratio = double(height) / double(std::max<int64_t>(1, latentSide));
    int64_t ups = std::max<int64_t>(1, std::llround(std::log2(ratio)));
    in = register_module("in", torch::nn::Conv2d(
                                   Conv2dOptions(codeDim, 16, 3).padding(1)));
    for (int64_t i = 0; i + 1 < ups; ++i)
      mids.push_back(register_module(
          "mid" + std::string(i ? std::to_string(i) : ""),
          torch::nn::Conv2d(Conv2dOptions(16, 16, 3).padding(1))));
    out = register_module("out", torch::nn::Conv2d(Conv2dOptions(
                                     16, channels, 3).padding(1)));
  }
  at::Tensor forward(at::Tensor z) {
    auto up = [](const at::Tensor &x, int64_t h, int64_t w) {
      return F::interpolate(x, F::InterpolateFuncOptions()
                                   .size(std::vector<int64_t>{h, w})
                                   .mode(torch::kNearest));
    };
    at::Tensor h = torch::relu(in(z));
    int64_t steps = int64_t(mids.size());
    for (int64_t i = 0; i < steps; ++i) // sizes halve back from the image's
      h = torch::relu(mids[i](up(h, height >> (steps - i), width >> (steps - i))));
    return out(up(h, height, width));
  }
  int64_t channels, height, width;
  torch::nn::Conv2d in{nullptr}, out{nullptr};
  std::vector<torch::nn::Conv2d> mids;
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
  return encodeChannelsLast(model, encoder, images.size(0),
                            [&](const at::Tensor &indices) {
                              return images.index_select(0, indices);
                            });
}

at::Tensor encodeChannelsLast(torchref::Model &model,
                              const std::string &encoder, int64_t count,
                              const ImageSource &images) {
  torch::NoGradGuard noGrad;
  model.train(false);
  std::vector<at::Tensor> parts;
  for (int64_t start = 0; start < count; start += 1000) {
    at::Tensor x =
        images(torch::arange(start, std::min(count, start + 1000), at::kLong));
    parts.push_back(
        model.runInstance(encoder, {x})[0].permute({0, 2, 3, 1}).contiguous());
  }
  return torch::cat(parts, 0).contiguous();
}

runtime::Status trainVqVae(torchref::Model &model, int64_t n,
                           const ImageSource &images,
                           const VqVaeOptions &options, VqVaeResult &result) {
  std::vector<at::Tensor> encoderParameters;
  std::string prefix = options.encoder + ".";
  for (auto &[name, tensor] : model.parameters())
    if (name.rfind(prefix, 0) == 0 && tensor.requires_grad())
      encoderParameters.push_back(tensor);
  if (encoderParameters.empty())
    return runtime::invalidArgument("the encoder '" + options.encoder +
                                    "' has no trainable parameters");
  if (options.imageShape.size() != 3)
    return runtime::invalidArgument(
        "the latent router's VQ-VAE reconstructs an image [C, H, W]; its "
        "input has " + std::to_string(options.imageShape.size()) +
        " dimensions");
  std::vector<int64_t> latentShape =
      model.instanceOutputShapes(options.encoder).at(0);
  Decoder decoder(options.codeDim, latentShape.at(1), options.imageShape);
  at::Generator gen = at::detail::createCPUGenerator(options.seed + 17);
  // The codebook starts at encoder outputs of random training images, so
  // that every code begins where latents are.
  at::Tensor codebook;
  {
    at::Tensor pick = torch::randint(n, {options.codes}, gen, at::kLong);
    at::Tensor z = encodeChannelsLast(model, options.encoder, images(pick));
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

  for (int64_t epoch = 1; epoch <= options.epochs; ++epoch) {
    auto start = std::chrono::steady_clock::now();
    model.train(true);
    at::Tensor perm = torch::randperm(n, gen, at::kLong);
    at::Tensor used = torch::zeros({options.codes}, at::kLong);
    double reconstruction = 0;
    at::Tensor lastLatent;
    for (int64_t b = 0; b * options.batch < n; ++b) {
      if (int signal = interrupted())
        return runtime::failedPrecondition(
            std::string("interrupted by ") + signalName(signal) +
            " while training the latent router's VQ-VAE; nothing written");
      at::Tensor index =
          perm.slice(0, b * options.batch, std::min(n, (b + 1) * options.batch));
      at::Tensor x = images(index);
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
    if (!std::isfinite(reconstruction))
      return runtime::invalidArgument(
          "the latent router's VQ-VAE diverged in epoch " +
          std::to_string(epoch) + " (non-finite reconstruction loss)");
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
