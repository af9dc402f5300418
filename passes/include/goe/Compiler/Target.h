//===- Target.h - code generators and the stages they run -------*- C++ -*-===//
//
// The compile library (Compile.h) runs one pipeline of named stages. Three
// are shared by every target:
//
//   frontend     the goe module as the spec frontend makes it
//   bound        weights bound into the globals, batch norm folded into
//                the convolutions, weights prepacked into kernel layouts
//   specialized  one function per routed path, MAC counts, weights as
//                trailing arguments: what the artifact's Functions describe
//
// Each target then lowers a copy of `specialized` through its own stages
// into one code object of the artifact (CPU: kernels -> llvm -> shared
// library; CUDA: kernels -> ptx -> cubin and launch plans). A StageTap
// stops the pipeline after any stage and keeps its output, so
// `goe-compile --emit=<stage>` shows exactly the code that ships.
//
// Adding a target: docs/architecture.md, "Adding a target".
//
//===----------------------------------------------------------------------===//

#ifndef GOE_COMPILER_TARGET_H
#define GOE_COMPILER_TARGET_H

#include "goe/Runtime/proto/artifact.pb.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace goe {

/// A named stage, for listings (goe-compile --help).
struct StageInfo {
  std::string name;
  std::string description;
};

/// Watches the stages of a pipeline as they complete. Asked to stop after
/// stage `stopAfter`, it keeps that stage's output as text (MLIR, LLVM IR,
/// PTX) and tells the pipeline to stop there.
class StageTap {
public:
  explicit StageTap(std::string stopAfter) : stopAfter_(std::move(stopAfter)) {}

  /// Called by a pipeline after each stage; true: stop now. Only the
  /// stage stopped at is printed: `print` writes its text (LLVM IR, PTX);
  /// MLIR stages print with the command line's flags
  /// (--mlir-print-debuginfo).
  bool reached(llvm::StringRef stage,
               llvm::function_ref<void(llvm::raw_ostream &)> print);
  bool reached(llvm::StringRef stage, mlir::ModuleOp module);

  llvm::StringRef stopAfter() const { return stopAfter_; }
  /// Whether the pipeline stopped here, and the stage's output.
  bool stopped() const { return stopped_; }
  const std::string &output() const { return output_; }

private:
  std::string stopAfter_;
  bool stopped_ = false;
  std::string output_;
};

/// A code generator: from the `specialized` stage to one code object.
class Target {
public:
  virtual ~Target();

  /// The name --target takes: "cpu", "cuda".
  virtual llvm::StringRef name() const = 0;

  /// This target's stages after `specialized`, in pipeline order.
  virtual std::vector<StageInfo> stages() const = 0;

  /// One line for `goe-compile --emit=paths`: what the code is compiled
  /// for and what it needs of the machine.
  virtual std::string describe() const = 0;

  /// Lowers `module` (a copy of the `specialized` stage, changed in place)
  /// through this target's stages into `code`. When `tap` stops the
  /// pipeline at one of them, returns success with `code` incomplete.
  /// `report`, when set, receives the target's tool reports (ptxas -v).
  /// Errors are emitted on `module`.
  virtual mlir::LogicalResult compile(mlir::ModuleOp module,
                                      artifact::CodeObject &code,
                                      StageTap *tap,
                                      llvm::raw_ostream *report) const = 0;
};

/// Target options as tools collect them, by key: {"cpu": "x86-64-v3"}. Each
/// target reads its own keys and ignores the others.
using TargetParams = std::map<std::string, std::string>;

/// A target the compiler knows, by name (TargetRegistry.cpp).
struct TargetKind {
  std::string name;
  std::string description; // for --help
  std::function<llvm::Expected<std::shared_ptr<const Target>>(
      const TargetParams &)>
      create;
};

/// Every target of this compiler, in the order --help lists them.
const std::vector<TargetKind> &targetKinds();

/// The target named `name` with `params`; an unknown name or a bad
/// parameter is an error saying which.
llvm::Expected<std::shared_ptr<const Target>>
createTarget(llvm::StringRef name, const TargetParams &params = {});

} // namespace goe

#endif // GOE_COMPILER_TARGET_H
