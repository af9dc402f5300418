//===- CudaDevice.h - running compiled functions on a CUDA GPU --*- C++ -*-===//
//
// The "cuda" device (Device.h): runs one Function on a group of samples by
// following the launch plan of the artifact's CudaCode (artifact.proto:
// CudaFunction). A CudaDevice is created per CUDA session: it loads the driver (dlopen, never linked), retains the
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
#include "Device.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace goe::runtime::detail {

/// The launch-plan version this runtime reads (CudaCode.plan_version).
inline constexpr uint32_t kCudaPlanVersion = 1;

/// A launch plan resolved against a Program: function arguments, kernel
/// names and temporaries checked, once, at session creation.
struct CudaFunctionPlan {
  const artifact::CudaFunction *plan = nullptr;
  std::vector<CUfunction> kernels; // one per launch, bound after loading
};

/// Checks `code` against `program` without a GPU:
/// plan version, one plan per function, argument indices and temporaries
/// in range. Returns, per program function, its plan.
StatusOr<std::vector<const artifact::CudaFunction *>>
validateCudaPlans(const Program &program, const artifact::CudaCode &code);

/// The artifact's CUDA code object, or FailedPrecondition saying the model
/// was compiled without --target=cuda.
StatusOr<const artifact::CudaCode *> findCudaCode(const Program &program);

class CudaDevice : public ComputeDevice {
public:
  /// Loads options.cudaDriverLibrary ("libcuda.so.1"), opens device
  /// options.deviceOrdinal, loads the program's kernels and uploads its
  /// weights. Errors read "creating a CUDA session: ...".
  static StatusOr<std::unique_ptr<ComputeDevice>>
  create(const Program &program, const SessionOptions &options,
         ThreadPool &pool);
  ~CudaDevice() override;

  Status run(const LoadedFunction &fn, int64_t batch,
             const std::vector<const Tensor *> &inputs,
             std::vector<Tensor> &outputs, CallTimes *times) override;

  const std::string &deviceName() const { return name_; }

private:
  CudaDevice() = default;
  Status runOnGpu(const LoadedFunction &fn, int64_t batch,
                  const std::vector<const Tensor *> &inputs,
                  std::vector<Tensor> &outputs);
  static StatusOr<std::unique_ptr<CudaDevice>>
  open(const Program &program, const std::string &driverLibrary, int ordinal);

  std::shared_ptr<const CudaDriver> driver_;
  const Program *program_ = nullptr;
  const artifact::CudaCode *code_ = nullptr;
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
