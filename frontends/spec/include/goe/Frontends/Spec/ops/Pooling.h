//===- Pooling.h - maxpool, avgpool, global_avgpool, upsample ---*- C++ -*-===//
//
// Spatial resampling. Defined in frontends/spec/lib/ops/Pooling.cpp;
// LibTorch in frontends/torch/lib/ops/Pooling.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_SPEC_OPS_POOLING_H
#define GOE_FRONTENDS_SPEC_OPS_POOLING_H

#include "goe/Frontends/Spec/LayerOp.h"

namespace goe::spec::ops {

extern const LayerOp maxPoolOp, avgPoolOp, globalAvgPoolOp, upsampleOp;

/// maxpool's and avgpool's window: stride defaults to the kernel, padding
/// to 0.
struct PoolParams {
  int64_t kernel, stride, padding;
};
PoolParams poolParams(const Layer &layer);

/// upsample's integer scale (default 2).
int64_t upsampleScale(const Layer &layer);

} // namespace goe::spec::ops

#endif // GOE_FRONTENDS_SPEC_OPS_POOLING_H
