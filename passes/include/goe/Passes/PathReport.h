//===- PathReport.h - list a model's routed paths ---------------*- C++ -*-===//
//
// What every input of a goe.graph runs (shared segments and routers) and
// what each routed path adds, with MACs per sample: as data
// (reportRoutedPaths, for goe.paths in Python) and as the text of
// `goe-compile --emit=paths` (printRoutedPaths).
//
//===----------------------------------------------------------------------===//

#ifndef GOE_PASSES_PATHREPORT_H
#define GOE_PASSES_PATHREPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <vector>

namespace goe {

/// One path of a dispatch: the expert functions it calls, in order, and
/// their MACs per sample.
struct RoutedPath {
  std::vector<std::string> functions;
  int64_t macs = 0;
};

/// One op of the graph's body, in order.
struct PathReportStep {
  enum class Kind { Shared, Router, Dispatch, Combine };
  Kind kind = Kind::Shared;
  /// Shared: the callee; Router: the router's symbol; Dispatch: the router
  /// whose routes it follows; Combine: the combine kind.
  std::string name;
  /// Shared and Router: MACs per sample (a router's include its search).
  int64_t macs = 0;
  /// Router: its kind, body function (may be empty), top-k of `choices`,
  /// and the latent router's nearest-code search MACs. Dispatch: `k` paths
  /// per input.
  std::string routerKind, body;
  int64_t k = 0, choices = 0, searchMacs = 0;
  /// Dispatch: its paths.
  std::vector<RoutedPath> paths;
};

struct PathReport {
  std::string graph;
  std::vector<PathReportStep> steps;
  /// MACs per sample every input runs (shared segments and routers), and at
  /// most on its routed paths (per dispatch, k times its costliest path).
  int64_t everyInputMacs = 0, routedMacs = 0;
};

/// The report for the goe.graph in `module`. Runs goe-annotate-macs first
/// if counts are missing.
mlir::FailureOr<PathReport> reportRoutedPaths(mlir::ModuleOp module);

/// Prints the report as `goe-compile --emit=paths` does.
void printPathReport(const PathReport &report, llvm::raw_ostream &os);

/// reportRoutedPaths, then printPathReport.
mlir::LogicalResult printRoutedPaths(mlir::ModuleOp module,
                                     llvm::raw_ostream &os);

} // namespace goe

#endif // GOE_PASSES_PATHREPORT_H
