//===- BenchReport.h - what goe-bench's two modes print alike ---*- C++ -*-===//
//
// The machine and LibTorch lines before the table, and the console reporter
// that keeps every run's images/s for the summary after it. Shared by the
// rotated-MNIST mode (goe-bench.cpp) and the any-spec mode (SpecBench.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TOOLS_GOE_BENCH_BENCHREPORT_H
#define GOE_TOOLS_GOE_BENCH_BENCHREPORT_H

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

namespace goe::bench {

/// Prints one core's measured FMA peak and returns it (GMAC/s), then
/// LibTorch's version, threads, BLAS and oneDNN configuration and Debian's
/// libblas alternative.
double printMachine(int torchDefaultThreads,
                    const std::vector<int> &torchThreads);

/// The images_per_second counter the summaries read: batch x iterations /
/// wall-clock time.
inline void setImagesPerSecond(benchmark::State &state, int64_t batch) {
  state.counters["images_per_second"] = benchmark::Counter(
      static_cast<double>(batch), benchmark::Counter::kIsIterationInvariantRate);
}

/// The console reporter, keeping the images/s aggregates of every run.
class SummaryReporter : public benchmark::ConsoleReporter {
public:
  explicit SummaryReporter(OutputOptions options)
      : benchmark::ConsoleReporter(options) {}

  struct Stats {
    /// images/s by aggregate: mean, median, stddev, cv (real time).
    std::map<std::string, double> byAggregate;
    /// seconds of the benchmark thread's CPU time per iteration, median.
    double cpuSecondsPerIteration = 0;
    bool error = false;
  };

  void ReportRuns(const std::vector<Run> &runs) override {
    benchmark::ConsoleReporter::ReportRuns(runs);
    for (const Run &run : runs) {
      Stats &s = stats_[run.run_name.function_name];
      if (run.error_occurred) {
        s.error = true;
        continue;
      }
      auto it = run.counters.find("images_per_second");
      if (it == run.counters.end())
        continue;
      bool median = run.run_type != Run::RT_Aggregate || // its own median
                    run.aggregate_name == "median";
      if (run.run_type == Run::RT_Aggregate)
        s.byAggregate[run.aggregate_name] = it->second.value;
      else
        s.byAggregate.emplace("median", it->second.value);
      if (median && run.iterations > 0)
        s.cpuSecondsPerIteration =
            run.cpu_accumulated_time / static_cast<double>(run.iterations);
    }
  }

  const std::map<std::string, Stats> &stats() const { return stats_; }

private:
  std::map<std::string, Stats> stats_;
};


} // namespace goe::bench

#endif // GOE_TOOLS_GOE_BENCH_BENCHREPORT_H
