//===- TensorOps.cpp - data movement between steps ----------------------===//

#include "TensorOps.h"

#include <cstring>

namespace goe::runtime::detail {

StatusOr<Tensor> transpose(const Tensor &in, const std::vector<int> &perm) {
  const std::vector<int64_t> &inShape = in.shape();
  size_t rank = inShape.size();
  std::vector<int64_t> outShape(rank);
  for (size_t i = 0; i < rank; ++i)
    outShape[i] = inShape[perm[i]];
  StatusOr<Tensor> out = Tensor::uninitialized(in.dtype(), outShape);
  if (!out.ok() || in.numel() == 0)
    return out;

  // Strides of the input, visited in output order: walking the output
  // linearly with an odometer keeps the inner loop a single add.
  std::vector<int64_t> inStrides(rank, 1);
  for (size_t i = rank; i-- > 1;)
    inStrides[i - 1] = inStrides[i] * inShape[i];
  std::vector<int64_t> stride(rank);
  for (size_t i = 0; i < rank; ++i)
    stride[i] = inStrides[perm[i]];

  size_t elem = dtypeSize(in.dtype());
  const auto *src = static_cast<const std::byte *>(in.data());
  auto *dst = static_cast<std::byte *>(out->data());
  std::vector<int64_t> index(rank, 0);
  int64_t offset = 0;
  for (int64_t n = 0, total = in.numel(); n < total; ++n) {
    std::memcpy(dst + n * elem, src + offset * elem, elem);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < outShape[d]) {
        offset += stride[d];
        break;
      }
      offset -= stride[d] * (outShape[d] - 1);
      index[d] = 0;
    }
  }
  return out;
}

StatusOr<Tensor> gatherRows(const Tensor &in,
                            const std::vector<int64_t> &rows) {
  std::vector<int64_t> shape = in.shape();
  int64_t batch = shape[0];
  shape[0] = static_cast<int64_t>(rows.size());
  StatusOr<Tensor> out = Tensor::uninitialized(in.dtype(), shape);
  if (!out.ok())
    return out;
  size_t rowBytes = batch ? in.byteSize() / static_cast<size_t>(batch) : 0;
  const auto *src = static_cast<const std::byte *>(in.data());
  auto *dst = static_cast<std::byte *>(out->data());
  for (size_t i = 0; i < rows.size(); ++i)
    std::memcpy(dst + i * rowBytes, src + rows[i] * rowBytes, rowBytes);
  return out;
}

void scatterRowsToSlots(const Tensor &group, const std::vector<int64_t> &rows,
                        const std::vector<int64_t> &slots, Tensor &out) {
  if (rows.empty())
    return;
  int64_t k = out.shape()[1];
  size_t itemBytes = group.byteSize() / rows.size(); // one path result
  const auto *src = static_cast<const std::byte *>(group.data());
  auto *dst = static_cast<std::byte *>(out.data());
  for (size_t i = 0; i < rows.size(); ++i)
    std::memcpy(dst + (rows[i] * k + slots[i]) * itemBytes,
                src + i * itemBytes, itemBytes);
}

} // namespace goe::runtime::detail
