//===- ServedModel.h - one model behind a dynamic batcher -----------------===//
//
// Requests for a model are queued; one worker thread takes the first, then
// as many more as fit in `maxBatch` samples or arrive within `maxDelay` of
// the first, concatenates them into one batch and runs it. The runtime
// groups a batch by routed path, so batching across requests is what makes
// each expert see a larger group than any one request brings
// (path-aware batching). Outputs and routes are split back per request.
// If a batch fails, its requests are retried one by one, so one bad request
// (an oracle label out of range) fails alone.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_SERVE_SERVEDMODEL_H
#define GOE_SERVE_SERVEDMODEL_H

#include "Metrics.h"

#include "goe/Runtime/Session.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <thread>

namespace goe::serve {

struct BatchingOptions {
  int64_t maxBatch = 32;                    // samples per run
  std::chrono::microseconds maxDelay{2000}; // wait for more after the first
  size_t maxQueue = 4096;                   // requests waiting; more: 503
};

/// One request's share of a ROUTE step.
struct RouteSlice {
  std::string router;
  int64_t k = 0;
  std::vector<int64_t> choices; // [batch][k]
  std::vector<float> weights;
};

struct InferResult {
  runtime::Status status = runtime::okStatus();
  std::vector<runtime::Tensor> outputs;
  std::vector<RouteSlice> routes;
};

class ServedModel {
public:
  static runtime::StatusOr<std::unique_ptr<ServedModel>>
  load(const std::string &name, const std::string &path,
       const BatchingOptions &options, Metrics &metrics);
  ~ServedModel();

  const std::string &name() const { return name_; }
  const runtime::Model &model() const { return *model_; }

  /// Queues `inputs` (already checked against the model's inputs, one batch
  /// each). Unavailable (503) when the queue is full or the model drains.
  std::future<InferResult> submit(std::vector<runtime::Tensor> inputs);

  /// Stops taking requests, runs what is queued, and stops the worker.
  void drain();

private:
  ServedModel(std::string name, std::shared_ptr<const runtime::Model> model,
              std::unique_ptr<runtime::Session> session,
              const BatchingOptions &options, Metrics &metrics);
  struct Pending {
    std::vector<runtime::Tensor> inputs;
    int64_t batch = 0;
    std::promise<InferResult> promise;
    std::chrono::steady_clock::time_point queued;
  };
  void work();
  void runBatch(std::vector<Pending> &batch);
  /// Runs `group` as one batch; fills one result per request.
  runtime::Status runTogether(std::vector<Pending *> group,
                              std::vector<InferResult> &results);

  std::string name_;
  std::shared_ptr<const runtime::Model> model_;
  std::unique_ptr<runtime::Session> session_;
  BatchingOptions options_;
  Metrics &metrics_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool draining_ = false;
  std::thread worker_;
};

} // namespace goe::serve

#endif // GOE_SERVE_SERVEDMODEL_H
