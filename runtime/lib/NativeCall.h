//===- NativeCall.h - calling compiled functions ----------------*- C++ -*-===//
//
// The calling convention between goe's code generator and this runtime is
// MLIR's C interface: `void _mlir_ciface_<symbol>(D *in..., D *weight...,
// D *out...)` where every D is a strided memref descriptor
// `{T *allocated; T *aligned; int64_t offset; int64_t sizes[R];
// int64_t strides[R];}`. Outputs are allocated by the caller (destination
// passing), so the runtime owns every buffer and a group's results can be
// scattered without the callee knowing about batching.
//
// Compiled functions must not write their input or weight buffers: values
// are shared between steps and weights between threads.
//
// Thread safety: callNative may run concurrently on the same function
// (the code is expected to be reentrant, which MLIR-generated code is).
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_LIB_NATIVECALL_H
#define GOE_RUNTIME_LIB_NATIVECALL_H

#include "Program.h"

#include <vector>

namespace goe::runtime::detail {

/// The most pointer arguments (inputs + weights + outputs) a compiled
/// function may take; callers for every count up to this are instantiated.
inline constexpr size_t kMaxNativeArgs = 256;

/// Checks `inputs` against `fn` (each [batch, fn.inputs[i]...]) and
/// allocates its outputs [batch, fn.outputs[i]...], zeroed.
Status prepareCall(const LoadedFunction &fn, int64_t batch,
                   const std::vector<const Tensor *> &inputs,
                   std::vector<Tensor> &outputs);

/// Runs `fn`'s code on samples [begin, begin + count) of buffers
/// prepareCall checked and allocated. Calls on disjoint sample ranges of
/// the same buffers may run concurrently: each writes only its own rows.
void callNative(const Program &program, const LoadedFunction &fn,
                int64_t begin, int64_t count,
                const std::vector<const Tensor *> &inputs,
                std::vector<Tensor> &outputs);

/// Counts one call of `fn` on `batch` samples in its counters (however many
/// chunks it ran in).
void countCall(const LoadedFunction &fn, int64_t batch);

} // namespace goe::runtime::detail

#endif // GOE_RUNTIME_LIB_NATIVECALL_H
