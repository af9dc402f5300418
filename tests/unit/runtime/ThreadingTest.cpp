//===- ThreadingTest.cpp - the thread pool, SessionOptions::threads ------===//

#include "TestModels.h"
#include "ThreadPool.h" // runtime/lib: the pool itself

#include "goe/Runtime/CpuFeatures.h"
#include "goe/Runtime/FmaPeak.h"
#include "goe/Runtime/Profile.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace goe::runtime::test {
namespace {

using detail::ThreadPool;

std::unique_ptr<ThreadPool> pool(int threads) {
  StatusOr<std::unique_ptr<ThreadPool>> made = ThreadPool::create(threads);
  EXPECT_TRUE(made.ok()) << made.status().toString();
  return std::move(made).value();
}

TEST(ThreadPool, RunsEveryItemOnce) {
  for (int threads : {1, 2, 5}) {
    std::unique_ptr<ThreadPool> p = pool(threads);
    EXPECT_EQ(p->threads(), threads);
    std::vector<std::atomic<int>> seen(1000);
    p->parallelFor(1000, [&](int64_t i) { seen[i].fetch_add(1); });
    for (size_t i = 0; i < seen.size(); ++i)
      ASSERT_EQ(seen[i].load(), 1) << "item " << i << ", " << threads
                                   << " threads";
    p->parallelFor(0, [&](int64_t) { FAIL() << "no items, no calls"; });
  }
}

TEST(ThreadPool, UsesItsWorkers) {
  std::unique_ptr<ThreadPool> p = pool(3);
  std::mutex mutex;
  std::set<std::thread::id> ids;
  std::atomic<int> waiting{0};
  // Each item waits until three are in flight at once: only three threads
  // (the caller and two workers) get there.
  p->parallelFor(3, [&](int64_t) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      ids.insert(std::this_thread::get_id());
    }
    waiting.fetch_add(1);
    while (waiting.load() < 3)
      std::this_thread::yield();
  });
  EXPECT_EQ(ids.size(), 3u);
}

TEST(ThreadPool, NestedAndConcurrentJobsFinish) {
  // A DISPATCH's parallelFor over paths, each calling parallelFor over
  // chunks, from several Session::run callers at once.
  std::unique_ptr<ThreadPool> p = pool(3);
  std::atomic<int64_t> sum{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 4; ++c)
    callers.emplace_back([&] {
      for (int round = 0; round < 50; ++round)
        p->parallelFor(4, [&](int64_t i) {
          p->parallelFor(5, [&](int64_t j) { sum.fetch_add(i * 5 + j); });
        });
    });
  for (std::thread &caller : callers)
    caller.join();
  EXPECT_EQ(sum.load(), 4 * 50 * (19 * 20 / 2));
}

TEST(ThreadPool, RethrowsABodysExceptionAfterTheOthersFinished) {
  std::unique_ptr<ThreadPool> p = pool(2);
  std::atomic<int> finished{0};
  EXPECT_THROW(p->parallelFor(8,
                              [&](int64_t i) {
                                if (i == 3)
                                  throw std::runtime_error("item 3");
                                finished.fetch_add(1);
                              }),
               std::runtime_error);
  EXPECT_EQ(finished.load(), 7);
  // The pool still works.
  std::atomic<int> count{0};
  p->parallelFor(4, [&](int64_t) { count.fetch_add(1); });
  EXPECT_EQ(count.load(), 4);
}

// --- Sessions -----------------------------------------------------------------

std::vector<Tensor> oracleBatch(int64_t batch) {
  std::vector<float> x;
  std::vector<int64_t> labels;
  for (int64_t b = 0; b < batch; ++b) {
    for (int i = 0; i < 4; ++i)
      x.push_back(static_cast<float>((b * 7 + i * 13) % 17) / 3.0f);
    labels.push_back((b * 5) % 3);
  }
  std::vector<Tensor> inputs;
  inputs.push_back(f32Tensor({batch, 4}, x));
  inputs.push_back(i64Tensor({batch}, labels));
  return inputs;
}

/// The topk model's input: oracleBatch's x alone.
std::vector<Tensor> topkBatch(int64_t batch) {
  std::vector<Tensor> inputs = oracleBatch(batch);
  inputs.pop_back();
  return inputs;
}

