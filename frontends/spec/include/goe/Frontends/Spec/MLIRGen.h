//===- MLIRGen.h - spec to goe dialect --------------------------*- C++ -*-===//

#ifndef GOE_FRONTENDS_SPEC_MLIRGEN_H
#define GOE_FRONTENDS_SPEC_MLIRGEN_H

#include "goe/Frontends/Spec/ShapeInference.h"
#include "goe/Frontends/Spec/Spec.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace goe::spec {

struct BuildOptions {
  /// Router replacements from `--router`: node name (or "" for the graph's
  /// only router node) to router name.
  std::map<std::string, std::string> routers;
};

/// Builds the goe module for `spec`: one `goe.graph`, its routers, and one
/// function per module instance. Every op carries the YAML location it came
/// from; errors are reported there and give null.
mlir::OwningOpRef<mlir::ModuleOp> buildModule(const Spec &spec,
                                              const BuildOptions &options,
                                              mlir::MLIRContext *context);

/// Registers the dialects the generated module uses.
void registerSpecDialects(mlir::DialectRegistry &registry);

// Layout helpers shared by the generators: a logical per-sample shape
// [C, H, W] is stored channels-last [H, W, C]; other ranks are unchanged.
Shape physicalShape(const Shape &logical);
mlir::RankedTensorType physicalType(const TensorInfo &info,
                                    mlir::MLIRContext *context);
int64_t physicalAxis(int64_t logicalRank, int64_t axis);

/// Emits `func.func @name` for a resolved module instance.
mlir::func::FuncOp emitExpertFunction(mlir::OpBuilder &moduleBuilder,
                                      const Spec &spec,
                                      const ResolvedModule &resolved,
                                      llvm::StringRef name,
                                      mlir::Location loc);

} // namespace goe::spec

#endif // GOE_FRONTENDS_SPEC_MLIRGEN_H
