//===- Execution.cpp - one run of a program's steps -----------------------===//
//
// See Execution.h.
//
//===----------------------------------------------------------------------===//

#include "Execution.h"

#include "Device.h"
#include "Program.h"
#include "TensorOps.h"
#include "ThreadPool.h"
#include "combines/Combiner.h"
#include "goe/Runtime/QuoteText.h"
#include "routers/Router.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace goe::runtime::detail {
namespace {

const char *stepKindName(int kind) {
  switch (kind) {
  case artifact::Step::CALL:
    return "CALL";
  case artifact::Step::ROUTE:
    return "ROUTE";
  case artifact::Step::DISPATCH:
    return "DISPATCH";
  case artifact::Step::COMBINE:
    return "COMBINE";
  case artifact::Step::TRANSPOSE:
    return "TRANSPOSE";
  }
  return "UNKNOWN";
}

/// One slot of the value table: a tensor or a routing decision.
struct Value {
  std::optional<Tensor> tensor;
  std::optional<RouteDecision> route;
};

/// Executes one run: the value table and the step interpreter.
class Execution {
public:
  Execution(const Program &program, ComputeDevice &device,
            ThreadPool &pool, Profile *profile, uint64_t runSeed,
            int64_t batch, RunResult &result)
      : program(program), device(device), pool(pool), profile(profile),
        runSeed(runSeed), batch(batch), result(result),
        values(program.values.size()) {}

  Status run(const std::vector<TensorView> &inputs) {
    double start = now();
    for (size_t i = 0; i < inputs.size(); ++i) {
      // Copied, not borrowed: values are handed to compiled code as
      // mutable memrefs, and the caller's buffer must stay untouched.
      StatusOr<Tensor> copy = Tensor::copyOf(inputs[i]);
      if (!copy.ok())
        return copy.status();
      values[i].tensor = std::move(copy).value();
    }
    recordRuntime("copying the inputs", start);
    result.routes.resize(static_cast<size_t>(program.numRoutes));
    result.dispatches.resize(static_cast<size_t>(program.numDispatches));
    for (const ProgramStep &step : program.steps) {
      Status status = execute(step);
      if (!status.ok())
        return status.withContext("step " + std::to_string(step.index) + " (" +
                                  stepKindName(step.kind) + ")");
      for (int id : step.release)
        values[id] = Value();
    }
    for (size_t i = 0; i < program.outputs.size(); ++i) {
      Value &value = values[program.outputs[i]];
      bool usedAgain = false;
      for (size_t j = i + 1; j < program.outputs.size(); ++j)
        usedAgain |= program.outputs[j] == program.outputs[i];
      if (usedAgain) {
        StatusOr<Tensor> copy = value.tensor->clone();
        if (!copy.ok())
          return copy.status();
        result.outputs.push_back(std::move(copy).value());
      } else {
        result.outputs.push_back(std::move(*value.tensor));
      }
    }
    return okStatus();
  }

private:
  const Tensor &tensor(int id) const { return *values[id].tensor; }

  std::vector<const Tensor *> tensors(const std::vector<int> &ids) const {
    std::vector<const Tensor *> out;
    for (int id : ids)
      out.push_back(&tensor(id));
    return out;
  }

  /// Runs `fn` on `n` samples through the device, profiled if asked.
  Status call(const LoadedFunction &fn, int64_t n,
              const std::vector<const Tensor *> &inputs,
              std::vector<Tensor> &outputs, double *busy = nullptr) {
    CallTimes times;
    GOE_RETURN_IF_ERROR(
        device.run(fn, n, inputs, outputs, profile ? &times : nullptr));
    if (profile) {
      profile->record(Profile::Kind::Kernel, fn.name,
                      static_cast<uint64_t>(n), times.busySeconds, fn.macs);
      if (times.convMacs > 0)
        profile->record(Profile::Kind::Convolution, fn.name,
                        static_cast<uint64_t>(n), times.convSeconds,
                        std::llround(times.convMacs / double(n)));
    }
    if (busy)
      *busy += times.busySeconds;
    return okStatus();
  }

  /// Profiles count the runtime's work in thread CPU time, as the kernels';
  /// without a profile nothing is timed (the clock is a system call).
  double now() const { return profile ? threadCpuSeconds() : 0; }
  double elapsedSince(double start) const { return now() - start; }

  /// Runtime work from `start` to now, under `what`.
  void recordRuntime(const std::string &what, double start,
                     double minus = 0) {
    if (profile)
      profile->record(Profile::Kind::Runtime, what,
                      static_cast<uint64_t>(batch), elapsedSince(start) - minus);
  }

