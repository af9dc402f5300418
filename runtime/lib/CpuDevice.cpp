//===- CpuDevice.cpp - running compiled functions on this CPU -------------===//

#include "CpuDevice.h"
#include "NativeCall.h"

#include "goe/Runtime/Profile.h"

#include <algorithm>
#include <numeric>
#include <thread>

namespace goe::runtime::detail {

namespace {
/// The pool compiled code on this thread may fan out over, during a
/// CpuDevice::run call that leaves threads idle; null otherwise.
thread_local ThreadPool *kernelPool = nullptr;
/// Where the CPU time other threads spend on this thread's fanned-out
/// parts is added (a profiled call's busy time counts it); null when the
/// call is not profiled.
thread_local double *kernelHelperSeconds = nullptr;
/// Where the conv probe adds the microkernel's time and MACs; null when
/// the call is not profiled.
thread_local CallTimes *kernelConvTimes = nullptr;
/// At the start of the microkernel call in progress on this thread: the
/// thread's CPU time and the helpers' seconds so far.
thread_local double convStartSeconds = 0, convStartHelperSeconds = 0;

struct KernelPoolScope {
  KernelPoolScope(ThreadPool *pool, double *helperSeconds,
                  CallTimes *convTimes) {
    kernelPool = pool;
    kernelHelperSeconds = helperSeconds;
    kernelConvTimes = convTimes;
  }
  ~KernelPoolScope() {
    kernelPool = nullptr;
    kernelHelperSeconds = nullptr;
    kernelConvTimes = nullptr;
  }
};
} // namespace

extern "C" void kernelConvProbe(int64_t phase, double macs) {
  CallTimes *times = kernelConvTimes;
  if (!times)
    return;
  double helpers = kernelHelperSeconds ? *kernelHelperSeconds : 0;
  if (phase == 0) {
    convStartSeconds = threadCpuSeconds();
    convStartHelperSeconds = helpers;
    return;
  }
  times->convSeconds += threadCpuSeconds() - convStartSeconds + helpers -
                        convStartHelperSeconds;
  times->convMacs += macs;
}

extern "C" void kernelParallelRunner(int64_t count,
                                     void (*task)(void *, int64_t, int64_t),
                                     void *context) {
  ThreadPool *pool = kernelPool;
  if (!pool || pool->threads() < 2 || count < 2) {
    task(context, 0, count);
    return;
  }
  // One contiguous part per thread: the parts are whole rows of a layer, so
  // how many there are changes nothing but the speed.
  int64_t parts = std::min<int64_t>(count, pool->threads());
  double *helperSeconds = kernelHelperSeconds;
  std::thread::id caller = std::this_thread::get_id();
  std::vector<double> seconds(static_cast<size_t>(parts), 0.0);
  pool->parallelFor(parts, [&](int64_t p) {
    // The caller's own parts are in its thread CPU time already.
    bool helper = helperSeconds && std::this_thread::get_id() != caller;
    double start = helper ? threadCpuSeconds() : 0;
    task(context, count * p / parts, count * (p + 1) / parts);
    if (helper)
      seconds[p] = threadCpuSeconds() - start;
  });
  if (helperSeconds)
    *helperSeconds += std::accumulate(seconds.begin(), seconds.end(), 0.0);
}

StatusOr<std::unique_ptr<ComputeDevice>>
CpuDevice::create(const Program &program, const SessionOptions &,
                  ThreadPool &pool) {
  if (!program.hasCpuCode)
    return failedPrecondition(
        "the model has no CPU code (compiled with --target=cuda only); "
        "create the session with Device::Cuda or recompile with "
        "--target=cpu,cuda");
  return std::unique_ptr<ComputeDevice>(new CpuDevice(program, pool));
}

Status CpuDevice::run(const LoadedFunction &fn, int64_t batch,
                      const std::vector<const Tensor *> &inputs,
                      std::vector<Tensor> &outputs, CallTimes *times) {
  GOE_RETURN_IF_ERROR(prepareCall(fn, batch, inputs, outputs));
  int64_t chunks = std::min<int64_t>(batch, pool_.threads());
  // Each chunk's times; `helpers` the CPU time idle threads spent on its
  // fanned-out parts.
  std::vector<CallTimes> chunkTimes(static_cast<size_t>(chunks));
  std::vector<double> helpers(static_cast<size_t>(chunks), 0.0);
  pool_.parallelFor(chunks, [&](int64_t c) {
    int64_t begin = batch * c / chunks, end = batch * (c + 1) / chunks;
    double start = times ? threadCpuSeconds() : 0;
    // Fewer chunks than threads: the code may use the idle ones itself.
    KernelPoolScope scope(chunks < pool_.threads() ? &pool_ : nullptr,
                          times ? &helpers[c] : nullptr,
                          times ? &chunkTimes[c] : nullptr);
    callNative(program_, fn, begin, end - begin, inputs, outputs);
    if (times)
      chunkTimes[c].busySeconds = threadCpuSeconds() - start + helpers[c];
  });
  if (times)
    for (const CallTimes &chunk : chunkTimes) {
      times->busySeconds += chunk.busySeconds;
      times->convSeconds += chunk.convSeconds;
      times->convMacs += chunk.convMacs;
    }
  countCall(fn, batch);
  return okStatus();
}

} // namespace goe::runtime::detail
