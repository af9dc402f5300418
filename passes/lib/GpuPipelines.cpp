//===- GpuPipelines.cpp - expert functions to NVVM kernels ----------------===//
//
// The CUDA counterpart of buildCpuLoweringPipeline (Pipelines.cpp). The
// front half is the same (paths specialised, weights as arguments, TOSA to
// linalg, elementwise fusion, bufferization into caller-owned outputs); the
// back half maps every linalg op to one kernel launch and compiles the
// kernels to PTX. The host side of each function is left as memref IR with
// `gpu.launch_func` ops: goe never compiles it, the artifact builder turns
// it into a launch plan (CudaLaunchPlan.cpp) that the runtime interprets.
//
//===----------------------------------------------------------------------===//

#include "goe/Passes/Passes.h"
#include "goe/Passes/Pipelines.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/TosaToArith/TosaToArith.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Conversion/TosaToTensor/TosaToTensor.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include <cstdlib>

using namespace mlir;

void goe::buildCudaLoweringPipeline(OpPassManager &pm,
                                    const CudaPipelineOptions &options) {
  pm.addPass(createSpecializePaths());
  pm.addPass(createWeightsToArguments());
  buildCudaKernelPipeline(pm, options);
}

void goe::buildCudaKernelPipeline(OpPassManager &pm,
                                  const CudaPipelineOptions &options) {
  // 1. Kernels only, weights as trailing arguments (as for the CPU).
  pm.addPass(createExtractKernels());

  // 2. TOSA to linalg on tensors, elementwise chains fused into one
  //    linalg.generic each (bias + activation, residual adds).
  OpPassManager &fn = pm.nest<func::FuncOp>();
  fn.addPass(tosa::createTosaToLinalgNamed(TosaToLinalgNamedOptions()));
  fn.addPass(tosa::createTosaToLinalg());
  fn.addPass(tosa::createTosaToArith());
  fn.addPass(tosa::createTosaToTensor());
  fn.addPass(createDropBatchBroadcasts());
  fn.addPass(createLinalgElementwiseOpFusionPass());

  // 3. Whole-function bufferization; results become caller-provided
  //    outputs. No deallocation pipeline: temporaries are the runtime's
  //    (the launch plan lists them and frees them after the function).
  addBufferizationToOutParams(pm, /*hoistStaticAllocs=*/false);

  // 4. One parallel loop nest per linalg op (reductions as inner scf.for),
  //    each mapped to one launch over blocks x threads, then outlined into
  //    one gpu.module with PTX-safe kernel names.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  MapLoopsToGpuOptions map;
  map.blockSize = options.blockSize;
  pm.addPass(createMapLoopsToGpu(map));
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createGatherGpuKernels());

  // 5. Kernels to NVVM, PTX for `chip`. libdevice (math functions) comes
  //    from the CUDA toolkit when one is given.
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.ptxFeatures;
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(memref::createExpandStridedMetadataPass());
  kernels.addPass(createLowerAffinePass());
  kernels.addPass(createConvertSCFToCFPass());
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
  if (options.serialize) {
    GpuModuleToBinaryPassOptions binary;
    binary.toolkitPath = options.cudaToolkitPath;
    binary.compilationTarget = "isa"; // PTX; ptxas is run by the back end
    pm.addPass(createGpuModuleToBinaryPass(binary));
  }
}

void goe::registerGoeGpuPipelines() {
  PassPipelineRegistration<>(
      "goe-lower-to-nvvm",
      "Lower a goe module's expert functions to NVVM kernels and PTX for "
      "sm_90, the host side left as gpu.launch_func (CUDA)",
      [](OpPassManager &pm) {
        CudaPipelineOptions options;
        options.cudaToolkitPath = defaultCudaToolkitPath();
        buildCudaLoweringPipeline(pm, options);
      });
}

std::string goe::defaultCudaToolkitPath() {
  if (const char *env = std::getenv("GOE_CUDA_PATH"))
    return env;
#ifdef GOE_CUDA_TOOLKIT
  return GOE_CUDA_TOOLKIT;
#else
  return "";
#endif
}
