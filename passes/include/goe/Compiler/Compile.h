//===- Compile.h - a spec or module and its weights to an artifact -*- C++ -*-===//
//
// The one compile call of goe: goe-compile, goe-bench and the parity tests
// use it, so they all compile the same way. The pipeline and its named
// stages are in Target.h; compile() runs all of them, emitStage() stops
// after one and gives its output.
//
//   frontend -> bound -> specialized -> per target: kernels -> llvm | ptx
//
// Errors are MLIR diagnostics (spec file:line:col where the spec is to
// blame) on the context's handler; the calls then return failure.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_COMPILER_COMPILE_H
#define GOE_COMPILER_COMPILE_H

#include "goe/Compiler/ArtifactBuilder.h"
#include "goe/Frontends/Spec/MLIRGen.h"
#include "goe/Frontends/Spec/SpecReader.h"

#include <cstdint>
#include <string>
#include <vector>

namespace goe {

/// Where compile() takes the weights from.
struct WeightSource {
  enum class Kind { Random, File, Given };

  /// Deterministic random weights from `seed` (randomWeights, Weights.h):
  /// tests and benchmarks.
  static WeightSource random(uint64_t seed);
  /// A weights file (.goew) holding exactly the spec's parameters by name
  /// and shape (goe-train's output, goe-compile --weights).
  static WeightSource file(std::string path);
  /// Weights in memory (a LibTorch model's, imported ones), by name.
  static WeightSource given(WeightMap weights);

  Kind kind = Kind::Random;
  uint64_t seed = 0;
  std::string path;
  WeightMap weights;
};

/// Registers every dialect and interface the stages need on `registry`:
/// the spec frontend's and the code generators'.
void registerCompileDialects(mlir::DialectRegistry &registry);

/// The stages every target shares, in pipeline order: frontend, bound,
/// specialized.
const std::vector<StageInfo> &sharedStages();

/// A stage of the pipeline and the registered targets that have it (none
/// for the shared stages).
struct PipelineStage {
  std::string name;
  std::vector<std::string> targets;
};

/// Every stage name --emit may give: the shared stages, then the
/// registered targets' ("kernels": cpu, cuda; "llvm": cpu; "ptx": cuda).
std::vector<PipelineStage> pipelineStages();

/// Stage `frontend`: the goe module of a spec file (read with `vars`
/// overriding its variables) or of a parsed spec. Null on error.
mlir::OwningOpRef<mlir::ModuleOp>
buildFrontend(llvm::StringRef specPath, const spec::VarOverrides &vars,
              const spec::BuildOptions &build, mlir::MLIRContext *context);
mlir::OwningOpRef<mlir::ModuleOp>
buildFrontend(const spec::Spec &spec, const spec::BuildOptions &build,
              mlir::MLIRContext *context);

/// The weights for `module`: random, read from a file (checked against the
/// module's globals) or given. Errors name the file or the weight.
mlir::FailureOr<WeightMap> resolveWeights(mlir::ModuleOp module,
                                          const WeightSource &weights);

/// Module (the frontend stage) + weights + options -> artifact.
mlir::FailureOr<artifact::Model> compile(mlir::ModuleOp module,
                                         const WeightSource &weights,
                                         const CompileOptions &options = {});

/// The same from a parsed spec, or from a spec file.
mlir::FailureOr<artifact::Model> compile(const spec::Spec &spec,
                                         const spec::BuildOptions &build,
                                         const WeightSource &weights,
                                         const CompileOptions &options,
                                         mlir::MLIRContext *context);
mlir::FailureOr<artifact::Model>
compileFile(llvm::StringRef specPath, const spec::VarOverrides &vars,
            const spec::BuildOptions &build, const WeightSource &weights,
            const CompileOptions &options, mlir::MLIRContext *context);

/// The output of stage `stage` (MLIR, LLVM IR or PTX) of the pipeline
/// compile() runs on `module`: exactly what the artifact's code comes from.
/// A target's stage is taken from the one target of `options` that has a
/// stage of that name; none or several is an error saying so.
mlir::FailureOr<std::string> emitStage(mlir::ModuleOp module,
                                       const WeightSource &weights,
                                       const CompileOptions &options,
                                       llvm::StringRef stage);

} // namespace goe

#endif // GOE_COMPILER_COMPILE_H
