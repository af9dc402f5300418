//===- Oracle.cpp - training with the oracle router -----------------------===//
//
// The oracle router reads the label input (`group`) and the model routes
// by it (torchref::Model::forward); there is nothing to learn or give.
//
//===----------------------------------------------------------------------===//

#include "goe/Training/RouterTrainer.h"

namespace goe::train {
namespace {

std::unique_ptr<RouterTrainer> create(RouterContext &, runtime::Status &) {
  return std::make_unique<RouterTrainer>();
}

} // namespace

extern const RouterTrainerKind kOracleTrainer = {RouterKind::Oracle, create};

} // namespace goe::train
