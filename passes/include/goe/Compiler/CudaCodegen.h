//===- CudaCodegen.h - expert functions to a CUDA code object ---*- C++ -*-===//
//
// buildCudaLoweringPipeline (Pipelines.h) makes PTX kernels and host
// functions of gpu.launch_func; this turns them into the artifact's
// "cuda-<chip>" CodeObject: the PTX, a cubin from ptxas, and one launch
// plan per function (CudaLaunchPlan.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef GOE_COMPILER_CUDACODEGEN_H
#define GOE_COMPILER_CUDACODEGEN_H

#include "goe/Runtime/proto/artifact.pb.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace goe {

struct CudaCodegenOptions {
  std::string chip = "sm_90";
  /// ptxas to build the cubin with; empty: defaultPtxasPath().
  std::string ptxasPath;
  /// CUDA toolkit root for libdevice; empty: defaultCudaToolkitPath().
  std::string toolkitPath;
  /// When set, receives `ptxas -v`'s report (registers, shared memory and
  /// spills per kernel).
  std::string *ptxasReport = nullptr;
};

/// The ptxas goe was configured with (CMake's GOE_PTXAS), else `ptxas` on
/// PATH; empty when there is none. GOE_PTXAS in the environment overrides.
std::string defaultPtxasPath();

/// Lowers a copy-free module (weights bound, batch-norm folded: what
/// buildArtifact compiles) in place and returns its CUDA code object.
/// Errors (no ptxas, ptxas rejecting the PTX, a host function that is not
/// a launch plan) are emitted on `module`.
mlir::FailureOr<artifact::CodeObject>
compileForCuda(mlir::ModuleOp module, const CudaCodegenOptions &options);

/// Lowers `module` in place and returns the PTX of its kernels
/// (goe-compile --emit=ptx).
mlir::FailureOr<std::string> lowerToPtx(mlir::ModuleOp module,
                                        const CudaCodegenOptions &options);

/// Appends one CudaFunction per host function of `lowered` (the output of
/// buildCudaLoweringPipeline) to `object`.
mlir::LogicalResult buildCudaLaunchPlans(mlir::ModuleOp lowered,
                                         int64_t blockSize,
                                         artifact::CodeObject &object);

} // namespace goe

#endif // GOE_COMPILER_CUDACODEGEN_H
