//===- Pipelines.cpp - the documented pass pipelines ----------------------===//

#include "goe/Passes/Pipelines.h"
#include "goe/Passes/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
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

void goe::buildCpuLoweringPipeline(OpPassManager &pm) {
  pm.addPass(createSpecializePaths());
  pm.addPass(createWeightsToArguments());
  pm.addPass(createExtractKernels());

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
  fn.addPass(createLinalgGeneralizeNamedOpsPass());
  fn.addPass(createInterchangeForVectorization());

  bufferization::OneShotBufferizationOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsOpts outParams;
  outParams.hoistStaticAllocs = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
  bufferization::BufferDeallocationPipelineOptions deallocation;
  bufferization::buildBufferDeallocationPipeline(pm, deallocation);

  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // Strided-metadata expansion emits affine.apply, so affine goes after it.
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
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
