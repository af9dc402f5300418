//===- goe-bench.cpp - compiled goe code against LibTorch -----------------===//
//
// One run measures the rotated-MNIST Graph of Experts (depth 3, 4 paths,
// p = 8, oracle router) on the CPU at batch 1 and batch 256, three ways:
//
//   goe_compiled   the spec compiled in-process (as tests/unit/parity does)
//                  and run through runtime::Session::run: route, group the
//                  batch by path, each path's compiled code on its group;
//   torch_grouped  goe::torchref::Model::forward with the oracle: the same
//                  per-path grouping in LibTorch (gather, run the path's
//                  modules, scatter), as the research code runs it;
//   torch_dense    LibTorch running every path's chain of instances on the
//                  whole batch, then selecting each input's own path.
//
// Every variant runs with 1 thread and with the machine's hardware threads
// (goe: SessionOptions::threads; LibTorch: intra-op threads, also its
// default count), LibTorch under c10::InferenceMode. Before the table, the
// core's f32 FMA peak is measured (FmaPeak.h) and printed. All three use the same weights
// (initRandom(7)) and the same inputs; their outputs are compared before
// timing. After Google Benchmark's table a summary gives, per batch, the
// median images/s of each variant and the speed-up ratios. See
// bench/README.md.
//
//   goe-bench [--quick] [--benchmark_* flags]
//
// `goe-bench SPEC ...` measures any other spec (SpecBench.cpp).
//
//===----------------------------------------------------------------------===//

#include "BenchReport.h"
#include "SpecBench.h"

#include "goe/Compiler/Compile.h"
#include "goe/Frontends/Torch/TorchModel.h"
#include "goe/Frontends/Torch/WeightExport.h"
#include "goe/Runtime/Model.h"
#include "goe/Runtime/Session.h"

#include "mlir/IR/MLIRContext.h"

#include <torch/torch.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace rt = goe::runtime;
using goe::bench::printMachine;
using goe::bench::setImagesPerSecond;
using goe::bench::SummaryReporter;

