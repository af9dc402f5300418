//===- Oracle.cpp - the oracle router: the label is the path --------------===//

#include "routers/Router.h"

#include "goe/Runtime/QuoteText.h"
namespace goe::runtime::detail {
namespace {

class OracleRouter final : public Router {
public:
  Status checkRoute(const LoadedRouter &router,
                    const std::vector<TensorSpec> &inputs) const override {
    const TensorSpec &label = inputs[0];
    if (label.dtype != DType::I64 || *checkedNumel(label.shape) != 1)
      return invalidArgument("oracle router " + quoteText(router.name) +
                             " reads one i64 label per sample, input 0 is " +
                             specToString(label));
    return okStatus();
  }

  Status route(const LoadedRouter &router, const RouteContext &context,
               RouteDecision &decision) const override {
    const Tensor &labels = *(*context.inputs)[0];
    int64_t batch = labels.shape()[0];
    prepareDecision(router, batch, decision);
    const int64_t *label = labels.i64();
    for (int64_t b = 0; b < batch; ++b) {
      if (label[b] < 0 || label[b] >= router.choices)
        return outOfRange("oracle router " + quoteText(router.name) +
                          ": input " + std::to_string(b) + " has label " +
                          std::to_string(label[b]) + ", outside [0, " +
                          std::to_string(router.choices) + ")");
      decision.choices[b] = label[b];
      decision.weights[b] = 1.0f;
    }
    return okStatus();
  }
};

} // namespace

StatusOr<std::shared_ptr<const Router>>
loadOracleRouter(const artifact::Router &source, const Program &,
                 LoadedRouter &router) {
  if (router.k != 1)
    return invalidArgument(
        "router " + quoteText(source.name()) +
        ": an oracle router picks one path, k = " + std::to_string(router.k));
  return std::shared_ptr<const Router>(std::make_shared<OracleRouter>());
}

} // namespace goe::runtime::detail
