//===- Fixed.cpp - training through one path ------------------------------===//
//
// A fixed router sends every input to its path; the model computes that
// itself (TorchModel's computeRoute), so there is nothing to route or
// learn here: the base trainer as is.
//
//===----------------------------------------------------------------------===//

#include "goe/Training/RouterTrainer.h"

namespace goe::train {
namespace {

std::unique_ptr<RouterTrainer> create(RouterContext &, runtime::Status &) {
  return std::make_unique<RouterTrainer>();
}

} // namespace

extern const RouterTrainerKind kFixedTrainer = {RouterKind::Fixed, create};

} // namespace goe::train
