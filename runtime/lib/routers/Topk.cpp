//===- Topk.cpp - the topk router: a learned gate's k best ----------------===//
//
// The body (compiled code) returns one logit per choice; the gate math is
// router/GateStatistics.h's topkGate, shared with goe-train's reports. The
// cluster_gate kind routes the same way with k = 1 (ClusterGate.cpp).
//
//===----------------------------------------------------------------------===//

#include "routers/Router.h"

#include "goe/Router/GateStatistics.h"
#include "goe/Runtime/QuoteText.h"

namespace goe::runtime::detail {
namespace {

class GateRouter final : public Router {
public:
  explicit GateRouter(std::string kind) : kind(std::move(kind)) {}

  Status route(const LoadedRouter &router, const RouteContext &context,
               RouteDecision &decision) const override {
    std::vector<Tensor> logits;
    GOE_RETURN_IF_ERROR(context.runBody(logits));
    int64_t batch = logits[0].shape()[0];
    int64_t n = router.choices;
    prepareDecision(router, batch, decision);
    std::vector<double> prob(static_cast<size_t>(n));
    for (int64_t b = 0; b < batch; ++b) {
      const float *row = logits[0].f32() + b * n;
      int64_t bad = 0;
      if (!router::topkGate(row, n, router.k, prob.data(),
                            decision.choices.data() + b * router.k,
                            decision.weights.data() + b * router.k, &bad))
        return outOfRange(kind + " router " + quoteText(router.name) + ": logit " +
                          std::to_string(bad) + " of input " +
                          std::to_string(b) + " is " +
                          std::to_string(row[bad]));
    }
    return okStatus();
  }

private:
  std::string kind;
};

} // namespace

StatusOr<std::shared_ptr<const Router>>
loadGateRouter(const artifact::Router &source, const Program &program,
               LoadedRouter &router, const std::string &kind) {
  std::string what = "router " + quoteText(source.name());
  if (source.body().empty())
    return invalidArgument(what + ": a " + kind +
                           " router needs a body function");
  auto it = program.functionIndex.find(source.body());
  if (it == program.functionIndex.end())
    return invalidArgument(what + " has unknown body function " +
                           quoteText(source.body()));
  const LoadedFunction &body = *program.functions[it->second];
  if (body.outputs.size() != 1 || body.outputs[0].dtype != DType::F32 ||
      *checkedNumel(body.outputs[0].shape) != router.choices)
    return invalidArgument(
        what + ": body " + quoteText(body.name) +
        " must return one f32 logit per choice (" +
        std::to_string(router.choices) + "), it returns " +
        (body.outputs.size() == 1
             ? specToString(body.outputs[0])
             : std::to_string(body.outputs.size()) + " outputs"));
  router.body = it->second;
  return std::shared_ptr<const Router>(std::make_shared<GateRouter>(kind));
}

StatusOr<std::shared_ptr<const Router>>
loadTopkRouter(const artifact::Router &source, const Program &program,
               LoadedRouter &router) {
  return loadGateRouter(source, program, router, "topk");
}

} // namespace goe::runtime::detail
