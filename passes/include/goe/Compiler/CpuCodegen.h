//===- CpuCodegen.h - the CPU target: kernels to a shared object -*- C++ -*-===//
//
// The "cpu" target (Target.h). Stages after `specialized`:
//
//   kernels  buildCpuKernelPipeline: the expert functions tiled, vectorised,
//            bufferized and in the LLVM dialect (MLIR)
//   llvm     the LLVM IR compiled to machine code: optimised at O2 (without
//            loop unrolling) for the chosen CPU, which every function names (target-cpu,
//            target-features)
//
// then object code (in pieces compiled in parallel, CpuObjects.cpp) linked into a shared library by the system `cc`. The
// code object (CpuCode) records the CPU and the features the code may use;
// the runtime refuses it on a CPU that lacks one.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_COMPILER_CPUCODEGEN_H
#define GOE_COMPILER_CPUCODEGEN_H

#include "goe/Compiler/Target.h"

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

#include <string>
#include <vector>

namespace goe {

/// The CPU the code is compiled for.
struct CpuChoice {
  /// As asked for: "native", "x86-64-v3".
  std::string requested;
  /// LLVM's CPU name: the build host's ("znver4") for native, else the
  /// x86-64 level.
  std::string cpu;
  /// LLVM's subtarget features ("+avx2,-avx512f,..."); empty when `cpu`
  /// implies them.
  std::string llvmFeatures;
  /// The features the code may use, as the artifact records them: names
  /// from goe/Runtime/CpuFeatures.h, in its order.
  std::vector<std::string> features;
};

/// The CPU names --cpu takes, "native" first.
const std::vector<std::string> &cpuChoices();

/// Resolves `name` (one of cpuChoices()): "native" is the build host's CPU
/// with every feature it has; an x86-64 level (x86-64-v3: AVX2, FMA, BMI2;
/// x86-64-v4: AVX-512) runs on every CPU of that level.
llvm::Expected<CpuChoice> chooseCpu(llvm::StringRef name);

/// The CPU target for `cpu`.
std::shared_ptr<const Target> createCpuTarget(const CpuChoice &cpu);

struct CpuCodeObject {
  std::string target;       // e.g. "cpu-x86_64"
  std::string sharedObject; // ELF bytes
};

/// LLVM's O2 pipeline for `machine` without its loop unrollers (goe's
/// kernels come unrolled to register tiles already).
void optimizeKernels(llvm::Module &module, llvm::TargetMachine &machine);

/// The most pieces emitObjectsInPieces cuts a module into.
constexpr unsigned kCodegenPieces = 4;

/// Optimises `module` (LLVM IR for `cpu`, triple set) at O2 and writes it
/// as object files: cut into up to kCodegenPieces pieces of about equal
/// size, compiled on as many threads as there are cores. The cut depends
/// only on the module. Makes every local definition hidden-external so the
/// pieces link. Returns the paths written, a prefix of `objectPaths`
/// (which needs kCodegenPieces entries).
llvm::Expected<std::vector<std::string>>
emitObjectsInPieces(llvm::Module &module, const CpuChoice &cpu,
                    const std::vector<std::string> &objectPaths);

/// C source of the helpers every kernel library carries (memrefCopy).
extern const char *kKernelSupportSource;
/// C source of the direct-convolution microkernel that
/// goe-convs-to-microkernel-calls calls (ConvMicrokernel.cpp).
extern const char *kConvMicrokernelSource;

/// Translates `module` (already in the LLVM dialect, the `kernels` stage)
/// to LLVM IR for `cpu`, optimises it at O2 (stage `llvm`), emits
/// position-independent object code and links it into a shared library
/// with the system C compiler driver (`cc -shared`). When `tap` stops at
/// `llvm`, returns an empty code object. Errors are emitted on the module.
mlir::FailureOr<CpuCodeObject>
compileToSharedObject(mlir::ModuleOp module, const CpuChoice &cpu,
                      StageTap *tap);

} // namespace goe

#endif // GOE_COMPILER_CPUCODEGEN_H
