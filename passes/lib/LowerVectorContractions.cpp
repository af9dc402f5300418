//===- LowerVectorContractions.cpp - contractions to FMA chains -----------===//
//
// The vectoriser expresses a tile of a convolution or matmul as
// vector.contract ops. Upstream's LLVM conversion lowers them to dot
// products by default: horizontal reductions, the slow way on x86. Here
// each contraction becomes outer products, i.e. for every reduction index
// one broadcast of the input and one FMA per accumulator vector of output
// channels, which is how hand-written convolution kernels run. Leading unit
// dimensions (the tile's one sample and one row) are cast away first so
// that the accumulators are 1-D vectors the LLVM backend keeps in registers.
//
//===----------------------------------------------------------------------===//

#include "goe/Passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorTransforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace goe {
#define GEN_PASS_DEF_LOWERVECTORCONTRACTIONS
#include "goe/Passes/Passes.h.inc"
} // namespace goe

using namespace mlir;

namespace {

struct LowerVectorContractions
    : public goe::impl::LowerVectorContractionsBase<LowerVectorContractions> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    MLIRContext *ctx = &getContext();

    RewritePatternSet unitDims(ctx);
    vector::populateCastAwayVectorLeadingOneDimPatterns(unitDims);
    vector::populateVectorTransferDropUnitDimsPatterns(unitDims);
    vector::populateDropUnitDimWithShapeCastPatterns(unitDims);
    vector::populateShapeCastFoldingPatterns(unitDims);
    if (failed(applyPatternsAndFoldGreedily(fn, std::move(unitDims))))
      return signalPassFailure();

    vector::VectorTransformsOptions options;
    options.setVectorTransformsOptions(
        vector::VectorContractLowering::OuterProduct);
    options.setVectorTransposeLowering(vector::VectorTransposeLowering::Shuffle1D);
    RewritePatternSet lowering(ctx);
    vector::populateVectorContractLoweringPatterns(lowering, options);
    vector::populateVectorOuterProductLoweringPatterns(lowering);
    vector::populateVectorTransposeLoweringPatterns(lowering, options);
    vector::populateVectorBroadcastLoweringPatterns(lowering);
    vector::populateVectorShapeCastLoweringPatterns(lowering);
    vector::populateVectorMultiReductionLoweringPatterns(
        lowering, vector::VectorMultiReductionLowering::InnerParallel);
    vector::populateVectorTransferPermutationMapLoweringPatterns(lowering);
    if (failed(applyPatternsAndFoldGreedily(fn, std::move(lowering))))
      return signalPassFailure();
  }
};

} // namespace