std::unique_ptr<Session> session(std::shared_ptr<const Model> model,
                                 int threads) {
  SessionOptions options;
  options.threads = threads;
  StatusOr<std::unique_ptr<Session>> made = Session::create(model, options);
  EXPECT_TRUE(made.ok()) << made.status().toString();
  return std::move(made).value();
}

std::string bytes(const Tensor &t) {
  return std::string(static_cast<const char *>(t.data()), t.byteSize());
}

TEST(SessionThreads, OutputsAreTheSameBytesForAnyThreadCount) {
  std::shared_ptr<const Model> oracle = mustLoad(oracleModel());
  std::shared_ptr<const Model> topk = mustLoad(topkModel());
  for (int64_t batch : {1, 2, 7, 37}) {
    std::vector<Tensor> inputs = oracleBatch(batch);
    std::vector<Tensor> xOnly = topkBatch(batch);
    RunResult expectedOracle, expectedTopk;
    ASSERT_TRUE(session(oracle, 1)->run(inputs, expectedOracle).ok());
    ASSERT_TRUE(session(topk, 1)->run(xOnly, expectedTopk).ok());
    for (int threads : {2, 3, 8}) {
      RunResult result;
      ASSERT_TRUE(session(oracle, threads)->run(inputs, result).ok());
      EXPECT_EQ(bytes(result.outputs[0]), bytes(expectedOracle.outputs[0]))
          << "oracle, batch " << batch << ", " << threads << " threads";
      ASSERT_TRUE(session(topk, threads)->run(xOnly, result).ok());
      EXPECT_EQ(bytes(result.outputs[0]), bytes(expectedTopk.outputs[0]))
          << "topk, batch " << batch << ", " << threads << " threads";
      EXPECT_EQ(result.routes[0].choices, expectedTopk.routes[0].choices);
    }
  }
}

TEST(SessionThreads, CountersCountCallsNotChunks) {
  std::shared_ptr<const Model> model = mustLoad(topkModel());
  std::unique_ptr<Session> s = session(model, 4);
  RunResult result;
  ASSERT_TRUE(s->run(topkBatch(37), result).ok());
  EXPECT_EQ(model->functionStats("gate")->calls, 1u);
  EXPECT_EQ(model->functionStats("gate")->samples, 37u);
}

TEST(SessionThreads, DefaultIsEveryCoreAndOversubscriptionWarnsOnce) {
  std::shared_ptr<const Model> model = mustLoad(oracleModel());
  int cores = availableCores();
  ASSERT_GE(cores, 1);
  std::unique_ptr<Session> all = std::move(Session::create(model)).value();
  EXPECT_EQ(all->threads(), cores);
  EXPECT_TRUE(all->warnings().empty());
  EXPECT_TRUE(session(model, cores)->warnings().empty());

  std::unique_ptr<Session> over = session(model, cores + 3);
  EXPECT_EQ(over->threads(), cores + 3);
  ASSERT_EQ(over->warnings().size(), 1u);
  EXPECT_EQ(over->warnings()[0],
            std::to_string(cores + 3) + " threads on " + std::to_string(cores) +
                (cores == 1 ? " core" : " cores") +
                ": threads beyond the cores only wait for each other, so "
                "runs are slower, not faster; use at most " +
                std::to_string(cores));
  // It still computes the right thing.
  RunResult result, expected;
  ASSERT_TRUE(over->run(oracleBatch(9), result).ok());
  ASSERT_TRUE(session(model, 1)->run(oracleBatch(9), expected).ok());
  EXPECT_EQ(bytes(result.outputs[0]), bytes(expected.outputs[0]));
}

TEST(SessionThreads, BadCountsAreRefused) {
  std::shared_ptr<const Model> model = mustLoad(oracleModel());
  for (int threads : {-1, kMaxSessionThreads + 1}) {
    SessionOptions options;
    options.threads = threads;
    StatusOr<std::unique_ptr<Session>> made = Session::create(model, options);
    ASSERT_FALSE(made.ok());
    EXPECT_EQ(made.status().code(), StatusCode::InvalidArgument);
    EXPECT_EQ(made.status().message(),
              "threads = " + std::to_string(threads) +
                  ": a session runs on 1 to 1024 threads (0 = every core)");
  }
}

