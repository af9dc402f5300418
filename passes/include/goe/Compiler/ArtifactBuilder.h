//===- ArtifactBuilder.h - a goe module to a runnable artifact --*- C++ -*-===//

#ifndef GOE_COMPILER_ARTIFACTBUILDER_H
#define GOE_COMPILER_ARTIFACTBUILDER_H

#include "goe/Compiler/CudaCodegen.h"
#include "goe/Compiler/Weights.h"

#include "mlir/IR/BuiltinOps.h"

namespace goe {

struct CompileOptions {
  bool cpu = true; // emit CPU code
  bool cuda = false; // emit a CUDA code object (CudaCodegen.h)
  CudaCodegenOptions cudaOptions;
};

/// Compiles the goe module built by the spec frontend into an artifact:
/// the graph program (routes, dispatches, combines, shared calls), one
/// Function per expert with its weight order, the routers, the weights and
/// the CPU code object. `module` is not modified.
mlir::FailureOr<artifact::Model> buildArtifact(mlir::ModuleOp module,
                                               const WeightMap &weights,
                                               const CompileOptions &options);

} // namespace goe

#endif // GOE_COMPILER_ARTIFACTBUILDER_H
