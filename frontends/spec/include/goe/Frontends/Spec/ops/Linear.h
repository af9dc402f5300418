//===- Linear.h - linear, flatten, reshape ----------------------*- C++ -*-===//
//
// A fully connected layer and the shape ops that feed it. Defined in
// frontends/spec/lib/ops/Linear.cpp; LibTorch in
// frontends/torch/lib/ops/Linear.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_SPEC_OPS_LINEAR_H
#define GOE_FRONTENDS_SPEC_OPS_LINEAR_H

#include "goe/Frontends/Spec/LayerOp.h"

namespace goe::spec::ops {

extern const LayerOp linearOp, flattenOp, reshapeOp;

/// linear's output features and whether it has a bias (default true).
struct LinearParams {
  int64_t out;
  bool bias;
};
LinearParams linearParams(const Layer &layer);

} // namespace goe::spec::ops

#endif // GOE_FRONTENDS_SPEC_OPS_LINEAR_H
