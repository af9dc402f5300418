//===- Session.cpp - running batches through a loaded model -------------===//
//
// A session: its device, its thread pool and the checks on every call; each
// run is an Execution (Execution.h) with its own value table, so concurrent
// runs on one Session are safe.
//
//===----------------------------------------------------------------------===//

#include "goe/Runtime/Session.h"

#include "Device.h"
#include "Execution.h"
#include "Program.h"
#include "ThreadPool.h"
#include "goe/Runtime/QuoteText.h"

#include <chrono>
#include <new>

namespace goe::runtime {
namespace {

uint64_t mixSeed(uint64_t a, uint64_t b) {
  uint64_t z = a ^ (b + 0x9e3779b97f4a7c15ull + (a << 6) + (a >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

} // namespace


Session::Session(std::shared_ptr<const Model> model,
                 const SessionOptions &options)
    : model_(std::move(model)), options_(options) {}

Session::~Session() = default;

std::string oversubscriptionWarning(int threads) {
  int cores = availableCores();
  if (threads <= cores)
    return "";
  return std::to_string(threads) + " threads on " + std::to_string(cores) +
         (cores == 1 ? " core" : " cores") +
         ": threads beyond the cores only wait for each other, so runs are "
         "slower, not faster; use at most " + std::to_string(cores);
}

int Session::threads() const { return pool_->threads(); }

StatusOr<std::unique_ptr<Session>>
Session::create(std::shared_ptr<const Model> model,
                const SessionOptions &options) {
  if (!model)
    return invalidArgument("cannot create a session without a model");
  if (options.threads < 0 || options.threads > kMaxSessionThreads)
    return invalidArgument(
        "threads = " + std::to_string(options.threads) + ": a session runs on "
        "1 to " + std::to_string(kMaxSessionThreads) +
        " threads (0 = every core)");
  std::unique_ptr<Session> session(new Session(model, options));
  int threads = options.threads == 0 ? availableCores() : options.threads;
  if (std::string warning = oversubscriptionWarning(threads); !warning.empty())
    session->warnings_.push_back(warning);
  StatusOr<std::unique_ptr<detail::ThreadPool>> pool =
      detail::ThreadPool::create(threads);
  if (!pool.ok())
    return pool.status();
  session->pool_ = std::move(pool).value();
  StatusOr<std::unique_ptr<detail::ComputeDevice>> device =
      detail::createDevice(model->program(), options, *session->pool_);
  if (!device.ok())
    return device.status();
  session->device_ = std::move(device).value();
  return session;
}

Status Session::checkInputs(const std::vector<TensorView> &inputs) const {
  const detail::Program &program = model_->program();
  size_t expected = program.inputSpecs.size();
  if (inputs.size() != expected) {
    std::string names;
    for (const std::string &name : program.inputNames)
      names += (names.empty() ? "" : ", ") + name;
    return invalidArgument("the model takes " + std::to_string(expected) +
                           " inputs (" + names + "), got " +
                           std::to_string(inputs.size()));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorView &in = inputs[i];
    const TensorSpec &spec = program.inputSpecs[i];
    std::string what = "input " + quoteText(program.inputNames[i]) + " (#" +
                       std::to_string(i) + ")";
    if (in.dtype != DType::F32 && in.dtype != DType::I64)
      return invalidArgument(what + " has an unknown dtype");
    if (in.dtype != spec.dtype)
      return invalidArgument(what + " is " + dtypeName(in.dtype) +
                             ", the model expects " + dtypeName(spec.dtype));
    if (in.shape.empty())
    {
      std::vector<int64_t> full{-1};
      full.insert(full.end(), spec.shape.begin(), spec.shape.end());
      return invalidArgument(what + " is a scalar; expected [batch" +
                             shapeToString(full).substr(3));
    }
    std::vector<int64_t> perSample(in.shape.begin() + 1, in.shape.end());
    if (perSample != spec.shape)
      return invalidArgument(what + " has per-sample shape " +
                             shapeToString(perSample) + " (tensor " +
                             shapeToString(in.shape) +
                             "), the model expects " +
                             shapeToString(spec.shape));
    if (in.shape[0] < 1)
      return invalidArgument(what + " has batch " + std::to_string(in.shape[0]) +
                             "; a batch needs at least one sample");
    StatusOr<int64_t> numel = checkedNumel(in.shape);
    if (!numel.ok())
      return numel.status().withContext(what);
    if (*numel > 0 && !in.data)
      return invalidArgument(what + " has no data");
    if (in.shape[0] != inputs[0].shape[0])
      return invalidArgument(
          what + " has batch " + std::to_string(in.shape[0]) + ", input " +
          quoteText(program.inputNames[0]) + " (#0) has batch " +
          std::to_string(inputs[0].shape[0]));
  }
  return okStatus();
}

Status Session::run(const std::vector<TensorView> &inputs, RunResult &result,
                    const RunOptions &options) const {
  result = RunResult();
  GOE_RETURN_IF_ERROR(checkInputs(inputs));
  uint64_t call = calls_.fetch_add(1, std::memory_order_relaxed);
  uint64_t runSeed = options.seed ? *options.seed
                                  : mixSeed(options_.randomSeed, call);
  Status status;
  auto start = std::chrono::steady_clock::now();
  auto wallSince = [](auto from) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         from)
        .count();
  };
  try {
    status = detail::executeProgram(model_->program(), *device_, *pool_,
                                    options.profile, runSeed, inputs, result);
    if (status.ok() && options.profile)
      options.profile->recordRun(inputs[0].shape[0], wallSince(start),
                                 pool_->threads());
  } catch (const std::bad_alloc &) {
    status = resourceExhausted("out of memory while running a batch of " +
                               std::to_string(inputs[0].shape[0]));
  }
  if (!status.ok())
    result = RunResult();
  return status;
}

Status Session::run(const std::vector<Tensor> &inputs, RunResult &result,
                    const RunOptions &options) const {
  std::vector<TensorView> views;
  views.reserve(inputs.size());
  for (const Tensor &t : inputs)
    views.push_back(t.view());
  return run(views, result, options);
}

} // namespace goe::runtime
