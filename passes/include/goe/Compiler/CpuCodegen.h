//===- CpuCodegen.h - LLVM-dialect kernels to a shared object ---*- C++ -*-===//

#ifndef GOE_COMPILER_CPUCODEGEN_H
#define GOE_COMPILER_CPUCODEGEN_H

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace goe {

struct CpuCodeObject {
  std::string target;       // e.g. "cpu-x86_64"
  std::string sharedObject; // ELF bytes
};

/// C source of the helpers every kernel library carries (memrefCopy).
extern const char *kKernelSupportSource;

/// Translates `module` (already in the LLVM dialect, see
/// buildCpuLoweringPipeline) to LLVM IR, optimises it at O2 for the host
/// CPU, emits position-independent object code and links it into a shared
/// library with the system C compiler driver (`cc -shared`). Errors are
/// emitted on the module.
mlir::FailureOr<CpuCodeObject> compileToSharedObject(mlir::ModuleOp module);

/// The LLVM IR of `module` (LLVM dialect), unoptimised, for --emit=llvm.
mlir::FailureOr<std::string> translateToLLVMIR(mlir::ModuleOp module);

} // namespace goe

#endif // GOE_COMPILER_CPUCODEGEN_H
