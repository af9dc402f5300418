//===- CpuDevice.h - running compiled functions on this CPU -----*- C++ -*-===//
//
// The model's native code (the cpu-x86_64 code object, loaded and checked
// against this CPU's features by Model::load) called directly on the
// host's buffers through MLIR's C interface (NativeCall.h).
//
// A call on several samples is split into contiguous chunks of samples,
// one per thread of the session's pool: compiled code runs every sample on
// its own (SampleLoop), so the chunks write disjoint rows and compute the
// same bits as one call on the whole group would.
//
// A call with fewer samples than the pool has threads (batch 1 above all)
// lets the compiled code fan out itself: its microkernels hand parts of
// their output to kernelParallelRunner, which Model::load installs in every
// loaded library, and which runs them on the pool that made the call. Each
// part computes the same bits wherever it runs.
//
// Thread safety: run() may be called from any number of threads.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_LIB_CPUDEVICE_H
#define GOE_RUNTIME_LIB_CPUDEVICE_H

#include "Device.h"

namespace goe::runtime::detail {

/// What compiled code calls to run task(context, begin, end) over parts of
/// [0, count): on the threads of the pool of the CpuDevice::run call in
/// progress on this thread, when that call allows it; else all on the
/// caller. The loaded library's `goe_set_parallel_runner` gets its address.
extern "C" void kernelParallelRunner(int64_t count,
                                     void (*task)(void *, int64_t, int64_t),
                                     void *context);

/// What the conv microkernel calls at the start (phase 0) and the end
/// (phase 1, with its MACs) of each call: during a profiled CpuDevice::run
/// call on this thread it adds the call's busy time and MACs to the
/// call's CallTimes; otherwise it does nothing. The loaded library's
/// `goe_set_conv_probe` gets its address.
extern "C" void kernelConvProbe(int64_t phase, double macs);

class CpuDevice : public ComputeDevice {
public:
  /// FailedPrecondition when the model has no CPU code (compiled for GPUs
  /// only).
  static StatusOr<std::unique_ptr<ComputeDevice>>
  create(const Program &program, const SessionOptions &options,
         ThreadPool &pool);

  Status run(const LoadedFunction &fn, int64_t batch,
             const std::vector<const Tensor *> &inputs,
             std::vector<Tensor> &outputs, CallTimes *times) override;

private:
  CpuDevice(const Program &program, ThreadPool &pool)
      : program_(program), pool_(pool) {}
  const Program &program_;
  ThreadPool &pool_;
};

} // namespace goe::runtime::detail

#endif // GOE_RUNTIME_LIB_CPUDEVICE_H
