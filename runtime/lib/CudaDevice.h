//===- CudaDevice.h - running compiled functions on a CUDA GPU --*- C++ -*-===//
//
// The CUDA counterpart of NativeCall: runs one Function on a group of
// samples by following the launch plan of the artifact's "cuda-<chip>"
// code object (artifact.proto: CudaFunction). A CudaDevice is created per
// CUDA session: it loads the driver (dlopen, never linked), retains the
// device's primary context, loads the kernels (the cubin when the device is
// the chip compiled for, else the PTX through the driver's JIT) and uploads
// every weight once.
//
// Grouping by path stays on the host in this version: Session groups a
// batch, and each call uploads its group's inputs, runs the kernels of the
// function in order on the default stream, and downloads the outputs.
//
// Thread safety: run() may be called from several threads; calls are
// serialized on the device by a mutex.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_LIB_CUDADEVICE_H
#define GOE_RUNTIME_LIB_CUDADEVICE_H

#include "CudaDriver.h"
#include "Program.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace goe::runtime::detail {

/// The launch-plan version this runtime reads (CodeObject.plan_version).
inline constexpr uint32_t kCudaPlanVersion = 1;

/// A launch plan resolved against a Program: function arguments, kernel
/// names and temporaries checked, once, at session creation.
struct CudaFunctionPlan {
  const artifact::CudaFunction *plan = nullptr;
  std::vector<CUfunction> kernels; // one per launch, bound after loading
};

/// Checks `code` (a cuda-* CodeObject) against `program` without a GPU:
/// plan version, one plan per function, argument indices and temporaries
/// in range. Returns, per program function, its plan.
StatusOr<std::vector<const artifact::CudaFunction *>>
validateCudaPlans(const Program &program, const artifact::CodeObject &code);

/// The artifact's CUDA code object, or FailedPrecondition saying the model
/// was compiled without --target=cuda.
StatusOr<const artifact::CodeObject *> findCudaCode(const Program &program);

class CudaDevice {
public:
  /// Loads `driverLibrary` ("libcuda.so.1"), opens device `ordinal`, loads
  /// the program's kernels and uploads its weights.
  static StatusOr<std::unique_ptr<CudaDevice>>
  create(const Program &program, const std::string &driverLibrary,
         int ordinal);
  ~CudaDevice();

  /// Runs function `fn` on a batch, like invokeFunction (NativeCall.h).
  Status run(const LoadedFunction &fn, int64_t batch,
             const std::vector<const Tensor *> &inputs,
             std::vector<Tensor> &outputs);

  const std::string &deviceName() const { return name_; }

private:
  CudaDevice() = default;

  std::shared_ptr<const CudaDriver> driver_;
  const Program *program_ = nullptr;
  const artifact::CodeObject *code_ = nullptr;
  CUdevice device_ = 0;
  CUcontext context_ = nullptr;
  CUmodule module_ = nullptr;
  std::string name_;
  std::vector<CUdeviceptr> weights_;       // Program::weights order
  std::vector<CudaFunctionPlan> plans_;    // Program::functions order
  std::mutex mutex_;
};

} // namespace goe::runtime::detail

#endif // GOE_RUNTIME_LIB_CUDADEVICE_H