// --- Profiles -----------------------------------------------------------------

TEST(Profile, CountsKernelsPathsAndRuntimeWork) {
  artifact::Model proto = oracleModel();
  for (artifact::Function &f : *proto.mutable_functions())
    f.set_macs(f.name() == "a" ? 8 : 4);
  std::shared_ptr<const Model> model = mustLoad(proto);
  for (int threads : {1, 3}) {
    Profile profile;
    RunOptions options;
    options.profile = &profile;
    std::unique_ptr<Session> s = session(model, threads);
    RunResult result;
    // Labels (b * 5) % 3 for b < 9: paths 0, 2, 1 three times each.
    ASSERT_TRUE(s->run(oracleBatch(9), result, options).ok());
    ASSERT_TRUE(s->run(oracleBatch(9), result, options).ok());
    EXPECT_EQ(profile.runs(), 2u);
    EXPECT_EQ(profile.samples(), 18u);
    EXPECT_GT(profile.wallSeconds(), 0);

    std::vector<ProfileEntry> kernels = profile.entries(Profile::Kind::Kernel);
    ASSERT_EQ(kernels.size(), 2u);
    for (const ProfileEntry &k : kernels) {
      // a runs on paths 0 and 2, b on 1 and 2: twice a run.
      EXPECT_EQ(k.calls, 4u) << k.name;
      EXPECT_EQ(k.samples, 12u) << k.name;
      EXPECT_EQ(k.macs, (k.name == "a" ? 8 : 4) * 12.0) << k.name;
      EXPECT_GE(k.seconds, 0);
    }
    EXPECT_GE(kernels[0].seconds, kernels[1].seconds); // longest first

    std::vector<ProfileEntry> paths = profile.entries(Profile::Kind::Path);
    ASSERT_EQ(paths.size(), 3u);
    std::map<std::string, ProfileEntry> byName;
    for (const ProfileEntry &p : paths)
      byName[p.name] = p;
    ASSERT_TRUE(byName.count("dispatch step 1 path 2: a, b"));
    EXPECT_EQ(byName["dispatch step 1 path 2: a, b"].macs,
              12.0 * 6);
    EXPECT_EQ(byName["dispatch step 1 path 0: a"].samples, 6u);

    std::set<std::string> runtime;
    for (const ProfileEntry &r : profile.entries(Profile::Kind::Runtime))
      runtime.insert(r.name);
    EXPECT_EQ(runtime, (std::set<std::string>{
                           "copying the inputs", "ROUTE oracle (step 0)",
                           "DISPATCH grouping, gather, scatter (step 1)",
                           "COMBINE select (step 2)"}));

    std::string report = profile.report(50.0);
    EXPECT_NE(report.find("profile: 2 runs, 18 samples"), std::string::npos)
        << report;
    EXPECT_NE(report.find("% peak: of 50.0 GMAC/s"), std::string::npos);
    EXPECT_NE(report.find("  a\n"), std::string::npos) << report;
    EXPECT_EQ(profile.report().find("% peak"), std::string::npos);
    profile.reset();
    EXPECT_EQ(profile.runs(), 0u);
    EXPECT_TRUE(profile.entries(Profile::Kind::Kernel).empty());
  }
}

TEST(Profile, RunsWithoutOneTimeNothing) {
  std::shared_ptr<const Model> model = mustLoad(oracleModel());
  RunResult result;
  EXPECT_TRUE(session(model, 2)->run(oracleBatch(5), result).ok());
}

TEST(FmaPeak, MeasuresThisCoresWidestIsa) {
  FmaPeak peak = measureFmaPeak(0.05);
  EXPECT_GT(peak.gmacPerSecond, 0.1);
  std::string expected = cpuHasFeature("avx512f") ? "avx512f"
                         : cpuHasFeature("avx2") && cpuHasFeature("fma")
                             ? "avx2+fma"
                             : "sse2";
  EXPECT_EQ(peak.isa, expected);
  EXPECT_EQ(peak.lanes, expected == "avx512f" ? 16 : expected == "sse2" ? 4 : 8);
}

} // namespace
} // namespace goe::runtime::test