  std::string stepName(const ProgramStep &step, const std::string &what) {
    return std::string(stepKindName(step.kind)) + (what.empty() ? "" : " ") +
           what + " (step " + std::to_string(step.index) + ")";
  }

  Status define(int id, StatusOr<Tensor> value) {
    if (!value.ok())
      return value.status();
    values[id].tensor = std::move(value).value();
    return okStatus();
  }

  Status execute(const ProgramStep &step) {
    switch (step.kind) {
    case artifact::Step::CALL:
      return executeCall(step);
    case artifact::Step::ROUTE:
      return executeRoute(step);
    case artifact::Step::DISPATCH:
      return executeDispatch(step);
    case artifact::Step::COMBINE:
      return executeCombine(step);
    case artifact::Step::TRANSPOSE: {
      double start = now();
      Status status = define(step.outputs[0], transpose(
                                                  tensor(step.inputs[0]), step.perm));
      recordRuntime(stepName(step, ""), start);
      return status;
    }
    default:
      return internalError("unknown step kind");
    }
  }

  Status executeCall(const ProgramStep &step) {
    const LoadedFunction &fn = *program.functions[step.function];
    std::vector<Tensor> outputs;
    GOE_RETURN_IF_ERROR(call(fn, batch, tensors(step.inputs), outputs));
    for (size_t i = 0; i < outputs.size(); ++i)
      values[step.outputs[i]].tensor = std::move(outputs[i]);
    return okStatus();
  }

  Status executeRoute(const ProgramStep &step) {
    const LoadedRouter &router = program.routers[step.router];
    std::vector<const Tensor *> inputs = tensors(step.inputs);
    RouteContext context;
    context.batch = batch;
    context.inputs = &inputs;
    context.runSeed = runSeed;
    context.step = step.index;
    // The body is a kernel; the rest of routing is the runtime's work (the
    // body's time on this thread is subtracted).
    double start = now();
    double bodyCpu = 0;
    context.runBody = [&](std::vector<Tensor> &outputs) {
      double bodyStart = now();
      Status status =
          call(*program.functions[router.body], batch, inputs, outputs);
      bodyCpu += elapsedSince(bodyStart);
      return status;
    };
    RouteDecision decision;
    GOE_RETURN_IF_ERROR(router.rule->route(router, context, decision));
    recordRuntime(stepName(step, router.name), start, bodyCpu);
    decision.step = step.index;
    result.routes[step.routeOrdinal] = decision;
    values[step.outputs[0]].route = std::move(decision);
    return okStatus();
  }

  /// Groups the batch by path, runs each path's chain on its group only and
  /// scatters the results into slot j of the [B, k, ...] outputs. The
  /// groups run in parallel; errors are reported for the lowest path.
  Status executeDispatch(const ProgramStep &step) {
    double start = now();
    const RouteDecision &routing = *values[step.routing].route;
    size_t numPaths = step.paths.size();
    std::vector<std::vector<int64_t>> rows(numPaths), slots(numPaths);
    for (int64_t b = 0; b < routing.batch; ++b) {
      for (int64_t j = 0; j < routing.k; ++j) {
        int64_t p = routing.choice(b, j);
        if (p < 0 || p >= static_cast<int64_t>(numPaths))
          return internalError("routing chose path " + std::to_string(p));
        rows[p].push_back(b);
        slots[p].push_back(j);
      }
    }

    // Every (sample, slot) is some path's (each choice is a path, checked
    // above), and each path writes all of its slots, so the outputs need
    // no zeroing first.
    std::vector<Tensor> outputs;
    for (int id : step.outputs) {
      std::vector<int64_t> shape{batch};
      const TensorSpec &spec = program.values[id].spec;
      shape.insert(shape.end(), spec.shape.begin(), spec.shape.end());
      StatusOr<Tensor> out = outputTensor(spec.dtype, std::move(shape));
      if (!out.ok())
        return out.status();
      outputs.push_back(std::move(out).value());
    }

    DispatchCounts &counts = result.dispatches[step.dispatchOrdinal];
    counts.step = step.index;
    counts.samplesPerPath.assign(numPaths, 0);
    std::vector<size_t> used; // paths some input chose; the others' code never runs
    for (size_t p = 0; p < numPaths; ++p) {
      counts.samplesPerPath[p] = static_cast<int64_t>(rows[p].size());
      if (!rows[p].empty())
        used.push_back(p);
    }
    // Largest group first: the threads take paths in this order, so the
    // last ones taken are the shortest and the threads finish together
    // however unevenly the router split the batch. Each path's rows are
    // its own, so the order changes no result.
    std::stable_sort(used.begin(), used.end(), [&](size_t a, size_t b) {
      return rows[a].size() > rows[b].size();
    });
    // Busy time outside the kernels: grouping here, then each path's
    // gather and scatter.
    double overhead = elapsedSince(start);
    std::vector<Status> statuses(used.size());
    std::vector<double> copySeconds(used.size(), 0.0);
    pool.parallelFor(static_cast<int64_t>(used.size()), [&](int64_t u) {
      size_t p = used[u];
      statuses[u] = runPath(step, p, rows[p], slots[p], outputs,
                            copySeconds[u]);
    });
    for (const Status &status : statuses)
      GOE_RETURN_IF_ERROR(status);
    for (size_t i = 0; i < outputs.size(); ++i)
      values[step.outputs[i]].tensor = std::move(outputs[i]);
    if (profile) {
      for (double s : copySeconds)
        overhead += s;
      profile->record(Profile::Kind::Runtime,
                      stepName(step, "grouping, gather, scatter"),
                      static_cast<uint64_t>(batch), overhead);
    }
    return okStatus();
  }

