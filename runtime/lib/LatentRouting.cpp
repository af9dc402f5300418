//===- LatentRouting.cpp - the vqvae_hclust router in the runtime --------===//
//
// The learned part of the latent router travels in the artifact (Router
// fields codebook and centres); the decision itself is router/'s
// routeLatent, the same function goe-train used on LibTorch's encoder
// output, so a compiled model routes as its trained original did.
//
//===----------------------------------------------------------------------===//

#include "Routing.h"

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

} // namespace

Status loadLatentRouter(const artifact::Router &source, const Program &program,
                        LoadedRouter &router) {
  std::string what = "router '" + router.name + "' (vqvae_hclust)";
  if (router.k != 1)
    return invalidArgument(what + " picks one path, k = " +
                           std::to_string(router.k));
  auto it = program.functionIndex.find(source.body());
  if (source.body().empty() || it == program.functionIndex.end())
    return invalidArgument(what + " needs its encoder as a body function" +
                           (source.body().empty()
                                ? std::string()
                                : ", and '" + source.body() + "' is not one"));
  const LoadedFunction &body = *program.functions[it->second];
  if (body.outputs.size() != 1 || body.outputs[0].dtype != DType::F32 ||
      body.outputs[0].shape.size() != 3)
    return invalidArgument(what + ": encoder '" + body.name +
                           "' must return one f32 [H, W, code_dim] latent");
  const std::vector<int64_t> &latent = body.outputs[0].shape;
  router.body = it->second;
  // A router no ROUTE step uses may come without tables (a spec declares
  // alternatives); checkLatentTables() refuses the one that is used.
  if (!source.has_codebook() && !source.has_centres())
    return okStatus();
  router::LatentRouterTables &tables = router.latent;
  tables.codeDim = latent[2];
  tables.positions = latent[0] * latent[1];
  tables.paths = router.choices;
  tables.codes = source.codebook().shape_size() == 2
                     ? source.codebook().shape(0)
                     : 0;
  if (tables.codes < 1)
    return invalidArgument(what + ": the codebook must be [codes, code_dim]");
  GOE_RETURN_IF_ERROR(readTable(what + ": the codebook", source.codebook(),
                                tables.codes, tables.codeDim,
                                tables.codebook));
  GOE_RETURN_IF_ERROR(readTable(what + ": the centres", source.centres(),
                                tables.paths, tables.positions * tables.codeDim,
                                tables.centres));
  std::string problem = tables.validate();
  if (!problem.empty())
    return invalidArgument(what + ": " + problem);
  return okStatus();
}

Status checkLatentTables(const LoadedRouter &router) {
  if (router.latent.codebook.empty())
    return invalidArgument("router '" + router.name +
                           "' (vqvae_hclust) has no codebook and centres: "
                           "compile weights trained with goe-train --router " +
                           router.name);
  return okStatus();
}

void routeVqvaeHclust(const LoadedRouter &router, const Tensor &latents,
                      RouteDecision &decision) {
  int64_t batch = latents.shape()[0];
  decision.router = router.name;
  decision.batch = batch;
  decision.k = 1;
  decision.choices.assign(static_cast<size_t>(batch), 0);
  decision.weights.assign(static_cast<size_t>(batch), 1.0f);
  const router::LatentRouterTables &tables = router.latent;
  int64_t stride = tables.positions * tables.codeDim;
  std::vector<float> scratch;
  for (int64_t b = 0; b < batch; ++b)
    decision.choices[b] =
        router::routeLatent(tables, latents.f32() + b * stride, scratch);
}

} // namespace goe::runtime::detail
