//===- ConcurrencyTest.cpp - one model, many threads --------------------===//

#include "TestModels.h"

#include <gtest/gtest.h>
#include <thread>

namespace goe::runtime::test {
namespace {

std::vector<Tensor> topkBatch(int seed, int64_t batch) {
  std::vector<float> x;
  for (int64_t b = 0; b < batch; ++b)
    for (int i = 0; i < 4; ++i)
      x.push_back(static_cast<float>(((seed * 31 + b * 7 + i * 13) % 17) - 8) / 4);
  std::vector<Tensor> inputs;
  inputs.push_back(f32Tensor({batch, 4}, x));
  return inputs;
}

std::vector<float> values(const Tensor &t) {
  return std::vector<float>(t.f32(), t.f32() + t.numel());
}

TEST(Concurrency, ThreadsMatchSequentialRuns) {
  std::shared_ptr<const Model> model = mustLoad(topkModel());
  std::unique_ptr<Session> session = std::move(Session::create(model)).value();
  constexpr int kThreads = 8, kRunsPerThread = 25;

  // Sequential reference.
  std::vector<std::vector<float>> expected(kThreads * kRunsPerThread);
  std::vector<std::vector<int64_t>> expectedChoices(expected.size());
  for (int r = 0; r < kThreads * kRunsPerThread; ++r) {
    RunResult result;
    ASSERT_TRUE(session->run(topkBatch(r, 1 + r % 37), result).ok());
    expected[r] = values(result.outputs[0]);
    expectedChoices[r] = result.routes[0].choices;
  }
  model->resetFunctionStats();

  std::vector<std::vector<float>> actual(expected.size());
  std::vector<std::vector<int64_t>> actualChoices(expected.size());
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRunsPerThread; ++i) {
        int r = i * kThreads + t; // interleave the runs across threads
        RunResult result;
        Status status = session->run(topkBatch(r, 1 + r % 37), result);
        if (!status.ok()) {
          errors[t] = status.toString();
          return;
        }
        actual[r] = values(result.outputs[0]);
        actualChoices[r] = result.routes[0].choices;
      }
    });
  }
  for (std::thread &thread : threads)
    thread.join();
  for (const std::string &error : errors)
    EXPECT_EQ(error, "");
  uint64_t totalSamples = 0;
  for (size_t r = 0; r < expected.size(); ++r) {
    EXPECT_EQ(actual[r], expected[r]) << "run " << r;
    EXPECT_EQ(actualChoices[r], expectedChoices[r]) << "run " << r;
    totalSamples += 1 + r % 37;
  }
  // The atomic counters saw every gate call exactly once.
  EXPECT_EQ(model->functionStats("gate")->calls,
            static_cast<uint64_t>(kThreads * kRunsPerThread));
  EXPECT_EQ(model->functionStats("gate")->samples, totalSamples);
}

TEST(Concurrency, SessionsOfOneModelInParallel) {
  std::shared_ptr<const Model> model = mustLoad(oracleModel());
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::unique_ptr<Session> session =
          std::move(Session::create(model)).value();
      for (int i = 0; i < 50; ++i) {
        std::vector<Tensor> inputs;
        inputs.push_back(f32Tensor({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}));
        inputs.push_back(i64Tensor({2}, {t % 3, (t + i) % 3}));
        RunResult result;
        if (!session->run(inputs, result).ok() ||
            result.outputs[0].f32()[0] != pathResult(t % 3, 1) ||
            result.outputs[0].f32()[4] != pathResult((t + i) % 3, 5))
          ++failures[t];
      }
    });
  }
  for (std::thread &thread : threads)
    thread.join();
  for (int f : failures)
    EXPECT_EQ(f, 0);
}

} // namespace
} // namespace goe::runtime::test
