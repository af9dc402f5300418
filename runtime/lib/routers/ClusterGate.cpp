//===- ClusterGate.cpp - the cluster_gate router: its gate's top 1 --------===//
//
// At run time a cluster_gate is a gate with k = 1: the body returns one
// logit per choice and the largest is the path. What sets it apart is how
// goe-train learned the gate (without labels), not how it routes; the
// loader is the gate kinds' shared one (Topk.cpp).
//
//===----------------------------------------------------------------------===//

#include "routers/Router.h"

#include "goe/Runtime/QuoteText.h"

namespace goe::runtime::detail {

StatusOr<std::shared_ptr<const Router>>
loadClusterGateRouter(const artifact::Router &source, const Program &program,
                      LoadedRouter &router) {
  if (router.k != 1)
    return invalidArgument("router " + quoteText(source.name()) +
                           ": a cluster_gate router picks one choice (k = 1), "
                           "not " + std::to_string(router.k));
  return loadGateRouter(source, program, router, "cluster_gate");
}

} // namespace goe::runtime::detail
