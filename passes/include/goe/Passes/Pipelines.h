//===- Pipelines.h - the documented pass pipelines --------------*- C++ -*-===//

#ifndef GOE_PASSES_PIPELINES_H
#define GOE_PASSES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

#include <string>

namespace goe {

/// Expert functions (TOSA on tensors) to the LLVM dialect for the CPU:
///   1. goe-specialize-paths, goe-weights-to-arguments, goe-extract-kernels:
///      kernels only, weights as trailing arguments, C entry points;
///   2. goe-sample-loop: each kernel a loop over batch-1 bodies;
///      goe-share-identical-kernels: identical bodies (experts copied from
///      one module) compiled once;
///   3. TOSA to linalg/arith/tensor, elementwise fusion, then
///      goe-tile-and-vectorize and goe-lower-vector-contractions;
///   4. one-shot bufferization of whole functions, results turned into
///      caller-provided out-parameters (destination passing: the runtime
///      owns every buffer), loop-invariant buffers hoisted, small ones on
///      the stack, buffer deallocation;
///   5. vector transfers and the rest of linalg to loops;
///      goe-outline-loop-nests: each loop nest of a large body in a function
///      of its own; then
///      vector/scf/cf/memref/arith/math/func to LLVM.
/// Requires a module produced by the spec frontend.
void buildCpuLoweringPipeline(mlir::OpPassManager &pm);

/// The compile library's `specialized` stage (goe/Compiler/Compile.h):
/// goe-specialize-paths, goe-annotate-macs, goe-weights-to-arguments. The
/// graph then names the functions the code objects define, each with its
/// MAC count and its weights as trailing arguments.
void buildSpecializationPipeline(mlir::OpPassManager &pm);

/// Steps 1 (goe-extract-kernels) to 5 of buildCpuLoweringPipeline, for a
/// module already through buildSpecializationPipeline: the CPU target's
/// `kernels` stage.
void buildCpuKernelPipeline(mlir::OpPassManager &pm);

/// Whole-function one-shot bufferization with identity layouts at function
/// boundaries, copies as linalg.copy, results turned into caller-provided
/// out-parameters (destination passing), then canonicalisation. Shared by
/// the CPU and CUDA pipelines.
void addBufferizationToOutParams(mlir::OpPassManager &pm,
                                 bool hoistStaticAllocs);

/// Registers what the pipelines need in a context: the dialects they lower
/// through and their external interfaces (bufferization models, LLVM
/// translation). Tools that compile call this on their registry.
void registerCodegenDialects(mlir::DialectRegistry &registry);

/// Registers the pipelines with goe-opt (`--goe-lower-to-llvm`).
void registerGoePipelines();

//===----------------------------------------------------------------------===//
// CUDA (GpuPipelines.cpp)
//===----------------------------------------------------------------------===//

struct CudaPipelineOptions {
  std::string chip = "sm_90";
  /// PTX ISA the NVPTX back end targets (sm_90 needs 7.8 or later).
  std::string ptxFeatures = "+ptx80";
  /// Threads per block of every kernel.
  int64_t blockSize = 256;
  /// CUDA toolkit root, for libdevice (the math functions); empty: none,
  /// and kernels that call math functions fail in ptxas.
  std::string cudaToolkitPath;
  /// Serialize the kernels to PTX (`gpu.binary`, format isa); without it
  /// the pipeline stops at the NVVM dialect.
  bool serialize = true;
};

/// Expert functions (TOSA on tensors) to NVVM kernels and PTX:
///   1. goe-specialize-paths, goe-weights-to-arguments, goe-extract-kernels;
///   2. TOSA to linalg, elementwise fusion (as for the CPU);
///   3. one-shot bufferization, outputs as out-parameters, copies as
///      linalg.copy, no deallocation (the runtime owns temporaries);
///   4. linalg to parallel loops; goe-map-loops-to-gpu: one launch per
///      loop nest, its parallel space linearised over blocks of
///      `blockSize` threads, reductions sequential per thread;
///      gpu-kernel-outlining; goe-gather-gpu-kernels (one gpu.module
///      `goe_kernels`, PTX-safe names);
///   5. nvvm-attach-target(chip), kernels to NVVM, gpu-module-to-binary
///      (PTX).
/// The host functions stay memref IR with gpu.launch_func: the artifact
/// builder reads them as launch plans. Requires a module produced by the
/// spec frontend.
void buildCudaLoweringPipeline(mlir::OpPassManager &pm,
                               const CudaPipelineOptions &options = {});

/// Steps 1 (goe-extract-kernels) to 5 of buildCudaLoweringPipeline, for a
/// module already through buildSpecializationPipeline: the CUDA target's
/// `kernels` stage.
void buildCudaKernelPipeline(mlir::OpPassManager &pm,
                             const CudaPipelineOptions &options = {});

/// The CUDA toolkit goe was configured with (GOE_CUDA_PATH in the
/// environment overrides it); empty when none was found.
std::string defaultCudaToolkitPath();

/// Registers `--goe-lower-to-nvvm` with goe-opt.
void registerGoeGpuPipelines();

} // namespace goe

#endif // GOE_PASSES_PIPELINES_H
