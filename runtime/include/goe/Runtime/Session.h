//===- Session.h - running batches through a loaded model -------*- C++ -*-===//
//
// Session::run interprets the model's steps over a table of values: routers
// decide per input, DISPATCH groups the batch by chosen path and runs each
// path's compiled code on its group only, COMBINE merges the k chosen
// results, and the outputs come back in input order together with every
// routing decision and the per-path group sizes.
//
// Ownership: a Session holds a reference to its Model.
//
// Threads: a Session owns a pool of SessionOptions::threads threads (all
// cores by default). A run spreads its work over them: the groups of a
// DISPATCH (one per path) run in parallel, and every call of compiled code
// on several samples is split into chunks of samples. Every sample's result
// is computed by the same code whichever thread runs it, so outputs are
// bit-identical for any thread count.
//
// Thread safety: Session::run may be called from several threads at once on
// the same Session (and on different Sessions of one Model): a call keeps
// all its state on its own stack and heap; the shared mutable state is
// atomic (the model's function counters and the session's call counter for
// random routing) or the thread pool, which takes concurrent jobs. Each call
// needs its own RunResult.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_SESSION_H
#define GOE_RUNTIME_SESSION_H

#include "goe/Runtime/Model.h"
#include "goe/Runtime/Profile.h"
#include "goe/Runtime/Status.h"
#include "goe/Runtime/Tensor.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace goe::runtime {

namespace detail {
class ComputeDevice;
class ThreadPool;
} // namespace detail

/// Where a session runs compiled code: a device of this runtime, by name
/// (runtime/lib/DeviceRegistry.cpp). "cpu" (the default) runs the model's
/// native code; "cuda" needs the model's CUDA code object (goe-compile
/// --target=cuda), an NVIDIA GPU and its driver (libcuda.so.1, loaded at
/// session creation; the runtime does not link it). Routing, grouping by
/// path and combining run on the host on every device.
class Device {
public:
  Device(std::string name = "cpu") : name_(std::move(name)) {}
  Device(const char *name) : name_(name) {}
  const std::string &name() const { return name_; }
  bool operator==(const Device &other) const { return name_ == other.name_; }
  bool operator!=(const Device &other) const { return name_ != other.name_; }

  static const Device Cpu;
  static const Device Cuda;

private:
  std::string name_;
};
inline const Device Device::Cpu{"cpu"};
inline const Device Device::Cuda{"cuda"};

/// The names of the devices this runtime can create sessions on.
std::vector<std::string> availableDevices();

struct SessionOptions {
  Device device = Device::Cpu;
  /// Which device of that kind (cuda: the driver's ordinal).
  int deviceOrdinal = 0;
  /// cuda: the driver library to dlopen (tests point it elsewhere).
  std::string cudaDriverLibrary = "libcuda.so.1";
  /// Mixed into the seed of `random` routers when a run gives no seed; with
  /// the session's call counter it makes successive runs differ while a
  /// fresh session with the same seed replays the same decisions.
  uint64_t randomSeed = 0;
  /// Threads a run computes on (the caller's included): 0 = every core
  /// this process may use (its CPU affinity). More threads than cores is
  /// allowed but slower, and Session::warnings() says so. At most
  /// kMaxSessionThreads.
  int threads = 0;
};

/// The most threads a session may have.
inline constexpr int kMaxSessionThreads = 1024;

/// The cores this process may run on (its CPU affinity mask), at least 1:
/// what SessionOptions::threads = 0 means.
int availableCores();

/// What to tell a user who asks for `threads` threads on availableCores()
/// cores ("1000 threads on 2 cores: ... slower, not faster; use at most
/// 2"), or "" when they fit. Session::warnings() and the tools' --threads
/// say this.
std::string oversubscriptionWarning(int threads);

struct RunOptions {
  /// Seed for `random` routers in this run (mixed with the router's
  /// params["seed"]). With it, a run's decisions depend on nothing else:
  /// not on other runs, threads or how the batch is split.
  std::optional<uint64_t> seed;
  /// If set, the run adds its kernel, path and runtime times to it
  /// (Profile.h); it may be shared by several runs, concurrent ones too.
  /// Without it nothing is timed.
  Profile *profile = nullptr;
};

/// What one ROUTE step decided for a batch.
struct RouteDecision {
  std::string router;
  int step = 0;      // index in Model.steps
  int64_t batch = 0;
  int64_t k = 0;
  /// [batch][k], row-major: the chosen choice indices, in choice order
  /// (topk: descending probability).
  std::vector<int64_t> choices;
  /// [batch][k]: the weight of each chosen path (summing to 1 per input for
  /// topk and random; 1 for oracle).
  std::vector<float> weights;

  int64_t choice(int64_t b, int64_t j) const { return choices[b * k + j]; }
  float weight(int64_t b, int64_t j) const { return weights[b * k + j]; }
};

/// How many samples each path of one DISPATCH step received in a run.
struct DispatchCounts {
  int step = 0;
  std::vector<int64_t> samplesPerPath;
};

struct RunResult {
  /// The model's outputs, [batch, per-sample shape...], in input order.
  std::vector<Tensor> outputs;
  /// One entry per ROUTE step, in step order.
  std::vector<RouteDecision> routes;
  /// One entry per DISPATCH step, in step order.
  std::vector<DispatchCounts> dispatches;
};

class Session {
public:
  static StatusOr<std::unique_ptr<Session>>
  create(std::shared_ptr<const Model> model, const SessionOptions &options = {});

  /// Runs one batch. `inputs` follow the model's inputs in order, each
  /// [batch, per-sample shape...] with the same batch >= 1. On error
  /// `result` is left empty and the message names the input or the step.
  Status run(const std::vector<TensorView> &inputs, RunResult &result,
             const RunOptions &options = {}) const;
  Status run(const std::vector<Tensor> &inputs, RunResult &result,
             const RunOptions &options = {}) const;

  const Model &model() const { return *model_; }

  /// The threads a run computes on.
  int threads() const;

  /// Things about the session's options worth telling the user that are
  /// not errors (more threads than cores), found at creation; each once.
  const std::vector<std::string> &warnings() const { return warnings_; }

  ~Session();

private:
  Session(std::shared_ptr<const Model> model, const SessionOptions &options);
  Status checkInputs(const std::vector<TensorView> &inputs) const;

  std::shared_ptr<const Model> model_;
  SessionOptions options_;
  std::vector<std::string> warnings_;
  /// The workers runs share; declared before device_, which refers to it.
  std::unique_ptr<detail::ThreadPool> pool_;
  /// Runs the compiled functions: the CPU, or a GPU with the model's
  /// kernels and weights loaded.
  std::shared_ptr<detail::ComputeDevice> device_;
  mutable std::atomic<uint64_t> calls_{0};
};

} // namespace goe::runtime

#endif // GOE_RUNTIME_SESSION_H
