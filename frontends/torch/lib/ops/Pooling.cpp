//===- Pooling.cpp - maxpool, avgpool, global_avgpool, upsample -----------===//
//
// Pairs frontends/spec/lib/ops/Pooling.cpp.
//
//===----------------------------------------------------------------------===//

#include "TorchOp.h"

#include "goe/Frontends/Spec/ops/Pooling.h"

using namespace goe::spec;
using namespace goe::spec::ops;

namespace goe::torchref::detail {
namespace {

// Floor windows (ceil_mode false); max pads with -inf, avg averages the
// real elements only (count_include_pad false), as docs/spec.md says.

at::Tensor maxPoolForward(const LayerShapes &layer, const LayerWeights &,
                          const std::vector<at::Tensor> &inputs, bool) {
  PoolParams p = poolParams(layer.layer);
  return at::max_pool2d(inputs[0], {p.kernel, p.kernel}, {p.stride, p.stride},
                        {p.padding, p.padding});
}

at::Tensor avgPoolForward(const LayerShapes &layer, const LayerWeights &,
                          const std::vector<at::Tensor> &inputs, bool) {
  PoolParams p = poolParams(layer.layer);
  return at::avg_pool2d(inputs[0], {p.kernel, p.kernel}, {p.stride, p.stride},
                        {p.padding, p.padding}, /*ceil_mode=*/false,
                        /*count_include_pad=*/false);
}

at::Tensor globalAvgPoolForward(const LayerShapes &, const LayerWeights &,
                                const std::vector<at::Tensor> &inputs, bool) {
  return inputs[0].mean({2, 3}, /*keepdim=*/true);
}

/// Nearest neighbour with an integer scale: each pixel repeated s x s.
at::Tensor upsampleForward(const LayerShapes &layer, const LayerWeights &,
                           const std::vector<at::Tensor> &inputs, bool) {
  int64_t scale = upsampleScale(layer.layer);
  return inputs[0].repeat_interleave(scale, 2).repeat_interleave(scale, 3);
}

const TorchOp kMaxPool{maxPoolOp, nullptr, maxPoolForward};
const TorchOp kAvgPool{avgPoolOp, nullptr, avgPoolForward};
const TorchOp kGlobalAvgPool{globalAvgPoolOp, nullptr, globalAvgPoolForward};
const TorchOp kUpsample{upsampleOp, nullptr, upsampleForward};

} // namespace

std::vector<const TorchOp *> poolingTorchOps() {
  return {&kMaxPool, &kAvgPool, &kGlobalAvgPool, &kUpsample};
}

} // namespace goe::torchref::detail
