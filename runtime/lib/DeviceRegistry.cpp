//===- DeviceRegistry.cpp - the device kinds of this runtime --------------===//
//
// A plain table, not self-registering objects: the runtime is a static
// library, and a linker drops an object file nobody references.
//
//===----------------------------------------------------------------------===//

#include "CpuDevice.h"
#include "CudaDevice.h"
#include "Device.h"

namespace goe::runtime {
namespace detail {

const std::vector<DeviceKind> &deviceKinds() {
  static const std::vector<DeviceKind> kinds = {
      {"cpu", &CpuDevice::create},
      {"cuda", &CudaDevice::create},
  };
  return kinds;
}

StatusOr<std::unique_ptr<ComputeDevice>>
createDevice(const Program &program, const SessionOptions &options,
             ThreadPool &pool) {
  for (const DeviceKind &kind : deviceKinds())
    if (options.device.name() == kind.name)
      return kind.create(program, options, pool);
  std::string known;
  for (const DeviceKind &kind : deviceKinds())
    known += std::string(known.empty() ? "" : ", ") + kind.name;
  return invalidArgument("unknown device '" + options.device.name() +
                         "' (this runtime has " + known + ")");
}

} // namespace detail

std::vector<std::string> availableDevices() {
  std::vector<std::string> names;
  for (const detail::DeviceKind &kind : detail::deviceKinds())
    names.push_back(kind.name);
  return names;
}

} // namespace goe::runtime
