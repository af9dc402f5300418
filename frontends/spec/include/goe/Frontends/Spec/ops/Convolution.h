//===- Convolution.h - conv2d, conv (conv + batch norm + act) ---*- C++ -*-===//
//
// Defined in frontends/spec/lib/ops/Convolution.cpp; LibTorch in
// frontends/torch/lib/ops/Convolution.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_SPEC_OPS_CONVOLUTION_H
#define GOE_FRONTENDS_SPEC_OPS_CONVOLUTION_H

#include "goe/Frontends/Spec/ops/Activations.h"
#include "goe/Frontends/Spec/ops/Normalization.h"

namespace goe::spec::ops {

/// conv2d: a plain convolution. conv: YOLO's block, a convolution without
/// bias, then batch norm (`<layer>.bn.`), then an activation.
extern const LayerOp conv2dOp, convOp;

/// The convolution of either op: stride 1, padding kernel / 2 ("same" for
/// odd kernels), groups 1; bias (conv2d only) defaults to true.
struct ConvParams {
  int64_t out, kernel, stride, padding, groups;
  bool bias;
};
ConvParams convParams(const Layer &layer);

/// What conv adds: batch norm with eps 1e-3 and momentum 0.03 (YOLO's),
/// then `act` (default leaky_relu with slope 0.1).
struct ConvBlockParams {
  BatchNormParams norm;
  Activation act;
  double slope;
};
ConvBlockParams convBlockParams(const Layer &layer);

} // namespace goe::spec::ops

#endif // GOE_FRONTENDS_SPEC_OPS_CONVOLUTION_H
