//===- ServedModel.cpp - one model behind a dynamic batcher ---------------===//

#include "ServedModel.h"

#include <cstring>

namespace goe::serve {

using runtime::Status;
using runtime::Tensor;

runtime::StatusOr<std::unique_ptr<ServedModel>>
ServedModel::load(const std::string &name, const std::string &path,
                  const BatchingOptions &options, Metrics &metrics) {
  if (options.maxBatch < 1)
    return runtime::invalidArgument("the maximum batch must be at least 1");
  auto model = runtime::Model::load(path);
  if (!model.ok())
    return model.status();
  auto session = runtime::Session::create(*model);
  if (!session.ok())
    return session.status();
  return std::unique_ptr<ServedModel>(
      new ServedModel(name, std::move(model).value(), std::move(session).value(),
                      options, metrics));
}

ServedModel::ServedModel(std::string name,
                         std::shared_ptr<const runtime::Model> model,
                         std::unique_ptr<runtime::Session> session,
                         const BatchingOptions &options, Metrics &metrics)
    : name_(std::move(name)), model_(std::move(model)),
      session_(std::move(session)), options_(options), metrics_(metrics) {
  worker_ = std::thread([this] { work(); });
}

ServedModel::~ServedModel() { drain(); }

std::future<InferResult> ServedModel::submit(std::vector<Tensor> inputs) {
  Pending pending;
  pending.batch = inputs.empty() ? 0 : inputs[0].shape()[0];
  pending.inputs = std::move(inputs);
  pending.queued = std::chrono::steady_clock::now();
  std::future<InferResult> future = pending.promise.get_future();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (draining_ || queue_.size() >= options_.maxQueue) {
      InferResult refused;
      refused.status = runtime::failedPrecondition(
          draining_ ? "model '" + name_ + "' is shutting down"
                    : "model '" + name_ + "' has " +
                          std::to_string(queue_.size()) +
                          " requests queued; try again later");
      pending.promise.set_value(std::move(refused));
      return future;
    }
    queue_.push_back(std::move(pending));
  }
  wake_.notify_one();
  return future;
}

void ServedModel::drain() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    draining_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable())
    worker_.join();
}

void ServedModel::work() {
  for (;;) {
    std::vector<Pending> batch;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return draining_ || !queue_.empty(); });
      if (queue_.empty())
        return; // draining and nothing left
      auto deadline = queue_.front().queued + options_.maxDelay;
      int64_t samples = 0;
      for (;;) {
        while (!queue_.empty() &&
               (batch.empty() || samples + queue_.front().batch <= options_.maxBatch)) {
          samples += queue_.front().batch;
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        // Full, draining (run now), or waited long enough.
        bool full = samples >= options_.maxBatch ||
                    (!queue_.empty() && samples + queue_.front().batch > options_.maxBatch);
        if (full || draining_ ||
            wake_.wait_until(lock, deadline) == std::cv_status::timeout)
          break;
      }
      // Anything that arrived at the deadline but did not fit waits for the
      // next batch.
    }
    runBatch(batch);
  }
}

void ServedModel::runBatch(std::vector<Pending> &batch) {
  std::vector<InferResult> results(batch.size());
  std::vector<Pending *> all;
  for (Pending &p : batch)
    all.push_back(&p);
  Status status = runTogether(all, results);
  if (!status.ok() && batch.size() > 1) {
    // Find the culprit: each request alone.
    for (size_t i = 0; i < batch.size(); ++i) {
      std::vector<InferResult> one(1);
      Status alone = runTogether({&batch[i]}, one);
      if (!alone.ok())
        one[0].status = alone;
      results[i] = std::move(one[0]);
    }
  } else if (!status.ok()) {
    results[0].status = status;
  }
  for (size_t i = 0; i < batch.size(); ++i)
    batch[i].promise.set_value(std::move(results[i]));
}

Status ServedModel::runTogether(std::vector<Pending *> group,
                                std::vector<InferResult> &results) {
  auto start = std::chrono::steady_clock::now();
  int64_t total = 0;
  for (Pending *p : group)
    total += p->batch;
  // One tensor per input: the requests' rows one after another.
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < model_->numInputs(); ++i) {
    std::vector<int64_t> shape{total};
    const runtime::TensorSpec &spec = model_->inputSpec(i);
    shape.insert(shape.end(), spec.shape.begin(), spec.shape.end());
    auto tensor = Tensor::uninitialized(spec.dtype, shape);
    if (!tensor.ok())
      return tensor.status();
    char *dst = static_cast<char *>(tensor->data());
    for (Pending *p : group) {
      std::memcpy(dst, p->inputs[i].data(), p->inputs[i].byteSize());
      dst += p->inputs[i].byteSize();
    }
    inputs.push_back(std::move(tensor).value());
  }
  runtime::RunResult run;
  GOE_RETURN_IF_ERROR(session_->run(inputs, run));
  double runSeconds = std::chrono::duration<double>(
                          std::chrono::steady_clock::now() - start).count();
  double queueSeconds = std::chrono::duration<double>(start - group[0]->queued).count();
  metrics_.batch(name_, total, queueSeconds, runSeconds);
  for (const runtime::DispatchCounts &d : run.dispatches)
    for (size_t path = 0; path < d.samplesPerPath.size(); ++path)
      metrics_.pathSamples(name_, d.step, path, d.samplesPerPath[path]);

  int64_t offset = 0;
  for (size_t r = 0; r < group.size(); ++r) {
    int64_t rows = group[r]->batch;
    InferResult &result = results[r];
    for (const Tensor &out : run.outputs) {
      std::vector<int64_t> shape = out.shape();
      shape[0] = rows;
      auto part = Tensor::uninitialized(out.dtype(), shape);
      if (!part.ok())
        return part.status();
      size_t rowBytes = out.byteSize() / size_t(total);
      std::memcpy(part->data(), static_cast<const char *>(out.data()) + offset * rowBytes,
                  rowBytes * rows);
      result.outputs.push_back(std::move(part).value());
    }
    for (const runtime::RouteDecision &route : run.routes) {
      RouteSlice slice{route.router, route.k, {}, {}};
      slice.choices.assign(route.choices.begin() + offset * route.k,
                           route.choices.begin() + (offset + rows) * route.k);
      slice.weights.assign(route.weights.begin() + offset * route.k,
                           route.weights.begin() + (offset + rows) * route.k);
      result.routes.push_back(std::move(slice));
    }
    offset += rows;
  }
  return runtime::okStatus();
}

} // namespace goe::serve
