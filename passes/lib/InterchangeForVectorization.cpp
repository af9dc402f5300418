//===- InterchangeForVectorization.cpp - contiguous loop innermost --------===//

#include "goe/Passes/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace goe {
#define GEN_PASS_DEF_INTERCHANGEFORVECTORIZATION
#include "goe/Passes/Passes.h.inc"
} // namespace goe

using namespace mlir;

namespace {

/// The new loop order (as old loop indices), or empty when `op` is already
/// in it or has no loop to move.
SmallVector<unsigned> vectorFriendlyOrder(linalg::GenericOp op) {
  if (op.getNumReductionLoops() == 0 || op.getNumDpsInits() != 1)
    return {};
  AffineMap output = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (output.getNumResults() == 0)
    return {};
  auto last = dyn_cast<AffineDimExpr>(output.getResults().back());
  if (!last)
    return {};
  unsigned contiguous = last.getPosition();
  SmallVector<unsigned> parallel, reduction;
  for (auto [index, type] : llvm::enumerate(op.getIteratorTypesArray())) {
    if (index == contiguous)
      continue;
    (linalg::isReductionIterator(type) ? reduction : parallel).push_back(index);
  }
  SmallVector<unsigned> order = parallel;
  order.append(reduction.begin(), reduction.end());
  order.push_back(contiguous);
  for (unsigned i = 0; i < order.size(); ++i)
    if (order[i] != i)
      return order;
  return {};
}

struct InterchangeForVectorization
    : public goe::impl::InterchangeForVectorizationBase<
          InterchangeForVectorization> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) { ops.push_back(op); });
    for (linalg::GenericOp op : ops) {
      SmallVector<unsigned> order = vectorFriendlyOrder(op);
      if (order.empty())
        continue;
      rewriter.setInsertionPoint(op);
      if (failed(linalg::interchangeGenericOp(rewriter, op, order)))
        return signalPassFailure();
    }
  }
};

} // namespace
