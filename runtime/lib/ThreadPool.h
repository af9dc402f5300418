//===- ThreadPool.h - a session's persistent worker threads -----*- C++ -*-===//
//
// A Session runs a batch's independent work in parallel: the groups of a
// DISPATCH (one per path) and, inside every call of compiled code, chunks of
// the samples. Both are a parallelFor over a handful of coarse items, so the
// pool is small: one queue of jobs under one mutex, workers that block (never
// spin) when idle, and a caller that takes part in its own job. Taking part
// is what makes nesting (a path's parallelFor inside a DISPATCH's) and
// concurrent Session::run calls on one pool free of deadlock: every job
// progresses on its caller's thread even when all workers are busy.
//
// Thread safety: parallelFor may be called from any number of threads at
// once, and from inside a body.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_LIB_THREADPOOL_H
#define GOE_RUNTIME_LIB_THREADPOOL_H

#include "goe/Runtime/Status.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace goe::runtime::detail {

class ThreadPool {
public:
  /// A pool in which `threads` threads compute: the caller of parallelFor
  /// and threads - 1 workers. ResourceExhausted when the system refuses to
  /// start a thread.
  static StatusOr<std::unique_ptr<ThreadPool>> create(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  /// Threads computing a job: workers + the caller.
  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  /// Runs body(i) for every i in [0, count), in any order and on any of the
  /// pool's threads or the caller's, and returns when all are done. An
  /// exception thrown by a body is rethrown here (the first one) after the
  /// other items finished.
  void parallelFor(int64_t count, const std::function<void(int64_t)> &body);

private:
  struct Job;
  ThreadPool() = default;
  void work();
  /// Under mutex_: the next unclaimed item of `job`, dequeuing the job when
  /// that was its last one; false when none is left.
  bool claim(Job &job, int64_t &index);
  /// Runs item `index` of `job` and records its completion.
  void runItem(Job &job, int64_t index);

  std::mutex mutex_;
  std::condition_variable wake_;     // workers: a job was queued, or stop
  std::condition_variable finished_; // callers: an item of some job is done
  std::deque<Job *> jobs_;           // jobs with unclaimed items
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

} // namespace goe::runtime::detail

#endif // GOE_RUNTIME_LIB_THREADPOOL_H
