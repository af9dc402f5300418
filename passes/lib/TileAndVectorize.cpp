//===- TileAndVectorize.cpp - register-sized tiles in vector form ---------===//
//
// Convolutions, poolings, matmuls and elementwise ops are tiled so that one
// tile's output fits in a handful of SIMD registers: one sample, one output
// row, up to kMaxRowTile output pixels of that row and up to kMaxLaneTile
// output channels. 2-D windows are tiled to one window row, so each tile is
// a 1-D convolution, which linalg's vectoriser turns into a chain of small
// contractions (one per window column) reading the accumulator once. The
// reduction over window rows and input channels is an scf.for around it;
// hoisting then keeps the accumulator in registers across that loop.
//
// Tile sizes are divisors of the static extents, so every tile is full and
// static and no masking is needed; a dynamic extent (the batch) is tiled by
// one. Ops that are not worth it (weights transposes, data movement) are
// left to the loop lowering.
//
//===----------------------------------------------------------------------===//

#include "goe/Passes/Passes.h"

#include "MicrokernelConvs.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/SubsetOpInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace goe {
#define GEN_PASS_DEF_TILEANDVECTORIZE
#include "goe/Passes/Passes.h.inc"
} // namespace goe

using namespace mlir;

namespace {

/// Output pixels per tile along a row: with up to 32 lanes of channels,
/// 8 pixels keep 8-16 accumulators in the 32 vector registers of AVX-512
/// (16 of AVX2), leaving room for the broadcast inputs and weights.
constexpr int64_t kMaxRowTile = 8;
/// Output channels per tile: two 512-bit registers of f32.
constexpr int64_t kMaxLaneTile = 32;
/// Input channels (or matmul depth) per step of the reduction loop: bounds
/// the size of the vectors the vectoriser makes for inputs and weights.
constexpr int64_t kMaxDepthTile = 16;
/// Elementwise tiles: at most this many elements along the innermost two
/// dimensions.
constexpr int64_t kMaxElementwiseTile = 256;

/// The largest divisor of `extent` that is at most `limit`; 1 for a
/// dynamic extent.
int64_t divisorAtMost(int64_t extent, int64_t limit) {
  if (ShapedType::isDynamic(extent))
    return 1;
  for (int64_t d = std::min(extent, limit); d > 1; --d)
    if (extent % d == 0)
      return d;
  return 1;
}

/// Tile sizes for `op` over its loops, or empty if it stays as it is.
/// Loop orders: conv_2d_nhwc_hwcf (n, oh, ow, f, kh, kw, c);
/// pooling_nhwc_* (n, oh, ow, c, kh, kw); matmul (m, n, k).
SmallVector<int64_t> chooseTileSizes(linalg::LinalgOp op) {
  // goe-convs-to-microkernel-calls runs these whole.
  if (goe::isMicrokernelConv(op))
    return {};
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (isa<linalg::Conv2DNhwcHwcfOp>(op))
    return {1,
            1,
            divisorAtMost(ranges[2], kMaxRowTile),
            divisorAtMost(ranges[3], kMaxLaneTile),
            1,
            ranges[5],
            divisorAtMost(ranges[6], kMaxDepthTile)};
  if (isa<linalg::PoolingNhwcMaxOp, linalg::PoolingNhwcSumOp>(op))
    return {1,
            1,
            divisorAtMost(ranges[2], kMaxRowTile),
            divisorAtMost(ranges[3], kMaxLaneTile),
            1,
            ranges[5]};
  if (isa<linalg::MatmulOp>(op))
    return {1, divisorAtMost(ranges[1], kMaxLaneTile),
            divisorAtMost(ranges[2], kMaxDepthTile)};

  // A microkernel convolution's bias broadcast: folded into the call
  // (goe-convs-to-microkernel-calls) if left whole.
  if (goe::isBiasBroadcast(op) && op->hasOneUse()) {
    auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(*op->getUsers().begin());
    if (conv && goe::isMicrokernelConv(conv) &&
        conv.getDpsInits()[0] == op->getResult(0))
      return {};
  }
  // Elementwise generics (bias broadcasts, activations, additions): one
  // row of the innermost dimensions per tile.
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic || generic.getNumReductionLoops() != 0 ||
      generic.getNumDpsInits() != 1 || ranges.empty() ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isProjectedPermutation(); }) ||
      !generic.getIndexingMapsArray().back().isIdentity())
    return {};
  SmallVector<int64_t> sizes(ranges.size(), 1);
  int64_t last = ranges.back();
  if (ShapedType::isDynamic(last) || last > kMaxElementwiseTile)
    return {};
  sizes.back() = last;
  if (ranges.size() >= 2 && !ShapedType::isDynamic(ranges[ranges.size() - 2]))
    sizes[ranges.size() - 2] =
        divisorAtMost(ranges[ranges.size() - 2], kMaxElementwiseTile / last);
  return sizes;
}

