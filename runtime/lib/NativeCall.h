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
// Thread safety: invokeFunction may run concurrently on the same function
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

/// Runs `fn` on a batch of `batch` samples: `inputs[i]` has shape
/// [batch, fn.inputs[i]...]; `outputs` receives freshly allocated, zeroed
/// tensors [batch, fn.outputs[i]...] written by the function. Counts the
/// call in fn's counters.
Status invokeFunction(const Program &program, const LoadedFunction &fn,
                      int64_t batch, const std::vector<const Tensor *> &inputs,
                      std::vector<Tensor> &outputs);

} // namespace goe::runtime::detail

#endif // GOE_RUNTIME_LIB_NATIVECALL_H