namespace {

constexpr const char *kSpec = "rotated_mnist/goe.yaml";
constexpr int64_t kParamFactor = 8; // var p
constexpr int64_t kPaths = 4;       // tree depth 3
constexpr int64_t kDepth = 3;
constexpr uint64_t kWeightSeed = 7;
/// Each batch size cycles over this many input sets, so that at batch 1
/// every path runs equally often too.
constexpr int kInputSets = 4;
const int64_t kBatches[] = {1, 256};

/// One batch of inputs, in LibTorch and as runtime views of the same memory.
struct Inputs {
  at::Tensor image; // [B, 1, 28, 28] f32
  at::Tensor group; // [B] i64, the oracle's labels
  std::map<std::string, at::Tensor> byName;
  std::vector<rt::TensorView> views; // in the compiled model's input order
};

struct Bench {
  std::unique_ptr<goe::torchref::Model> reference;
  std::shared_ptr<const rt::Model> model;
  /// One session per thread count measured (SessionOptions::threads).
  std::map<int, std::unique_ptr<rt::Session>> sessions;
  /// Per path, its chain of instance names (stage1, stage2, classifier).
  std::vector<std::vector<std::string>> chains;
  std::map<int64_t, std::vector<Inputs>> inputs; // by batch
  int torchDefaultThreads = 1;
  /// LibTorch thread counts measured: 1 (the runtime's), LibTorch's default
  /// and the number of hardware threads, without repeats.
  std::vector<int> torchThreads;
};

Bench &bench() {
  static Bench b;
  return b;
}

[[noreturn]] void fail(const std::string &message) {
  std::fprintf(stderr, "goe-bench: error: %s\n", message.c_str());
  std::exit(1);
}

// --- Setup ------------------------------------------------------------------

/// Builds the LibTorch reference with random weights and compiles the spec
/// into a runtime model with the same weights (tests/unit/parity's recipe).
void compile(Bench &b) {
  mlir::DialectRegistry registry;
  goe::registerCompileDialects(registry);
  mlir::MLIRContext context(registry);
  std::string path = std::string(GOE_EXAMPLES_DIR) + "/" + kSpec;
  auto spec = goe::spec::readSpecFile(path, {{"p", kParamFactor}}, &context);
  if (mlir::failed(spec))
    fail("cannot read " + path);
  goe::spec::BuildOptions options; // the spec's own router: oracle
  b.reference = goe::torchref::Model::build(
      *spec, goe::torchref::BuildOptions{options.routers}, &context);
  if (!b.reference)
    fail("cannot build the LibTorch reference of " + path);
  b.reference->initRandom(kWeightSeed);

  auto artifact = goe::compile(
      *spec, options,
      goe::WeightSource::given(goe::torchref::exportWeights(*b.reference)),
      goe::CompileOptions(), &context);
  if (mlir::failed(artifact))
    fail("compiling " + path + " failed");
  auto model = rt::Model::fromProto(*artifact);
  if (!model.ok())
    fail("loading the artifact: " + model.status().message());
  b.model = model.value();
  for (int threads : b.torchThreads) {
    rt::SessionOptions sessionOptions;
    sessionOptions.threads = threads;
    auto session = rt::Session::create(b.model, sessionOptions);
    if (!session.ok())
      fail("creating a session: " + session.status().message());
    b.sessions[threads] = std::move(session).value();
  }

  // Path p at level l runs instance p >> (depth - 1 - l)
  // (docs/architecture.md, tree paths).
  for (int64_t p = 0; p < kPaths; ++p) {
    std::vector<std::string> chain;
    for (int64_t l = 0; l < kDepth; ++l) {
      std::string name = "paths.level" + std::to_string(l) + "." +
                         std::to_string(p >> (kDepth - 1 - l));
      if (!b.reference->hasInstance(name))
        fail("the reference has no instance '" + name + "'");
      chain.push_back(name);
    }
    b.chains.push_back(chain);
  }
}

using goe::torchref::viewOf;

/// Random images in [0, 1); labels a uniform mix of the 4 groups: at batch
/// B >= 4 each group B/4 times in random order, at batch 1 input set s has
/// label s, so that cycling over the sets runs every path equally often.
void makeInputs(Bench &b) {
  torch::manual_seed(1234);
  for (int64_t batch : kBatches) {
    for (int s = 0; s < kInputSets; ++s) {
      Inputs in;
      in.image = torch::rand({batch, 1, 28, 28});
      at::Tensor labels = torch::arange(batch, at::kLong).remainder(kPaths);
      if (batch == 1)
        labels.fill_(s % kPaths);
      in.group = labels.index_select(0, torch::randperm(batch, at::kLong))
                     .contiguous();
      in.byName = {{"image", in.image}, {"group", in.group}};
      for (size_t i = 0; i < b.model->numInputs(); ++i) {
        auto it = in.byName.find(b.model->inputName(i));
        if (it == in.byName.end())
          fail("the compiled model has an unexpected input '" +
               b.model->inputName(i) + "'");
        in.views.push_back(viewOf(it->second));
      }
      b.inputs[batch].push_back(std::move(in));
    }
  }
}

// --- The three variants -----------------------------------------------------

void runCompiled(const Bench &b, const Inputs &in, rt::RunResult &result,
                 int threads = 1) {
  rt::Status status = b.sessions.at(threads)->run(in.views, result);
  if (!status.ok())
    fail("Session::run: " + status.message());
}

at::Tensor runGrouped(Bench &b, const Inputs &in) {
  goe::torchref::ForwardResult result = b.reference->forward(in.byName);
  if (!result.ok())
    fail("torchref::Model::forward: " + result.error);
  return result.outputs[0];
}

/// Every input through every path, then each input's own path's logits.
at::Tensor runDense(Bench &b, const Inputs &in) {
  std::vector<at::Tensor> perPath;
  for (const std::vector<std::string> &chain : b.chains) {
    std::vector<at::Tensor> x = {in.image};
    for (const std::string &instance : chain)
      x = b.reference->runInstance(instance, x);
    perPath.push_back(x[0]);
  }
  at::Tensor all = torch::stack(perPath, 1); // [B, paths, 10]
  int64_t batch = all.size(0), classes = all.size(2);
  at::Tensor index = in.group.view({batch, 1, 1}).expand({batch, 1, classes});
  return all.gather(1, index).squeeze(1); // [B, 10]
}

double relativeError(const at::Tensor &actual, const at::Tensor &expected) {
  double scale = std::max(expected.abs().max().item<double>(), 1e-12);
  return (actual - expected).abs().max().item<double>() / scale;
}

/// The three variants must compute the same logits before their speed means
/// anything.
void checkAgreement(Bench &b) {
  c10::InferenceMode inference;
  double worstCompiled = 0, worstDense = 0;
  for (int64_t batch : kBatches) {
    for (const Inputs &in : b.inputs[batch]) {
      rt::RunResult result;
      runCompiled(b, in, result);
      const rt::Tensor &out = result.outputs.at(0);
      at::Tensor grouped = runGrouped(b, in).contiguous();
      if (out.shape() != std::vector<int64_t>(grouped.sizes().begin(),
                                              grouped.sizes().end()))
        fail("compiled and LibTorch outputs differ in shape");
      at::Tensor compiled = torch::from_blob(const_cast<void *>(out.data()),
                                             grouped.sizes(), at::kFloat);
      worstCompiled = std::max(worstCompiled, relativeError(compiled, grouped));
      worstDense =
          std::max(worstDense, relativeError(runDense(b, in), grouped));
    }
  }
  std::printf("agreement (max |x - torch_grouped| / max |torch_grouped|): "
              "goe_compiled %.2g, torch_dense %.2g\n",
              worstCompiled, worstDense);
  if (!(worstCompiled <= 1e-4) || !(worstDense <= 1e-4))
    fail("the variants disagree (tolerance 1e-4)");
}

// --- Benchmarks -------------------------------------------------------------

void benchCompiled(benchmark::State &state, int64_t batch, int threads) {
  Bench &b = bench();
  const std::vector<Inputs> &sets = b.inputs.at(batch);
  rt::RunResult result;
  size_t i = 0;
  for (auto _ : state) {
    runCompiled(b, sets[i++ % sets.size()], result, threads);
    benchmark::DoNotOptimize(result.outputs.data());
    benchmark::ClobberMemory();
  }
  setImagesPerSecond(state, batch);
}

void benchTorch(benchmark::State &state, int64_t batch, int threads,
                bool dense) {
  Bench &b = bench();
  std::vector<Inputs> &sets = b.inputs.at(batch);
  torch::set_num_threads(threads);
  c10::InferenceMode inference;
  size_t i = 0;
  for (auto _ : state) {
    const Inputs &in = sets[i++ % sets.size()];
    at::Tensor out = dense ? runDense(b, in) : runGrouped(b, in);
    benchmark::DoNotOptimize(out.data_ptr());
    benchmark::ClobberMemory();
  }
  setImagesPerSecond(state, batch);
}

/// What each registered benchmark is, for the summary.
struct Variant {
  std::string kind; // goe_compiled, torch_grouped, torch_dense
  int threads = 1;
  int64_t batch = 1;
  std::string label() const {
    bool isDefault =
        kind != "goe_compiled" && threads == bench().torchDefaultThreads;
    return kind + " (" + std::to_string(threads) +
           (threads == 1 ? " thread" : " threads") +
           (isDefault ? ", default)" : ")");
  }
};
std::map<std::string, Variant> &variants() {
  static std::map<std::string, Variant> v;
  return v;
}

void registerAll(bool quick, const std::vector<int> &threadCounts) {
  auto configure = [quick](benchmark::internal::Benchmark *bm) {
    bm->UseRealTime()->Unit(benchmark::kMicrosecond);
    if (quick)
      bm->Iterations(3)->Repetitions(2)->ReportAggregatesOnly(true);
    else
      bm->Repetitions(5)->ReportAggregatesOnly(true);
  };
  for (int64_t batch : kBatches) {
    std::string suffix = "/batch:" + std::to_string(batch);
    std::string name;
    for (int threads : threadCounts) {
      name = "goe_compiled/threads:" + std::to_string(threads) + suffix;
      variants()[name] = {"goe_compiled", threads, batch};
      configure(benchmark::RegisterBenchmark(name.c_str(), benchCompiled,
                                             batch, threads));
    }
    for (bool dense : {false, true}) {
      for (int threads : threadCounts) {
        std::string kind = dense ? "torch_dense" : "torch_grouped";
        name = kind + "/threads:" + std::to_string(threads) + suffix;
        variants()[name] = {kind, threads, batch};
        configure(benchmark::RegisterBenchmark(name.c_str(), benchTorch, batch,
                                               threads, dense));
      }
    }
  }
}

// --- Summary ----------------------------------------------------------------

void printSummary(const SummaryReporter &reporter,
                  const std::vector<int> &threads) {
  auto find = [&](const std::string &kind, int threads,
                  int64_t batch) -> const SummaryReporter::Stats * {
    for (const auto &[name, v] : variants())
      if (v.kind == kind && v.threads == threads && v.batch == batch) {
        auto it = reporter.stats().find(name);
        return it == reporter.stats().end() ? nullptr : &it->second;
      }
    return nullptr;
  };
  auto median = [](const SummaryReporter::Stats *s) -> double {
    if (!s || s->error || !s->byAggregate.count("median"))
      return std::nan("");
    return s->byAggregate.at("median");
  };

  std::printf(
      "\nSummary: images/s by wall-clock time, median over repetitions; "
      "spread = stddev\nover repetitions as %% of the median. The last column "
      "is images/s by the\nbenchmark thread's CPU time (median): close to "
      "the first when the machine is\nidle, higher when other processes take "
      "the CPU; meaningless with more\nthan 1 thread (worker threads are "
      "not counted).\n");
  for (int64_t batch : kBatches) {
    std::printf("\nbatch %lld\n", (long long)batch);
    std::printf("  %-32s %14s %10s %16s\n", "variant", "images/s", "spread",
                "(by CPU time)");
    for (const auto &[name, v] : variants()) {
      if (v.batch != batch)
        continue;
      const SummaryReporter::Stats *s = find(v.kind, v.threads, batch);
      if (!s)
        continue; // filtered out (--benchmark_filter)
      double m = median(s);
      double sd = s && s->byAggregate.count("stddev")
                      ? s->byAggregate.at("stddev")
                      : std::nan("");
      double cpu = s && s->cpuSecondsPerIteration > 0
                       ? batch / s->cpuSecondsPerIteration
                       : std::nan("");
      std::printf("  %-32s %14.1f %9.1f%% %16.1f\n", v.label().c_str(), m,
                  100.0 * sd / m, cpu);
    }
    double goe1 = median(find("goe_compiled", 1, batch));
    for (int t : threads) {
      double goe = median(find("goe_compiled", t, batch));
      double grouped = median(find("torch_grouped", t, batch));
      double dense = median(find("torch_dense", t, batch));
      std::printf("  %d thr: goe / torch_grouped %6.2fx, goe / torch_dense "
                  "%6.2fx, goe / goe 1 thread %5.2fx\n",
                  t, goe / grouped, goe / dense, goe / goe1);
    }
  }

  // The targets, against LibTorch at the runtime's thread count.
  std::printf("\nTargets (goe_compiled vs torch_grouped, both 1 thread):\n");
  struct Target {
    int64_t batch;
    double factor;
  };
  for (Target t : {Target{256, 3.0}, Target{1, 10.0}}) {
    double ratio = median(find("goe_compiled", 1, t.batch)) /
                   median(find("torch_grouped", 1, t.batch));
    std::printf("  batch %-4lld >= %4.1fx: measured %6.2fx  %s\n",
                (long long)t.batch, t.factor, ratio,
                std::isnan(ratio)        ? "NOT MEASURED"
                : ratio >= t.factor      ? "MET"
                                         : "NOT MET");
  }
}

// --- Environment ------------------------------------------------------------

void printEnvironment(const Bench &b) {
  std::printf("goe-bench: %s, p = %lld, oracle router, %d paths, weights "
              "initRandom(%llu)\n",
              kSpec, (long long)kParamFactor, (int)kPaths,
              (unsigned long long)kWeightSeed);
  printMachine(b.torchDefaultThreads, b.torchThreads);
  std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv) {
  // goe-bench SPEC ...: any spec against LibTorch (SpecBench.cpp).
  if (argc > 1 && argv[1][0] != '-')
    return goe::bench::specBenchMain(argc, argv);
  bool quick = false;
  std::vector<char *> args;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && std::strcmp(argv[i], "--quick") == 0)
      quick = true;
    else
      args.push_back(argv[i]);
  }
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data()))
    return 1;

  Bench &b = bench();
  b.torchDefaultThreads = at::get_num_threads();
  for (int t : {1, b.torchDefaultThreads,
                static_cast<int>(std::thread::hardware_concurrency())})
    if (t >= 1 && std::find(b.torchThreads.begin(), b.torchThreads.end(), t) ==
                      b.torchThreads.end())
      b.torchThreads.push_back(t);
  printEnvironment(b);

  auto start = std::chrono::steady_clock::now();
  compile(b);
  double seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  std::printf("compiled the spec and built the reference in %.1f s\n",
              seconds);
  makeInputs(b);
  checkAgreement(b);
  torch::set_num_threads(b.torchDefaultThreads);
  std::fflush(stdout);

  registerAll(quick, b.torchThreads);
  SummaryReporter reporter(isatty(STDOUT_FILENO)
                               ? benchmark::ConsoleReporter::OO_ColorTabular
                               : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  printSummary(reporter, b.torchThreads);
  benchmark::Shutdown();
  return 0;
}