  /// Path `p` of a DISPATCH on the `rows` routed to it: gather, its chain of
  /// functions, scatter into `slots` of `outputs`. Sets `copySeconds` to the
  /// time the gather and the scatter took.
  Status runPath(const ProgramStep &step, size_t p,
                 const std::vector<int64_t> &rows,
                 const std::vector<int64_t> &slots,
                 std::vector<Tensor> &outputs, double &copySeconds) {
    double start = now();
    int64_t n = static_cast<int64_t>(rows.size());
    std::string where = "path " + std::to_string(p);
    // A path every sample chose once (as with k = 1 and one path, or
    // top-2 of two) has the whole batch in order: no gather.
    bool wholeBatch = n == batch;
    for (int64_t i = 0; wholeBatch && i < n; ++i)
      wholeBatch = rows[i] == i;
    std::vector<Tensor> current;
    std::vector<const Tensor *> args;
    if (wholeBatch) {
      args = tensors(step.inputs);
    } else {
      for (int id : step.inputs) {
        StatusOr<Tensor> group = gatherRows(tensor(id), rows);
        if (!group.ok())
          return group.status().withContext(where);
        current.push_back(std::move(group).value());
      }
      for (const Tensor &t : current)
        args.push_back(&t);
    }
    copySeconds = elapsedSince(start);
    double pathSeconds = 0;
    for (int f : step.paths[p]) {
      const LoadedFunction &fn = *program.functions[f];
      std::vector<Tensor> next;
      GOE_RETURN_IF_ERROR(call(fn, n, args, next, &pathSeconds)
                              .withContext(where + ", function " +
                                           quoteText(fn.name)));
      current = std::move(next);
      args.clear();
      for (const Tensor &t : current)
        args.push_back(&t);
    }
    start = now();
    for (size_t i = 0; i < outputs.size(); ++i)
      scatterRowsToSlots(*args[i], rows, slots, outputs[i]);
    copySeconds += elapsedSince(start);
    if (profile) {
      std::string name = "dispatch step " + std::to_string(step.index) +
                         " path " + std::to_string(p) + ":";
      int64_t macs = 0;
      for (size_t i = 0; i < step.paths[p].size(); ++i) {
        const LoadedFunction &fn = *program.functions[step.paths[p][i]];
        name += (i ? ", " : " ") + fn.name;
        macs += fn.macs;
      }
      profile->record(Profile::Kind::Path, name, static_cast<uint64_t>(n),
                      pathSeconds, macs);
    }
    return okStatus();
  }

  Status executeCombine(const ProgramStep &step) {
    const RouteDecision *routing =
        step.routing >= 0 ? &*values[step.routing].route : nullptr;
    std::vector<Tensor> outputs;
    double start = now();
    GOE_RETURN_IF_ERROR(
        step.combine->combine(tensors(step.inputs), routing, outputs));
    recordRuntime(stepName(step, step.combineKind), start);
    for (size_t i = 0; i < outputs.size(); ++i)
      values[step.outputs[i]].tensor = std::move(outputs[i]);
    return okStatus();
  }

  const Program &program;
  ComputeDevice &device;
  ThreadPool &pool;
  Profile *profile;
  uint64_t runSeed;
  int64_t batch;
  RunResult &result;
  std::vector<Value> values;
};

} // namespace

Status executeProgram(const Program &program, ComputeDevice &device,
                      ThreadPool &pool, Profile *profile, uint64_t runSeed,
                      const std::vector<TensorView> &inputs,
                      RunResult &result) {
  Execution execution(program, device, pool, profile, runSeed,
                      inputs[0].shape[0], result);
  return execution.run(inputs);
}

} // namespace goe::runtime::detail
