//===- ApproximateMath.cpp - math functions as inline polynomials ---------===//
//
// math.exp, tanh, log, erf, ... lower to LLVM intrinsics, which LLVM turns
// into one libm call per element: a vectorised sigmoid becomes sixteen
// scalar `expf` calls and the shuffles around them. YOLO's detect layers
// take the sigmoid of every output (about a million values an image), so
// that was about 5 % of a batch-1 run. This pass rewrites the f32 math
// functions as MLIR's polynomial approximations (range reduction and a
// minimax polynomial in arith ops), which vectorise with the rest of the
// loop. Their error is a few ulp (the parity tests hold the compiled code to
// 1e-5 relative against LibTorch). Run before the vector and math
// lowerings to LLVM; CPU only (the CUDA pipeline uses libdevice).
//
//===----------------------------------------------------------------------===//

#include "goe/Passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace goe {
#define GEN_PASS_DEF_APPROXIMATEMATH
#include "goe/Passes/Passes.h.inc"
} // namespace goe

using namespace mlir;

namespace {

struct ApproximateMath : public goe::impl::ApproximateMathBase<ApproximateMath> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // enableAvx2 would add an x86vector rsqrt; goe's kernels use none.
    MathPolynomialApproximationOptions options;
    populateMathPolynomialApproximationPatterns(patterns, options);
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
