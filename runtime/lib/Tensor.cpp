//===- Tensor.cpp - host tensors crossing the runtime API ---------------===//

#include "goe/Runtime/Tensor.h"

#include <cstring>
#include <new>

namespace goe::runtime {
namespace {
constexpr size_t kAlignment = 64;
} // namespace

size_t dtypeSize(DType dtype) { return dtype == DType::I64 ? 8 : 4; }

const char *dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "f32";
  case DType::I64:
    return "i64";
  }
  return "unknown";
}

std::string shapeToString(const std::vector<int64_t> &shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

std::string specToString(const TensorSpec &spec) {
  return dtypeName(spec.dtype) + shapeToString(spec.shape);
}

StatusOr<int64_t> checkedNumel(const std::vector<int64_t> &shape) {
  int64_t numel = 1;
  for (int64_t dim : shape) {
    if (dim < 0)
      return invalidArgument("shape " + shapeToString(shape) +
                             " has a negative dimension");
    if (dim != 0 && numel > INT64_MAX / 8 / dim)
      return invalidArgument("shape " + shapeToString(shape) +
                             " has too many elements");
    numel *= dim;
  }
  return numel;
}

void Tensor::AlignedFree::operator()(std::byte *p) const {
  ::operator delete[](p, std::align_val_t(kAlignment));
}

Tensor::Tensor() : shape_{0} {}

StatusOr<Tensor> Tensor::allocate(DType dtype, std::vector<int64_t> shape,
                                  bool zero) {
  StatusOr<int64_t> numel = checkedNumel(shape);
  if (!numel.ok())
    return numel.status();
  size_t bytes = static_cast<size_t>(*numel) * dtypeSize(dtype);
  // Round up so that vector code reading a full last line stays in bounds,
  // and allocate at least one line so that data() is never null.
  size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  if (rounded == 0)
    rounded = kAlignment;
  auto *raw = static_cast<std::byte *>(::operator new[](
      rounded, std::align_val_t(kAlignment), std::nothrow));
  if (!raw)
    return resourceExhausted("cannot allocate " + std::to_string(bytes) +
                             " bytes for a " + dtypeName(dtype) + " tensor " +
                             shapeToString(shape));
  if (zero)
    std::memset(raw, 0, rounded);
  Tensor tensor;
  tensor.dtype_ = dtype;
  tensor.shape_ = std::move(shape);
  tensor.numel_ = *numel;
  tensor.buffer_.reset(raw);
  return tensor;
}

StatusOr<Tensor> Tensor::zeros(DType dtype, std::vector<int64_t> shape) {
  return allocate(dtype, std::move(shape), /*zero=*/true);
}

StatusOr<Tensor> Tensor::uninitialized(DType dtype,
                                       std::vector<int64_t> shape) {
  return allocate(dtype, std::move(shape), /*zero=*/false);
}

StatusOr<Tensor> Tensor::copyOf(const TensorView &view) {
  StatusOr<Tensor> tensor = allocate(view.dtype, view.shape, /*zero=*/false);
  if (!tensor.ok())
    return tensor;
  if (tensor->byteSize() > 0) {
    if (!view.data)
      return invalidArgument("tensor " + shapeToString(view.shape) +
                             " has no data");
    std::memcpy(tensor->data(), view.data, tensor->byteSize());
  }
  return tensor;
}

namespace {
/// A tensor copied from `values`, which must fill `shape` exactly.
template <typename T>
StatusOr<Tensor> fromValues(DType dtype, std::vector<int64_t> shape,
                            const std::vector<T> &values) {
  StatusOr<int64_t> numel = checkedNumel(shape);
  if (!numel.ok())
    return numel.status();
  if (*numel != static_cast<int64_t>(values.size()))
    return invalidArgument(std::to_string(values.size()) +
                           " values for shape " + shapeToString(shape));
  return Tensor::copyOf(TensorView{dtype, std::move(shape), values.data()});
}
} // namespace

StatusOr<Tensor> Tensor::fromF32(std::vector<int64_t> shape,
                                 const std::vector<float> &values) {
  return fromValues(DType::F32, std::move(shape), values);
}

StatusOr<Tensor> Tensor::fromI64(std::vector<int64_t> shape,
                                 const std::vector<int64_t> &values) {
  return fromValues(DType::I64, std::move(shape), values);
}

StatusOr<Tensor> Tensor::clone() const { return copyOf(view()); }

} // namespace goe::runtime
