//===- FuseTransposes.cpp - transposes read in place by their consumer ----===//
//
// tosa-to-linalg turns tosa.transpose into the named linalg.transpose, which
// linalg's elementwise fusion leaves alone: the transpose then runs as a
// pass of its own, writing a permuted copy that the next op reads once.
// YOLO's detect layers transpose [H, W, 3, nc+5] to [3, H, W, nc+5] before
// their sigmoid and box decode, a full extra pass over each level's output.
// This pass turns each such transpose, read by an elementwise generic, into
// a generic and fuses it into that consumer, which then reads the
// untransposed tensor through the permuted indexing map.
//
// The canonicalizer that cancels the weight transposes goe-prepack-weights
// pairs up runs before this pass, so those are gone; a transpose whose
// consumer cannot take it in stays named. A permutation that moves the
// innermost dimension makes the consumer's reads strided, as the
// transpose's own reads were: the write and re-read of the copy are saved
// either way.
//
//===----------------------------------------------------------------------===//

#include "goe/Passes/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace goe {
#define GEN_PASS_DEF_FUSETRANSPOSES
#include "goe/Passes/Passes.h.inc"
} // namespace goe

using namespace mlir;

namespace {

/// The operand of an elementwise generic that is `transpose`'s only use
/// and that linalg's fusion can take (the checks areElementwiseOpsFusable
/// makes of a generic producer: the operand indexed by every loop of the
/// transpose, read as an input), or null.
OpOperand *elementwiseConsumer(linalg::TransposeOp transpose) {
  if (!transpose.hasPureTensorSemantics() || !transpose->hasOneUse())
    return nullptr;
  OpOperand &use = *transpose->getResult(0).use_begin();
  auto consumer = dyn_cast<linalg::GenericOp>(use.getOwner());
  if (!consumer || !consumer.hasPureTensorSemantics() ||
      !consumer.isDpsInput(&use) ||
      consumer.getNumParallelLoops() != consumer.getNumLoops() ||
      consumer.getMatchingIndexingMap(&use).getNumResults() !=
          transpose.getNumLoops())
    return nullptr;
  return &use;
}

struct FuseTransposes : public goe::impl::FuseTransposesBase<FuseTransposes> {
  void runOnOperation() override {
    SmallVector<linalg::TransposeOp> transposes;
    getOperation().walk([&](linalg::TransposeOp op) {
      if (elementwiseConsumer(op))
        transposes.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::TransposeOp transpose : transposes) {
      OpOperand *use = elementwiseConsumer(transpose);
      if (!use)
        continue;
      unsigned operandNumber = use->getOperandNumber();
      Operation *consumer = use->getOwner();
      // What a failed fusion needs to put the transpose back.
      Value input = transpose.getInput(), init = transpose.getInit();
      SmallVector<int64_t> permutation(transpose.getPermutation());
      rewriter.setInsertionPoint(transpose);
      FailureOr<linalg::GenericOp> generic =
          linalg::generalizeNamedOp(rewriter, transpose);
      if (failed(generic))
        continue;
      OpOperand *fused = &consumer->getOpOperand(operandNumber);
      rewriter.setInsertionPoint(consumer);
      FailureOr<linalg::ElementwiseOpFusionResult> result = failure();
      if (linalg::areElementwiseOpsFusable(fused))
        result = linalg::fuseElementwiseOps(rewriter, fused);
      if (failed(result)) {
        // Not expected after elementwiseConsumer's checks; the transpose
        // goes back to its named form, which the later passes expect.
        rewriter.setInsertionPoint(*generic);
        rewriter.replaceOpWithNewOp<linalg::TransposeOp>(*generic, input, init,
                                                         permutation);
        continue;
      }
      for (auto [original, replacement] : result->replacements)
        rewriter.replaceAllUsesExcept(original, replacement,
                                      result->fusedOp);
      rewriter.eraseOp(consumer);
      if (generic->use_empty())
        rewriter.eraseOp(*generic);
    }
  }
};

} // namespace
