//===- SpecReadBench.cpp - reading and planning large specs ---------------===//
//
//   goe-spec-bench [--benchmark_filter=...]
//
// Times readSpec and planGraph on generated chains of 1,000 to 100,000
// modules and graph nodes (tests/unit/SpecGenerator.h) and fits their
// complexity: both must stay near-linear (docs/spec.md, "Limits"). The
// unit tests check the same specs for correctness only.
//
//===----------------------------------------------------------------------===//

#include "../unit/SpecGenerator.h"

#include "goe/Frontends/Spec/GraphPlan.h"
#include "goe/Frontends/Spec/SpecReader.h"

#include "mlir/IR/MLIRContext.h"

#include <benchmark/benchmark.h>

using namespace goe::spec;

namespace {

void readChain(benchmark::State &state) {
  std::string text = goe::test::chainSpec(int(state.range(0)));
  mlir::MLIRContext context;
  for (auto _ : state) {
    auto spec = readSpec(text, "chain.yaml", {}, &context);
    if (mlir::failed(spec))
      state.SkipWithError("the generated spec did not read");
    benchmark::DoNotOptimize(spec);
  }
  state.SetComplexityN(state.range(0));
}

void planChain(benchmark::State &state) {
  std::string text = goe::test::chainSpec(int(state.range(0)));
  mlir::MLIRContext context;
  auto spec = readSpec(text, "chain.yaml", {}, &context);
  if (mlir::failed(spec)) {
    state.SkipWithError("the generated spec did not read");
    return;
  }
  for (auto _ : state) {
    auto plan = planGraph(*spec, {}, &context);
    if (mlir::failed(plan))
      state.SkipWithError("the generated spec did not plan");
    benchmark::DoNotOptimize(plan);
  }
  state.SetComplexityN(state.range(0));
}

BENCHMARK(readChain)
    ->RangeMultiplier(10)
    ->Range(1000, 100000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity();
BENCHMARK(planChain)
    ->RangeMultiplier(10)
    ->Range(1000, 100000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity();

} // namespace

BENCHMARK_MAIN();
