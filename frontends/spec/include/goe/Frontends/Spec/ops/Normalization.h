//===- Normalization.h - batchnorm, dropout ---------------------*- C++ -*-===//
//
// Defined in frontends/spec/lib/ops/Normalization.cpp; LibTorch in
// frontends/torch/lib/ops/Normalization.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_SPEC_OPS_NORMALIZATION_H
#define GOE_FRONTENDS_SPEC_OPS_NORMALIZATION_H

#include "goe/Frontends/Spec/LayerOp.h"

namespace goe::spec::ops {

extern const LayerOp batchNormOp, dropoutOp;

/// Batch norm's epsilon and running-statistics momentum.
struct BatchNormParams {
  double eps, momentum;
};
/// A batchnorm layer's (defaults 1e-5 and 0.1, PyTorch's).
BatchNormParams batchNormParams(const Layer &layer);

/// dropout's drop probability (default 0.5); identity at inference.
double dropoutP(const Layer &layer);

} // namespace goe::spec::ops

#endif // GOE_FRONTENDS_SPEC_OPS_NORMALIZATION_H
