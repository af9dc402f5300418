//===- CudaDriver.cpp - the CUDA driver API, loaded at run time -----------===//

#include "CudaDriver.h"

#include <dlfcn.h>

namespace goe::runtime::detail {

CudaDriver::~CudaDriver() {
  if (handle)
    dlclose(handle);
}

StatusOr<std::shared_ptr<const CudaDriver>>
CudaDriver::load(const std::string &library) {
  void *handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = dlerror();
    return failedPrecondition(
        "no CUDA driver: cannot load '" + library + "' (" +
        (why ? why : "unknown error") +
        "); a CUDA session needs an NVIDIA GPU and its driver");
  }
  auto driver = std::make_shared<CudaDriver>();
  driver->handle = handle;
  Status missing;
  // The _v2 names are the 64-bit ABI the driver has exported since CUDA 3.2.
  auto resolve = [&](auto &fn, const char *name) {
    void *symbol = dlsym(handle, name);
    if (!symbol && missing.ok())
      missing = failedPrecondition("the CUDA driver '" + library +
                                   "' has no symbol '" + name +
                                   "' (driver too old?)");
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(symbol);
  };
  resolve(driver->cuInit, "cuInit");
  resolve(driver->cuDeviceGetCount, "cuDeviceGetCount");
  resolve(driver->cuDeviceGet, "cuDeviceGet");
  resolve(driver->cuDeviceGetName, "cuDeviceGetName");
  resolve(driver->cuDeviceGetAttribute, "cuDeviceGetAttribute");
  resolve(driver->cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  resolve(driver->cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2");
  resolve(driver->cuCtxSetCurrent, "cuCtxSetCurrent");
  resolve(driver->cuCtxSynchronize, "cuCtxSynchronize");
  resolve(driver->cuModuleLoadData, "cuModuleLoadData");
  resolve(driver->cuModuleUnload, "cuModuleUnload");
  resolve(driver->cuModuleGetFunction, "cuModuleGetFunction");
  resolve(driver->cuMemAlloc, "cuMemAlloc_v2");
  resolve(driver->cuMemFree, "cuMemFree_v2");
  resolve(driver->cuMemcpyHtoD, "cuMemcpyHtoD_v2");
  resolve(driver->cuMemcpyDtoH, "cuMemcpyDtoH_v2");
  resolve(driver->cuMemsetD8, "cuMemsetD8_v2");
  resolve(driver->cuLaunchKernel, "cuLaunchKernel");
  resolve(driver->cuGetErrorString, "cuGetErrorString");
  if (!missing.ok())
    return missing;
  return std::shared_ptr<const CudaDriver>(std::move(driver));
}

Status CudaDriver::check(CUresult result, const std::string &what) const {
  if (result == kCudaSuccess)
    return okStatus();
  const char *message = nullptr;
  if (cuGetErrorString)
    cuGetErrorString(result, &message);
  std::string text = what + " failed: CUDA error " + std::to_string(result) +
                     (message ? std::string(" (") + message + ")" : "");
  // 2 = CUDA_ERROR_OUT_OF_MEMORY; 100 = NO_DEVICE.
  if (result == 2)
    return resourceExhausted(text);
  if (result == 100)
    return failedPrecondition(text);
  return internalError(text);
}

} // namespace goe::runtime::detail