/// Marks the loops over reduction dimensions, where hoisting pays.
constexpr StringLiteral kReductionLoop = "goe.reduction_tile_loop";

/// Tiles `op` by `sizes` (0 = untiled) and marks the reduction loops;
/// returns the innermost loop, or null.
scf::ForOp tile(RewriterBase &rewriter, linalg::LinalgOp op,
                SmallVector<int64_t> sizes) {
  // A tile as large as its extent needs no loop.
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  for (auto [size, range] : llvm::zip(sizes, ranges))
    if (size == range)
      size = 0;
  if (llvm::all_of(sizes, [](int64_t s) { return s == 0; }))
    return nullptr;
  SmallVector<OpFoldResult> tileSizes;
  for (int64_t s : sizes)
    tileSizes.push_back(rewriter.getIndexAttr(s));
  scf::SCFTilingOptions options;
  options.setTileSizes(tileSizes);
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled) || tiled->loops.empty())
    return nullptr;
  rewriter.replaceOp(op, tiled->replacements);
  // One loop per tiled dimension, in dimension order.
  unsigned loop = 0;
  for (auto [size, iterator] : llvm::zip(sizes, iterators)) {
    if (size == 0)
      continue;
    if (iterator == utils::IteratorType::reduction)
      tiled->loops[loop]->setAttr(kReductionLoop, rewriter.getUnitAttr());
    ++loop;
  }
  return dyn_cast<scf::ForOp>(tiled->loops.back().getOperation());
}

struct TileAndVectorize
    : public goe::impl::TileAndVectorizeBase<TileAndVectorize> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);

    SmallVector<std::pair<linalg::LinalgOp, SmallVector<int64_t>>> work;
    fn.walk([&](linalg::LinalgOp op) {
      if (!op.hasPureTensorSemantics())
        return;
      SmallVector<int64_t> sizes = chooseTileSizes(op);
      if (!sizes.empty())
        work.push_back({op, std::move(sizes)});
    });
    SmallVector<scf::ForOp> tileLoops;
    for (auto &[op, sizes] : work)
      if (scf::ForOp loop = tile(rewriter, op, sizes))
        tileLoops.push_back(loop);

    // One window row per tile: 2-D convolutions and poolings become 1-D.
    RewritePatternSet decompose(ctx);
    linalg::populateDecomposeConvolutionPatterns(decompose);
    if (failed(applyPatternsAndFoldGreedily(fn, std::move(decompose))))
      return signalPassFailure();

    // Vectorise what now has static, register-sized shapes: everything
    // linalg inside the tile loops.
    SmallVector<linalg::LinalgOp> tiles;
    for (scf::ForOp loop : tileLoops)
      loop.getBody()->walk([&](linalg::LinalgOp op) {
        if (!op.hasDynamicShape())
          tiles.push_back(op);
      });
    for (linalg::LinalgOp op : tiles) {
      rewriter.setInsertionPoint(op);
      if (failed(linalg::vectorize(rewriter, op)))
        op.emitRemark("left unvectorised");
    }

    // Clean up the vector IR and keep accumulators in registers across
    // the reduction loops around each tile.
    RewritePatternSet cleanup(ctx);
    vector::populateVectorReductionToContractPatterns(cleanup);
    vector::populateVectorTransferPermutationMapLoweringPatterns(cleanup);
    vector::TransferReadOp::getCanonicalizationPatterns(cleanup, ctx);
    vector::TransferWriteOp::getCanonicalizationPatterns(cleanup, ctx);
    tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(cleanup);
    if (failed(applyPatternsAndFoldGreedily(fn, std::move(cleanup))))
      return signalPassFailure();
    // Inner loops first (post-order), so a read/write pair hoisted out of
    // one reduction loop can leave the next one too.
    SmallVector<scf::ForOp> reductionLoops;
    fn.walk([&](scf::ForOp loop) {
      if (loop->hasAttr(kReductionLoop))
        reductionLoops.push_back(loop);
    });
    for (scf::ForOp loop : reductionLoops) {
      loop->removeAttr(kReductionLoop);
      hoistLoopInvariantSubsets(rewriter, loop);
    }
  }
};

} // namespace
