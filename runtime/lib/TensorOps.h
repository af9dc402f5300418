//===- TensorOps.h - data movement between steps ----------------*- C++ -*-===//
//
// The copies the interpreter needs around compiled code: layout changes at
// the graph edge, gathering a path's inputs into a contiguous group, and
// scattering a group's results back into input order. They move bytes only,
// so one implementation serves every dtype.
//
// Thread safety: pure functions of their arguments.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_LIB_TENSOROPS_H
#define GOE_RUNTIME_LIB_TENSOROPS_H

#include "goe/Runtime/Tensor.h"

#include <cstdint>
#include <vector>

namespace goe::runtime::detail {

/// A tensor the caller writes in full (a compiled function's output, a
/// dispatch's [B, k, ...] slots), so left uninitialised. With
/// GOE_POISON_OUTPUTS=1 in the environment it is filled with NaNs instead:
/// a test run that way shows any element left unwritten
/// (ctest's parity-with-nan-filled-outputs).
StatusOr<Tensor> outputTensor(DType dtype, std::vector<int64_t> shape);

/// out = permute(in) with out.shape[i] = in.shape[perm[i]]. Precondition:
/// perm is a permutation of [0, rank).
StatusOr<Tensor> transpose(const Tensor &in, const std::vector<int> &perm);

/// A tensor of shape [rows.size(), in.shape[1:]...] holding in[rows[i]].
/// Precondition: every row index is in range.
StatusOr<Tensor> gatherRows(const Tensor &in, const std::vector<int64_t> &rows);

/// out[rows[i], slots[i]] = group[i] for out of shape [B, k, D...] and
/// group of shape [n, D...].
void scatterRowsToSlots(const Tensor &group, const std::vector<int64_t> &rows,
                        const std::vector<int64_t> &slots, Tensor &out);

} // namespace goe::runtime::detail

#endif // GOE_RUNTIME_LIB_TENSOROPS_H
