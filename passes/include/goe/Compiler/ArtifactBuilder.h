//===- ArtifactBuilder.h - a goe module to a runnable artifact --*- C++ -*-===//

#ifndef GOE_COMPILER_ARTIFACTBUILDER_H
#define GOE_COMPILER_ARTIFACTBUILDER_H

#include "goe/Compiler/Target.h"
#include "goe/Compiler/Weights.h"

#include "mlir/IR/BuiltinOps.h"

#include <memory>
#include <vector>

namespace goe {

struct CompileOptions {
  /// The code generators, one code object each, in this order; empty: the
  /// CPU target for the build host (--cpu=native).
  std::vector<std::shared_ptr<const Target>> targets;
  /// When set, targets write their tools' reports here (ptxas -v).
  llvm::raw_ostream *report = nullptr;
};

/// Compiles the goe module built by the spec frontend into an artifact,
/// through the stages of Target.h: `bound` (the weights bound into a copy
/// of `module`, batch norm folded, weights prepacked), `specialized`, then
/// each target's. The artifact holds the graph program (routes, dispatches,
/// combines, shared calls), one Function per expert with its weight order,
/// the routers, the weights and one code object per target. `module` is
/// not modified. When `tap` stops the pipeline, the model returned is
/// incomplete and the tap holds the stage's output.
mlir::FailureOr<artifact::Model> buildArtifact(mlir::ModuleOp module,
                                               const WeightMap &weights,
                                               const CompileOptions &options,
                                               StageTap *tap = nullptr);

} // namespace goe

#endif // GOE_COMPILER_ARTIFACTBUILDER_H
