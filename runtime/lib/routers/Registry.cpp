//===- Registry.cpp - router kinds by their artifact message --------------===//
//
// Adding a router kind: its message in artifact.proto's Router oneof, its
// file in this folder, its line in kRouterKinds.
//
//===----------------------------------------------------------------------===//

#include "routers/Router.h"

#include "goe/Runtime/QuoteText.h"
namespace goe::runtime::detail {
namespace {

struct RouterKindEntry {
  artifact::Router::KindCase kind;
  const char *name; // as in artifact.proto, for messages
  RouterLoader load;
};

const RouterKindEntry kRouterKinds[] = {
    {artifact::Router::kOracle, "oracle", loadOracleRouter},
    {artifact::Router::kRandom, "random", loadRandomRouter},
    {artifact::Router::kTopk, "topk", loadTopkRouter},
    {artifact::Router::kVqvaeHclust, "vqvae_hclust", loadVqvaeHclustRouter},
    {artifact::Router::kClusterGate, "cluster_gate", loadClusterGateRouter},
    {artifact::Router::kFixed, "fixed", loadFixedRouter},
};

} // namespace

StatusOr<std::shared_ptr<const Router>>
loadRouter(const artifact::Router &source, const Program &program,
           LoadedRouter &router) {
  std::string known;
  for (const RouterKindEntry &entry : kRouterKinds) {
    if (entry.kind == source.kind_case())
      return entry.load(source, program, router);
    known += std::string(known.empty() ? "" : ", ") + entry.name;
  }
  return invalidArgument("router " + quoteText(source.name()) +
                         " has no kind this runtime knows (" + known +
                         "): recompile the model with this release's "
                         "goe-compile");
}

void prepareDecision(const LoadedRouter &router, int64_t batch,
                     RouteDecision &decision) {
  decision.router = router.name;
  decision.batch = batch;
  decision.k = router.k;
  decision.choices.assign(static_cast<size_t>(batch * router.k), 0);
  decision.weights.assign(static_cast<size_t>(batch * router.k), 0.0f);
}

} // namespace goe::runtime::detail
