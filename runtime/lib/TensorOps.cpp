//===- TensorOps.cpp - data movement between steps ----------------------===//

#include "TensorOps.h"

#include <cstdlib>
#include <cstring>

namespace goe::runtime::detail {

namespace {

/// Whether `perm` keeps the order of the dimensions larger than 1: then the
/// transpose moves no element (NCHW -> NHWC with one channel, say).
bool keepsDataOrder(const std::vector<int64_t> &inShape,
                    const std::vector<int> &perm) {
  int last = -1;
  for (int d : perm) {
    if (inShape[d] == 1)
      continue;
    if (d < last)
      return false;
    last = d;
  }
  return true;
}

/// The strided copy for one element type: the output is walked linearly,
/// its innermost dimension in a tight loop, the others with an odometer.
template <typename T>
void transposeElements(const T *src, T *dst,
                       const std::vector<int64_t> &outShape,
                       const std::vector<int64_t> &stride, int64_t total) {
  size_t rank = outShape.size();
  int64_t inner = outShape[rank - 1], innerStride = stride[rank - 1];
  std::vector<int64_t> index(rank, 0);
  int64_t offset = 0;
  for (int64_t n = 0; n < total; n += inner) {
    for (int64_t i = 0; i < inner; ++i)
      dst[n + i] = src[offset + i * innerStride];
    for (size_t d = rank - 1; d-- > 0;) {
      if (++index[d] < outShape[d]) {
        offset += stride[d];
        break;
      }
      offset -= stride[d] * (outShape[d] - 1);
      index[d] = 0;
    }
  }
}

} // namespace

StatusOr<Tensor> outputTensor(DType dtype, std::vector<int64_t> shape) {
  static const bool poison = [] {
    const char *value = std::getenv("GOE_POISON_OUTPUTS");
    return value && std::strcmp(value, "1") == 0;
  }();
  StatusOr<Tensor> out = Tensor::uninitialized(dtype, std::move(shape));
  if (poison && out.ok())
    std::memset(out->data(), 0xff, out->byteSize()); // NaN in f32, -1 in i64
  return out;
}

StatusOr<Tensor> transpose(const Tensor &in, const std::vector<int> &perm) {
  const std::vector<int64_t> &inShape = in.shape();
  size_t rank = inShape.size();
  std::vector<int64_t> outShape(rank);
  for (size_t i = 0; i < rank; ++i)
    outShape[i] = inShape[perm[i]];
  StatusOr<Tensor> out = Tensor::uninitialized(in.dtype(), outShape);
  if (!out.ok() || in.numel() == 0)
    return out;
  if (keepsDataOrder(inShape, perm)) {
    std::memcpy(out->data(), in.data(), in.byteSize());
    return out;
  }

  // Strides of the input, visited in output order.
  std::vector<int64_t> inStrides(rank, 1);
  for (size_t i = rank; i-- > 1;)
    inStrides[i - 1] = inStrides[i] * inShape[i];
  std::vector<int64_t> stride(rank);
  for (size_t i = 0; i < rank; ++i)
    stride[i] = inStrides[perm[i]];

  switch (dtypeSize(in.dtype())) {
  case 4:
    transposeElements(static_cast<const uint32_t *>(in.data()),
                      static_cast<uint32_t *>(out->data()), outShape, stride,
                      in.numel());
    break;
  default: // 8-byte elements: the only other dtype
    transposeElements(static_cast<const uint64_t *>(in.data()),
                      static_cast<uint64_t *>(out->data()), outShape, stride,
                      in.numel());
    break;
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
