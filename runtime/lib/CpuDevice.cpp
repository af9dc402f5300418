//===- CpuDevice.cpp - running compiled functions on this CPU -------------===//

#include "CpuDevice.h"
#include "NativeCall.h"

namespace goe::runtime::detail {

StatusOr<std::unique_ptr<ComputeDevice>>
CpuDevice::create(const Program &program, const SessionOptions &) {
  if (!program.hasCpuCode)
    return failedPrecondition(
        "the model has no CPU code (compiled with --target=cuda only); "
        "create the session with Device::Cuda or recompile with "
        "--target=cpu,cuda");
  return std::unique_ptr<ComputeDevice>(new CpuDevice(program));
}

Status CpuDevice::run(const LoadedFunction &fn, int64_t batch,
                      const std::vector<const Tensor *> &inputs,
                      std::vector<Tensor> &outputs) {
  return invokeFunction(program_, fn, batch, inputs, outputs);
}

} // namespace goe::runtime::detail
