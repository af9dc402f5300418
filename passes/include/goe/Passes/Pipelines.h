//===- Pipelines.h - the documented pass pipelines --------------*- C++ -*-===//

#ifndef GOE_PASSES_PIPELINES_H
#define GOE_PASSES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace goe {

/// Expert functions (TOSA on tensors) to the LLVM dialect for the CPU:
///   1. goe-weights-to-arguments, goe-extract-kernels: kernels only, weights
///      as trailing arguments, C entry points;
///   2. TOSA to linalg/arith/tensor, elementwise fusion along each function;
///   3. one-shot bufferization of whole functions, results turned into
///      caller-provided out-parameters (destination passing: the runtime
///      owns every buffer), buffer deallocation;
///   4. linalg to loops, then scf/cf/memref/arith/math/func to LLVM.
/// Requires a module produced by the spec frontend.
void buildCpuLoweringPipeline(mlir::OpPassManager &pm);

/// Registers what the pipelines need in a context: the dialects they lower
/// through and their external interfaces (bufferization models, LLVM
/// translation). Tools that compile call this on their registry.
void registerCodegenDialects(mlir::DialectRegistry &registry);

/// Registers the pipelines with goe-opt (`--goe-lower-to-llvm`).
void registerGoePipelines();

} // namespace goe

#endif // GOE_PASSES_PIPELINES_H
