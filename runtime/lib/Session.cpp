//===- Session.cpp - running batches through a loaded model -------------===//
//
// The interpreter over the model's steps. Each run owns its value table;
// nothing here writes shared state except atomics, which is what makes
// concurrent runs on one Session safe.
//
//===----------------------------------------------------------------------===//

#include "goe/Runtime/Session.h"

#include "Device.h"
#include "Program.h"
#include "TensorOps.h"
#include "combines/Combiner.h"
#include "goe/Runtime/QuoteText.h"
#include "routers/Router.h"

#include <new>
#include <optional>

namespace goe::runtime {
namespace {

using detail::Program;
using detail::ProgramStep;

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

uint64_t mixSeed(uint64_t a, uint64_t b) {
  uint64_t z = a ^ (b + 0x9e3779b97f4a7c15ull + (a << 6) + (a >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// Executes one run: the value table and the step interpreter.
class Execution {
public:
  Execution(const Program &program, detail::ComputeDevice &device,
            uint64_t runSeed, int64_t batch, RunResult &result)
      : program(program), device(device), runSeed(runSeed), batch(batch),
        result(result), values(program.values.size()) {}

  Status run(const std::vector<TensorView> &inputs) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      // Copied, not borrowed: values are handed to compiled code as
      // mutable memrefs, and the caller's buffer must stay untouched.
      StatusOr<Tensor> copy = Tensor::copyOf(inputs[i]);
      if (!copy.ok())
        return copy.status();
      values[i].tensor = std::move(copy).value();
    }
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
    case artifact::Step::TRANSPOSE:
      return define(step.outputs[0],
                    detail::transpose(tensor(step.inputs[0]), step.perm));
    default:
      return internalError("unknown step kind");
    }
  }

  Status executeCall(const ProgramStep &step) {
    const detail::LoadedFunction &fn = *program.functions[step.function];
    std::vector<Tensor> outputs;
    GOE_RETURN_IF_ERROR(device.run(fn, batch, tensors(step.inputs), outputs));
    for (size_t i = 0; i < outputs.size(); ++i)
      values[step.outputs[i]].tensor = std::move(outputs[i]);
    return okStatus();
  }

  Status executeRoute(const ProgramStep &step) {
    const detail::LoadedRouter &router = program.routers[step.router];
    std::vector<const Tensor *> inputs = tensors(step.inputs);
    detail::RouteContext context;
    context.batch = batch;
    context.inputs = &inputs;
    context.runSeed = runSeed;
    context.step = step.index;
    context.runBody = [&](std::vector<Tensor> &outputs) {
      return device.run(*program.functions[router.body], batch, inputs,
                        outputs);
    };
    RouteDecision decision;
    GOE_RETURN_IF_ERROR(router.rule->route(router, context, decision));
    decision.step = step.index;
    result.routes[step.routeOrdinal] = decision;
    values[step.outputs[0]].route = std::move(decision);
    return okStatus();
  }

  /// Groups the batch by path, runs each path's chain on its group only and
  /// scatters the results into slot j of the [B, k, ...] outputs.
  Status executeDispatch(const ProgramStep &step) {
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

    std::vector<Tensor> outputs;
    for (int id : step.outputs) {
      std::vector<int64_t> shape{batch};
      const TensorSpec &spec = program.values[id].spec;
      shape.insert(shape.end(), spec.shape.begin(), spec.shape.end());
      StatusOr<Tensor> out = Tensor::zeros(spec.dtype, std::move(shape));
      if (!out.ok())
        return out.status();
      outputs.push_back(std::move(out).value());
    }

    DispatchCounts &counts = result.dispatches[step.dispatchOrdinal];
    counts.step = step.index;
    counts.samplesPerPath.assign(numPaths, 0);
    for (size_t p = 0; p < numPaths; ++p) {
      int64_t n = static_cast<int64_t>(rows[p].size());
      counts.samplesPerPath[p] = n;
      if (n == 0)
        continue; // no input chose this path: none of its code runs
      std::string where = "path " + std::to_string(p);

      // The whole batch in order (k = 1, one path) needs no gather.
      bool wholeBatch = n == batch && routing.k == 1;
      std::vector<Tensor> current;
      std::vector<const Tensor *> args;
      if (wholeBatch) {
        args = tensors(step.inputs);
      } else {
        for (int id : step.inputs) {
          StatusOr<Tensor> group = detail::gatherRows(tensor(id), rows[p]);
          if (!group.ok())
            return group.status().withContext(where);
          current.push_back(std::move(group).value());
        }
        for (const Tensor &t : current)
          args.push_back(&t);
      }
      for (int f : step.paths[p]) {
        const detail::LoadedFunction &fn = *program.functions[f];
        std::vector<Tensor> next;
        GOE_RETURN_IF_ERROR(
            device.run(fn, n, args, next)
                .withContext(where + ", function " + quoteText(fn.name)));
        current = std::move(next);
        args.clear();
        for (const Tensor &t : current)
          args.push_back(&t);
      }
      for (size_t i = 0; i < outputs.size(); ++i)
        detail::scatterRowsToSlots(*args[i], rows[p], slots[p], outputs[i]);
    }
    for (size_t i = 0; i < outputs.size(); ++i)
      values[step.outputs[i]].tensor = std::move(outputs[i]);
    return okStatus();
  }

  Status executeCombine(const ProgramStep &step) {
    const RouteDecision *routing =
        step.routing >= 0 ? &*values[step.routing].route : nullptr;
    std::vector<Tensor> outputs;
    GOE_RETURN_IF_ERROR(
        step.combine->combine(tensors(step.inputs), routing, outputs));
    for (size_t i = 0; i < outputs.size(); ++i)
      values[step.outputs[i]].tensor = std::move(outputs[i]);
    return okStatus();
  }

  const Program &program;
  detail::ComputeDevice &device;
  uint64_t runSeed;
  int64_t batch;
  RunResult &result;
  std::vector<Value> values;
};

} // namespace

Session::Session(std::shared_ptr<const Model> model,
                 const SessionOptions &options)
    : model_(std::move(model)), options_(options) {}

StatusOr<std::unique_ptr<Session>>
Session::create(std::shared_ptr<const Model> model,
                const SessionOptions &options) {
  if (!model)
    return invalidArgument("cannot create a session without a model");
  std::unique_ptr<Session> session(new Session(model, options));
  StatusOr<std::unique_ptr<detail::ComputeDevice>> device =
      detail::createDevice(model->program(), options);
  if (!device.ok())
    return device.status();
  session->device_ = std::move(device).value();
  return session;
}

Status Session::checkInputs(const std::vector<TensorView> &inputs) const {
  const Program &program = model_->program();
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
  try {
    Execution execution(model_->program(), *device_, runSeed,
                        inputs[0].shape[0], result);
    status = execution.run(inputs);
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
