//===- CudaCodegen.h - the CUDA target: kernels to a CudaCode ---*- C++ -*-===//
//
// The "cuda" target (Target.h). Stages after `specialized`:
//
//   kernels  buildCudaKernelPipeline: kernels in one gpu.module serialized
//            to PTX, host functions of gpu.launch_func (MLIR)
//   ptx      the PTX of every kernel
//
// then ptxas builds the cubin, and each host function becomes a launch
// plan (CudaLaunchPlan.cpp): the artifact's "cuda-<chip>" CodeObject.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_COMPILER_CUDACODEGEN_H
#define GOE_COMPILER_CUDACODEGEN_H

#include "goe/Compiler/Target.h"

#include <string>

namespace goe {

struct CudaCodegenOptions {
  std::string chip = "sm_90";
  /// ptxas to build the cubin with; empty: defaultPtxasPath().
  std::string ptxasPath;
  /// CUDA toolkit root for libdevice; empty: defaultCudaToolkitPath().
  std::string toolkitPath;
};

/// The ptxas goe was configured with (CMake's GOE_PTXAS), else `ptxas` on
/// PATH; empty when there is none. GOE_PTXAS in the environment overrides.
std::string defaultPtxasPath();

/// The CUDA target. Its compile() reports `ptxas -v` (registers, shared
/// memory and spills per kernel) to the report stream it is given. Without
/// ptxas it fails, saying so, unless stopped at `kernels` or `ptx`.
std::shared_ptr<const Target>
createCudaTarget(const CudaCodegenOptions &options = {});

/// Appends one CudaFunction per host function of `lowered` (the output of
/// buildCudaKernelPipeline) to `code`.
mlir::LogicalResult buildCudaLaunchPlans(mlir::ModuleOp lowered,
                                         int64_t blockSize,
                                         artifact::CudaCode &code);

} // namespace goe

#endif // GOE_COMPILER_CUDACODEGEN_H
