//===- Fixed.cpp - the fixed router: every sample takes one path ----------===//

#include "routers/Router.h"

#include "goe/Runtime/QuoteText.h"

#include <algorithm>

namespace goe::runtime::detail {
namespace {

class FixedRouter final : public Router {
public:
  explicit FixedRouter(int64_t path) : path(path) {}

  Status route(const LoadedRouter &router, const RouteContext &context,
               RouteDecision &decision) const override {
    prepareDecision(router, context.batch, decision);
    std::fill(decision.choices.begin(), decision.choices.end(), path);
    std::fill(decision.weights.begin(), decision.weights.end(), 1.0f);
    return okStatus();
  }

private:
  int64_t path;
};

} // namespace

StatusOr<std::shared_ptr<const Router>>
loadFixedRouter(const artifact::Router &source, const Program &,
                LoadedRouter &router) {
  if (router.k != 1)
    return invalidArgument("router " + quoteText(source.name()) +
                           ": a fixed router picks one path, k = " +
                           std::to_string(router.k));
  int64_t path = source.fixed().path();
  if (path < 0 || path >= router.choices)
    return invalidArgument("router " + quoteText(source.name()) +
                           ": fixed path " + std::to_string(path) +
                           " is outside [0, " +
                           std::to_string(router.choices) + ")");
  return std::shared_ptr<const Router>(std::make_shared<FixedRouter>(path));
}

} // namespace goe::runtime::detail
