//===- ThreadPool.cpp - a session's persistent worker threads -----------===//

#include "ThreadPool.h"

#include "goe/Runtime/Session.h"

#include <sched.h>

#include <algorithm>
#include <exception>
#include <system_error>

namespace goe::runtime::detail {

struct ThreadPool::Job {
  const std::function<void(int64_t)> *body = nullptr;
  int64_t count = 0;
  int64_t next = 0; // the next unclaimed item; guarded by mutex_
  int64_t done = 0; // items finished; guarded by mutex_
  std::exception_ptr error;
};

StatusOr<std::unique_ptr<ThreadPool>> ThreadPool::create(int threads) {
  std::unique_ptr<ThreadPool> pool(new ThreadPool());
  try {
    for (int i = 1; i < threads; ++i)
      pool->workers_.emplace_back([p = pool.get()] { p->work(); });
  } catch (const std::system_error &e) {
    // ~ThreadPool stops and joins the workers already started.
    return resourceExhausted("cannot start thread " +
                             std::to_string(pool->workers_.size() + 2) +
                             " of " + std::to_string(threads) + ": " +
                             e.what());
  }
  return pool;
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread &worker : workers_)
    worker.join();
}

bool ThreadPool::claim(Job &job, int64_t &index) {
  if (job.next >= job.count)
    return false;
  index = job.next++;
  if (job.next == job.count)
    jobs_.erase(std::find(jobs_.begin(), jobs_.end(), &job));
  return true;
}

void ThreadPool::runItem(Job &job, int64_t index) {
  std::exception_ptr error;
  try {
    (*job.body)(index);
  } catch (...) {
    error = std::current_exception();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (error && !job.error)
    job.error = error;
  ++job.done;
  // Under the lock: the caller cannot see done == count (and destroy the
  // job) before this thread has let go of it.
  if (job.done == job.count)
    finished_.notify_all();
}

void ThreadPool::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (stopping_)
      return;
    Job &job = *jobs_.front();
    int64_t index;
    if (!claim(job, index))
      continue; // not reached: exhausted jobs leave the queue at once
    lock.unlock();
    runItem(job, index);
    lock.lock();
  }
}

void ThreadPool::parallelFor(int64_t count,
                             const std::function<void(int64_t)> &body) {
  if (count <= 0)
    return;
  if (workers_.empty() || count == 1) {
    for (int64_t i = 0; i < count; ++i)
      body(i);
    return;
  }
  Job job;
  job.body = &body;
  job.count = count;
  std::unique_lock<std::mutex> lock(mutex_);
  jobs_.push_back(&job);
  // The caller takes one item itself; wake as many workers as there are
  // others.
  if (count - 1 >= static_cast<int64_t>(workers_.size()))
    wake_.notify_all();
  else
    for (int64_t i = 1; i < count; ++i)
      wake_.notify_one();
  int64_t index;
  while (claim(job, index)) {
    lock.unlock();
    runItem(job, index);
    lock.lock();
  }
  finished_.wait(lock, [&job] { return job.done == job.count; });
  if (job.error)
    std::rethrow_exception(job.error);
}

} // namespace goe::runtime::detail

namespace goe::runtime {

// Session.h; here, beside the threads it counts for.
int availableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int count = CPU_COUNT(&set);
    if (count > 0)
      return count;
  }
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

} // namespace goe::runtime
