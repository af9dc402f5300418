//===- Combine.h - merging the k chosen paths' results ----------*- C++ -*-===//
//
// A DISPATCH result stacks the k chosen paths per input, [B, k, D...];
// COMBINE removes that dimension. Shapes were checked at load.
//
// Thread safety: pure functions.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_LIB_COMBINE_H
#define GOE_RUNTIME_LIB_COMBINE_H

#include "Program.h"
#include "goe/Runtime/Session.h"

#include <vector>

namespace goe::runtime::detail {

/// [B, 1, D...] -> [B, D...].
StatusOr<Tensor> combineSelect(const Tensor &stacked);

/// out[b] = sum_j w[b][j] * x[b, j].
StatusOr<Tensor> combineWeightedSum(const Tensor &stacked,
                                    const RouteDecision &routing);

/// out = baseline * imp[:, 0, ..., 0] + scores[:, 0] * imp[:, 0, ..., 1]
/// for baseline [B, S...], scores [B, 1, S...], importance [B, 1, S..., 2].
StatusOr<Tensor> combineImportanceMix(const Tensor &baseline,
                                      const Tensor &scores,
                                      const Tensor &importance);

/// Per input: NMS on each chosen expert's head rows (every level), then WBF
/// across the k experts with the route weights as model weights. Output
/// [B, max_det, 6]: x1 y1 x2 y2 score label in pixels, zero rows after the
/// last box.
StatusOr<Tensor> combineWbf(const std::vector<const Tensor *> &levels,
                            const RouteDecision &routing,
                            const WbfCombineParams &params);

} // namespace goe::runtime::detail

#endif // GOE_RUNTIME_LIB_COMBINE_H
