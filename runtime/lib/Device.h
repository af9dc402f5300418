//===- Device.h - where a session runs compiled functions -------*- C++ -*-===//
//
// Session interprets the graph program on the host (routing, grouping by
// path, combining) and hands every call of a compiled function on a group
// of samples to its device. A device kind is one class implementing
// ComputeDevice (CpuDevice.h, CudaDevice.h) and one line in
// DeviceRegistry.cpp; Session names none of them.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_LIB_DEVICE_H
#define GOE_RUNTIME_LIB_DEVICE_H

#include "Program.h"
#include "ThreadPool.h"
#include "goe/Runtime/Session.h"

#include <memory>
#include <vector>

namespace goe::runtime::detail {

/// What one profiled call of a compiled function took.
struct CallTimes {
  /// Compute time summed over the threads the call ran on.
  double busySeconds = 0;
  /// The part of it in the CPU conv microkernel's calls, and their MACs
  /// (0 on devices and in code without it).
  double convSeconds = 0;
  double convMacs = 0;
};

/// Runs a loaded model's compiled functions on one piece of hardware.
///
/// Thread safety: run() may be called from several threads at once (a
/// device that cannot run calls concurrently serializes them itself).
class ComputeDevice {
public:
  virtual ~ComputeDevice() = default;

  /// Runs `fn` on a group of `batch` samples: `inputs[i]` has shape
  /// [batch, fn.inputs[i]...]; `outputs` receives fresh tensors
  /// [batch, fn.outputs[i]...] in host memory. Counts the call in fn's
  /// counters. `times`, when not null, receives what the call took (a
  /// profile's times).
  virtual Status run(const LoadedFunction &fn, int64_t batch,
                     const std::vector<const Tensor *> &inputs,
                     std::vector<Tensor> &outputs, CallTimes *times) = 0;
};

/// A kind of device, by the name SessionOptions::device gives.
struct DeviceKind {
  const char *name; // "cpu", "cuda"
  /// Checks that `program` has code for the device and loads it (kernels,
  /// weights); errors say what is missing. `pool` is the session's, for a
  /// device that splits a call over host threads; it outlives the device.
  StatusOr<std::unique_ptr<ComputeDevice>> (*create)(
      const Program &program, const SessionOptions &options, ThreadPool &pool);
};

/// Every device kind of this runtime (DeviceRegistry.cpp).
const std::vector<DeviceKind> &deviceKinds();

/// The device `options.device` names, created for `program`; an unknown
/// name is InvalidArgument listing the known ones.
StatusOr<std::unique_ptr<ComputeDevice>>
createDevice(const Program &program, const SessionOptions &options,
             ThreadPool &pool);

} // namespace goe::runtime::detail

#endif // GOE_RUNTIME_LIB_DEVICE_H
