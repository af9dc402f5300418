//===- PathReport.h - list a model's routed paths ---------------*- C++ -*-===//

#ifndef GOE_PASSES_PATHREPORT_H
#define GOE_PASSES_PATHREPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace goe {

/// Prints, for the goe.graph in `module`, its shared segments, each routing
/// point (router kind, k of N) and every routed path with its functions and
/// MACs per sample. Runs goe-annotate-macs first if counts are missing.
mlir::LogicalResult printRoutedPaths(mlir::ModuleOp module,
                                     llvm::raw_ostream &os);

} // namespace goe

#endif // GOE_PASSES_PATHREPORT_H
