//===- Tensor.h - host tensors crossing the runtime API ---------*- C++ -*-===//
//
// Batched activations are dense, row-major, batch first. Tensor owns its
// storage (64-byte aligned, which compiled vector code may rely on);
// TensorView borrows a caller's buffer so that inputs need no extra copy on
// the way in.
//
// Thread safety: a Tensor is a value; concurrent reads are safe, writes need
// external synchronisation. A TensorView does not own its data: the caller
// keeps the buffer alive and unchanged while a call that takes it runs.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_TENSOR_H
#define GOE_RUNTIME_TENSOR_H

#include "goe/Runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace goe::runtime {

/// Element types; the values equal artifact.proto's DType.
enum class DType : int { F32 = 0, I64 = 1 };

size_t dtypeSize(DType dtype);
const char *dtypeName(DType dtype); // "f32", "i64"

/// "[2, 3, 4]".
std::string shapeToString(const std::vector<int64_t> &shape);

/// The number of elements of `shape`; an error if a dimension is negative
/// or the product overflows (a shape read from a file or a caller is input,
/// not a trusted value).
StatusOr<int64_t> checkedNumel(const std::vector<int64_t> &shape);

/// The type of a batched value with the batch left out, as artifact.proto's
/// ValueType: a graph input [C, H, W] arrives as [batch, C, H, W].
struct TensorSpec {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  bool operator==(const TensorSpec &other) const {
    return dtype == other.dtype && shape == other.shape;
  }
  bool operator!=(const TensorSpec &other) const { return !(*this == other); }
};

/// "f32[2, 3]".
std::string specToString(const TensorSpec &spec);

/// A borrowed, read-only tensor.
struct TensorView {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  const void *data = nullptr;
};

class Tensor {
public:
  /// An empty f32 tensor of shape [0].
  Tensor();
  Tensor(Tensor &&) noexcept = default;
  Tensor &operator=(Tensor &&) noexcept = default;
  // Copies are explicit (clone) because tensors can be large.
  Tensor(const Tensor &) = delete;
  Tensor &operator=(const Tensor &) = delete;

  /// A zero-filled tensor. Errors on negative or overflowing shapes and on
  /// failed allocation (ResourceExhausted); never throws.
  static StatusOr<Tensor> zeros(DType dtype, std::vector<int64_t> shape);
  /// Uninitialised storage, for tensors about to be overwritten in full.
  static StatusOr<Tensor> uninitialized(DType dtype,
                                        std::vector<int64_t> shape);
  /// A copy of `view`'s data.
  static StatusOr<Tensor> copyOf(const TensorView &view);
  /// Convenience for tests and tools: `values.size()` must equal the
  /// number of elements of `shape`.
  static StatusOr<Tensor> fromF32(std::vector<int64_t> shape,
                                  const std::vector<float> &values);
  static StatusOr<Tensor> fromI64(std::vector<int64_t> shape,
                                  const std::vector<int64_t> &values);

  StatusOr<Tensor> clone() const;

  DType dtype() const { return dtype_; }
  const std::vector<int64_t> &shape() const { return shape_; }
  int64_t numel() const { return numel_; }
  size_t byteSize() const { return static_cast<size_t>(numel_) * dtypeSize(dtype_); }

  void *data() { return buffer_.get(); }
  const void *data() const { return buffer_.get(); }
  /// Typed access; nullptr if the dtype differs.
  float *f32() { return dtype_ == DType::F32 ? static_cast<float *>(data()) : nullptr; }
  const float *f32() const {
    return dtype_ == DType::F32 ? static_cast<const float *>(data()) : nullptr;
  }
  int64_t *i64() { return dtype_ == DType::I64 ? static_cast<int64_t *>(data()) : nullptr; }
  const int64_t *i64() const {
    return dtype_ == DType::I64 ? static_cast<const int64_t *>(data()) : nullptr;
  }

  TensorView view() const { return TensorView{dtype_, shape_, data()}; }

private:
  struct AlignedFree {
    void operator()(std::byte *p) const;
  };
  static StatusOr<Tensor> allocate(DType dtype, std::vector<int64_t> shape,
                                   bool zero);

  DType dtype_ = DType::F32;
  std::vector<int64_t> shape_;
  int64_t numel_ = 0;
  std::unique_ptr<std::byte[], AlignedFree> buffer_;
};

} // namespace goe::runtime

#endif // GOE_RUNTIME_TENSOR_H
