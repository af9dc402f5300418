//===- GraphProgram.h - the goe.graph as the artifact's program -*- C++ -*-===//
//
// Private to the compiler back end: what buildArtifact writes into the
// artifact besides weights and code.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_PASSES_LIB_GRAPHPROGRAM_H
#define GOE_PASSES_LIB_GRAPHPROGRAM_H

#include "goe/Dialect/Goe/GoeOps.h"
#include "goe/Runtime/proto/artifact.pb.h"

#include "mlir/IR/BuiltinOps.h"

namespace goe {

/// The steps, inputs and outputs of `graph` over numbered values (graph
/// inputs first), into `model`. Expects the functions it calls to have
/// their weights as arguments (WeightsToArguments).
mlir::LogicalResult buildGraphProgram(GraphOp graph, artifact::Model &model);

/// A Function record per func.func of `annotated` (after SpecializePaths,
/// AnnotateMacs and WeightsToArguments) and a Router record per goe.router.
mlir::LogicalResult describeFunctions(mlir::ModuleOp annotated,
                                      artifact::Model &model);

} // namespace goe

#endif // GOE_PASSES_LIB_GRAPHPROGRAM_H
