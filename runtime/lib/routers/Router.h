//===- Router.h - the runtime's interface to a router kind ------*- C++ -*-===//
//
// A router kind is one file in this folder: a loader that checks the
// artifact's typed message (artifact.proto, Router's `kind` oneof) and
// returns the kind's Router, which turns a ROUTE step's batch into a
// RouteDecision (k choices and weights per sample). Registry.cpp maps the
// oneof case to the loader. The builder (ProgramBuilder.cpp) checks what
// every kind shares: name, 1 <= k <= choices, a body's arguments.
//
// Thread safety: a Router is immutable after loading; route() may run on
// many threads at once.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_LIB_ROUTERS_ROUTER_H
#define GOE_RUNTIME_LIB_ROUTERS_ROUTER_H

#include "Program.h"
#include "goe/Runtime/Session.h"

#include <functional>
#include <memory>
#include <vector>

namespace goe::runtime::detail {

/// A ROUTE step at run time, as its router sees it.
struct RouteContext {
  int64_t batch = 0;
  const std::vector<const Tensor *> *inputs = nullptr; // the step's inputs
  uint64_t runSeed = 0;
  int step = 0; // the ROUTE's index in Model.steps
  /// Runs the router's body on the step's inputs, on the session's device.
  std::function<Status(std::vector<Tensor> &outputs)> runBody;
};

class Router {
public:
  virtual ~Router() = default;

  /// Load time: a ROUTE step feeds `router` inputs of these per-sample
  /// types. Kinds that read their inputs themselves check them here.
  virtual Status checkRoute(const LoadedRouter &router,
                            const std::vector<TensorSpec> &inputs) const {
    (void)router;
    (void)inputs;
    return okStatus();
  }

  /// Run time: fills `decision` (router, batch, k, choices, weights).
  virtual Status route(const LoadedRouter &router, const RouteContext &context,
                       RouteDecision &decision) const = 0;
};

/// Checks `source`'s kind message and makes its Router; may set
/// `router.body` (a function index) for kinds that run a body. `router`
/// has its name, choices and k; `program` its functions.
using RouterLoader = StatusOr<std::shared_ptr<const Router>> (*)(
    const artifact::Router &source, const Program &program,
    LoadedRouter &router);

StatusOr<std::shared_ptr<const Router>>
loadOracleRouter(const artifact::Router &, const Program &, LoadedRouter &);
StatusOr<std::shared_ptr<const Router>>
loadRandomRouter(const artifact::Router &, const Program &, LoadedRouter &);
StatusOr<std::shared_ptr<const Router>>
loadFixedRouter(const artifact::Router &, const Program &, LoadedRouter &);
StatusOr<std::shared_ptr<const Router>>
loadTopkRouter(const artifact::Router &, const Program &, LoadedRouter &);
StatusOr<std::shared_ptr<const Router>>
loadClusterGateRouter(const artifact::Router &, const Program &,
                      LoadedRouter &);
/// The router of a kind whose body is a gate (topk, cluster_gate): checks
/// the body returns one f32 logit per choice; routes by router/'s topkGate
/// with the router's k. `kind` names it in messages.
StatusOr<std::shared_ptr<const Router>>
loadGateRouter(const artifact::Router &source, const Program &program,
               LoadedRouter &router, const std::string &kind);
StatusOr<std::shared_ptr<const Router>>
loadVqvaeHclustRouter(const artifact::Router &, const Program &,
                      LoadedRouter &);

/// The registry: the loader of `source`'s kind, or an error naming the
/// router and the kinds this runtime knows.
StatusOr<std::shared_ptr<const Router>>
loadRouter(const artifact::Router &source, const Program &program,
           LoadedRouter &router);

/// Sizes `decision` for `batch` samples of `router`'s k choices each.
void prepareDecision(const LoadedRouter &router, int64_t batch,
                     RouteDecision &decision);

} // namespace goe::runtime::detail

#endif // GOE_RUNTIME_LIB_ROUTERS_ROUTER_H
