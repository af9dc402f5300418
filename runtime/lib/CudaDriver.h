//===- CudaDriver.h - the CUDA driver API, loaded at run time ---*- C++ -*-===//
//
// The runtime must load and run on machines without a GPU driver (CI, CPU
// servers), so it never links libcuda: the few driver entry points it uses
// are resolved with dlopen/dlsym when a CUDA session is created. The types
// below mirror the driver's ABI (cuda.h) so that no CUDA header is needed
// to build the runtime either.
//
// Thread safety: a loaded CudaDriver is immutable; the driver API itself is
// thread-safe.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_LIB_CUDADRIVER_H
#define GOE_RUNTIME_LIB_CUDADRIVER_H

#include "goe/Runtime/Status.h"

#include <cstddef>
#include <memory>
#include <string>

namespace goe::runtime::detail {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;

inline constexpr CUresult kCudaSuccess = 0;
/// CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR / _MINOR.
inline constexpr int kAttrComputeMajor = 75;
inline constexpr int kAttrComputeMinor = 76;

struct CudaDriver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*cuMemcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*cuMemsetD8)(CUdeviceptr, unsigned char, size_t);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, unsigned, CUstream,
                             void **, void **);
  CUresult (*cuGetErrorString)(CUresult, const char **);

  /// dlopen's `library` (normally "libcuda.so.1") and resolves every entry
  /// point. FailedPrecondition, naming the library, when it is absent.
  static StatusOr<std::shared_ptr<const CudaDriver>>
  load(const std::string &library);

  /// OK, or an error naming `what` and the driver's message for `result`.
  Status check(CUresult result, const std::string &what) const;

  ~CudaDriver();
  void *handle = nullptr;
};

} // namespace goe::runtime::detail

#endif // GOE_RUNTIME_LIB_CUDADRIVER_H
