//===- Pipelines.cpp - the documented pass pipelines ----------------------===//

#include "goe/Passes/Pipelines.h"
#include "goe/Passes/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Conversion/TosaToArith/TosaToArith.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Conversion/TosaToTensor/TosaToTensor.h"
#include "mlir/Dialect/Tosa/Transforms/Passes.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {
/// The largest intermediate buffer put on the stack, per buffer. Threads
/// calling the runtime need their default stacks (8 MiB on Linux): a path
/// of the examples has at most a dozen such buffers.
constexpr unsigned kMaxStackBufferBytes = 128 * 1024;
} // namespace

/// Copies as linalg.copy: they then lower like every other linalg op (loops
/// LLVM vectorises, or a GPU kernel) instead of memref.copy's generic,
/// element-by-element runtime call for strided views.
static LogicalResult copyAsLinalg(OpBuilder &b, Location loc, Value from,
                                  Value to) {
  b.create<linalg::CopyOp>(loc, from, to);
  return success();
}

void goe::addBufferizationToOutParams(OpPassManager &pm,
                                      bool hoistStaticAllocs) {
  bufferization::OneShotBufferizationOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  bufferize.memCpyFn = copyAsLinalg;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsOpts outParams;
  outParams.hoistStaticAllocs = hoistStaticAllocs;
  outParams.memCpyFn = copyAsLinalg;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
}

void goe::buildSpecializationPipeline(OpPassManager &pm) {
  pm.addPass(createSpecializePaths());
  pm.addPass(createAnnotateMacs());
  pm.addPass(createWeightsToArguments());
}

void goe::buildCpuLoweringPipeline(OpPassManager &pm) {
  pm.addPass(createSpecializePaths());
  pm.addPass(createWeightsToArguments());
  buildCpuKernelPipeline(pm);
}

void goe::buildCpuKernelPipeline(OpPassManager &pm) {
  pm.addPass(createExtractKernels());
  pm.addPass(createSampleLoop());
  // Experts that are copies of one module share one compiled body.
  pm.addPass(createShareIdenticalKernels());

  OpPassManager &fn = pm.nest<func::FuncOp>();
  // HWCF convolution weights: the output channel is then contiguous in the
  // weights as in the output, the loop goe-interchange-for-vectorization
  // puts innermost.
  TosaToLinalgNamedOptions named;
  named.preferConv2DKernelLayoutHWCF = true;
  fn.addPass(tosa::createTosaToLinalgNamed(named));
  fn.addPass(tosa::createTosaToLinalg());
  fn.addPass(tosa::createTosaToArith());
  fn.addPass(tosa::createTosaToTensor());
  fn.addPass(createLinalgElementwiseOpFusionPass());
  // Cancels the weight transposes goe-prepack-weights paired up, and
  // simplifies shapes before tiling.
  fn.addPass(createCanonicalizerPass());
  // The transposes left (a detect layer's) are read in place by the
  // elementwise op after them.
  fn.addPass(createFuseTransposes());
  // Convolutions, poolings, matmuls and elementwise ops in register-sized
  // vector tiles; what is left (data movement) goes the loop way below.
  fn.addPass(createTileAndVectorize());
  fn.addPass(createLowerVectorContractions());
  fn.addPass(createCanonicalizerPass());
  // Named ops become generics for the interchange, except the convolutions
  // the C microkernel runs (goe-convs-to-microkernel-calls below).
  fn.addPass(createGeneralizeNamedOps());
  fn.addPass(createInterchangeForVectorization());

  addBufferizationToOutParams(pm, /*hoistStaticAllocs=*/true);
  // A sample's intermediates (tens of kilobytes for the examples' small
  // images) live on the stack: no allocator call, no page faults. Larger
  // ones (YOLO at 320 x 320) stay on the heap.
  // Allocations inside the sample loop are the same every iteration: hoist
  // them first, so that promoted ones are one stack slot per call, not one
  // per sample (which overflowed the stack at batch 100,000).
  pm.addNestedPass<func::FuncOp>(bufferization::createBufferLoopHoistingPass());
  pm.addNestedPass<func::FuncOp>(bufferization::createPromoteBuffersToStackPass(
      /*maxAllocSizeInBytes=*/kMaxStackBufferBytes, /*maxRankOfAllocatedMemRef=*/8));
  bufferization::BufferDeallocationPipelineOptions deallocation;
  bufferization::buildBufferDeallocationPipeline(pm, deallocation);

  pm.addPass(createConvsToMicrokernelCalls());
  // Concats and zero paddings without copies.
  pm.addNestedPass<func::FuncOp>(createWriteIntoSlices());
  // exp, tanh, ... as polynomials that vectorise (not a libm call each).
  pm.addNestedPass<func::FuncOp>(createApproximateMath());

  // n-D vector transfers (a tile's rows) become 1-D loads and stores.
  VectorTransferToSCFOptions transfers;
  transfers.enableFullUnroll();
  transfers.setTargetRank(1);
  pm.addNestedPass<func::FuncOp>(createConvertVectorToSCFPass(transfers));
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // Large per-sample bodies in one function per layer: LLVM compiles them
  // in linear time.
  pm.addPass(createOutlineLoopNests());
  // Strided-metadata expansion emits affine.apply, so affine goes after it.
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void goe::registerGoePipelines() {
  PassPipelineRegistration<>(
      "goe-lower-to-llvm",
      "Lower a goe module's expert functions to the LLVM dialect (CPU)",
      [](OpPassManager &pm) { buildCpuLoweringPipeline(pm); });
}

void goe::registerCodegenDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
}
