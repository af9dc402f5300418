//===- VqvaeHclust.cpp - the latent router in the runtime -----------------===//
//
// The learned part of the latent router travels in the artifact
// (VqvaeHclustRouter's codebook and centres); the decision itself is
// router/'s routeLatent, the same function goe-train used on LibTorch's
// encoder output, so a compiled model routes as its trained original did.
//
//===----------------------------------------------------------------------===//

#include "goe/Runtime/QuoteText.h"
#include "routers/Router.h"

#include "goe/Router/LatentRouter.h"

#include <cstring>

namespace goe::runtime::detail {
namespace {

Status readTable(const std::string &what, const artifact::Tensor &tensor,
                 int64_t rows, int64_t columns, std::vector<float> &out) {
  std::vector<int64_t> shape(tensor.shape().begin(), tensor.shape().end());
  std::vector<int64_t> expected{rows, columns};
  if (tensor.dtype() != artifact::F32 || shape != expected)
    return invalidArgument(what + " is " + shapeToString(shape) +
                           (tensor.dtype() == artifact::F32 ? " f32" : " i64") +
                           ", expected f32 " + shapeToString(expected));
  if (tensor.data().size() != static_cast<size_t>(rows * columns) * 4)
    return invalidArgument(what + " has " +
                           std::to_string(tensor.data().size()) +
                           " bytes of data, " + shapeToString(expected) +
                           " f32 needs " + std::to_string(rows * columns * 4));
  out.resize(static_cast<size_t>(rows * columns));
  std::memcpy(out.data(), tensor.data().data(), tensor.data().size());
  return okStatus();
}

class VqvaeHclustRouter final : public Router {
public:
  explicit VqvaeHclustRouter(router::LatentRouterTables tables)
      : tables(std::move(tables)) {}

  /// A router that a ROUTE step uses must have its tables.
  Status checkRoute(const LoadedRouter &router,
                    const std::vector<TensorSpec> &) const override {
    if (tables.codebook.empty())
      return invalidArgument("router " + quoteText(router.name) +
                             " (vqvae_hclust) has no codebook and centres: "
                             "compile weights trained with goe-train "
                             "--router " +
                             router.name);
    return okStatus();
  }

  /// The body (the encoder) gives [B, H, W, code_dim]: nearest code per
  /// position, nearest centre per input (router/), weight 1.
  Status route(const LoadedRouter &router, const RouteContext &context,
               RouteDecision &decision) const override {
    std::vector<Tensor> latents;
    GOE_RETURN_IF_ERROR(context.runBody(latents));
    int64_t batch = latents[0].shape()[0];
    prepareDecision(router, batch, decision);
    int64_t stride = tables.positions * tables.codeDim;
    std::vector<float> scratch;
    for (int64_t b = 0; b < batch; ++b) {
      decision.choices[b] =
          router::routeLatent(tables, latents[0].f32() + b * stride, scratch);
      decision.weights[b] = 1.0f;
    }
    return okStatus();
  }

private:
  router::LatentRouterTables tables;
};

} // namespace

/// The body (the encoder) must return one f32 [H, W, code_dim] per sample,
/// and the codebook and centres, if given, must fit it and `choices`.
StatusOr<std::shared_ptr<const Router>>
loadVqvaeHclustRouter(const artifact::Router &source, const Program &program,
                      LoadedRouter &router) {
  std::string what = "router " + quoteText(router.name) + " (vqvae_hclust)";
  if (router.k != 1)
    return invalidArgument(what + " picks one path, k = " +
                           std::to_string(router.k));
  auto it = program.functionIndex.find(source.body());
  if (source.body().empty() || it == program.functionIndex.end())
    return invalidArgument(
        what + " needs its encoder as a body function" +
        (source.body().empty()
             ? std::string()
             : ", and " + quoteText(source.body()) + " is not one"));
  const LoadedFunction &body = *program.functions[it->second];
  if (body.outputs.size() != 1 || body.outputs[0].dtype != DType::F32 ||
      body.outputs[0].shape.size() != 3)
    return invalidArgument(what + ": encoder " + quoteText(body.name) +
                           " must return one f32 [H, W, code_dim] latent");
  const std::vector<int64_t> &latent = body.outputs[0].shape;
  router.body = it->second;
  // A router no ROUTE step uses may come without tables (a spec declares
  // alternatives); checkRoute() refuses the one that is used.
  const artifact::VqvaeHclustRouter &state = source.vqvae_hclust();
  router::LatentRouterTables tables;
  if (!state.has_codebook() && !state.has_centres())
    return std::shared_ptr<const Router>(
        std::make_shared<VqvaeHclustRouter>(std::move(tables)));
  tables.codeDim = latent[2];
  tables.positions = latent[0] * latent[1];
  tables.paths = router.choices;
  tables.codes =
      state.codebook().shape_size() == 2 ? state.codebook().shape(0) : 0;
  if (tables.codes < 1)
    return invalidArgument(what + ": the codebook must be [codes, code_dim]");
  GOE_RETURN_IF_ERROR(readTable(what + ": the codebook", state.codebook(),
                                tables.codes, tables.codeDim,
                                tables.codebook));
  GOE_RETURN_IF_ERROR(readTable(what + ": the centres", state.centres(),
                                tables.paths, tables.positions * tables.codeDim,
                                tables.centres));
  std::string problem = tables.validate();
  if (!problem.empty())
    return invalidArgument(what + ": " + problem);
  return std::shared_ptr<const Router>(
      std::make_shared<VqvaeHclustRouter>(std::move(tables)));
}

} // namespace goe::runtime::detail
