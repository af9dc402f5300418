//===- Merge.h - add, mul, concat -------------------------------*- C++ -*-===//
//
// The ops that read several inputs. Defined in
// frontends/spec/lib/ops/Merge.cpp; LibTorch in
// frontends/torch/lib/ops/Merge.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_SPEC_OPS_MERGE_H
#define GOE_FRONTENDS_SPEC_OPS_MERGE_H

#include "goe/Frontends/Spec/LayerOp.h"

namespace goe::spec::ops {

extern const LayerOp addOp, mulOp, concatOp;

/// concat's axis, negative from the end (default 0, the channels).
int64_t concatAxis(const Layer &layer);

} // namespace goe::spec::ops

#endif // GOE_FRONTENDS_SPEC_OPS_MERGE_H
