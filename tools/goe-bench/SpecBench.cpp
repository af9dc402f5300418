//===- SpecBench.cpp - goe-bench SPEC: any spec against LibTorch ----------===//
//
//   goe-bench SPEC [--var NAME=INT]... [--combine KIND] [--labels N]
//                  [--batches 1,8] [--threads 1,2] [--quick]
//                  [--processes separate|shared] [--benchmark_* flags]
//
// Builds the LibTorch reference of SPEC with random weights
// (initRandom(7)), compiles the spec with the same weights in-process, and
// times, at each batch and thread count:
//
//   goe_compiled   runtime::Session::run (SessionOptions::threads = T);
//   torch_nchw     torchref::Model::forward under c10::InferenceMode with
//                  every conv block's batch norm folded into its conv (as
//                  yolov7's fuse() deploys it), experts grouped (each path
//                  on the inputs routed to it), channels-first input;
//   torch_nhwc     the same with the input in channels_last, which oneDNN
//                  convolutions keep through the network.
//
// Each side is timed in a child process of its own (SideProcess.h says
// why); `--processes shared` times both in this process, as goe-bench did
// before. The compiled and LibTorch outputs must agree (max |d| / max |ref| <=
// 1e-4) before anything is timed. `--combine KIND` replaces every combine
// node's kind (and drops its parameters) on both sides: `weighted_sum`
// measures MoE-YOLO's network without the threshold-laden box fusion, which
// a 1e-7 difference can flip. Integer inputs (an oracle router's labels)
// are drawn uniformly from [0, N) with `--labels N`.
//
// Before the table: one core's FMA peak and a goe-run-style profile of one
// compiled pass per batch (per-kernel time, GMAC/s, % of peak). After it:
// per batch the median images/s of each variant, goe / best LibTorch layout
// at each thread count, goe's scaling over its 1-thread figure, and goe's
// GMAC/s and % of the peak.
//
//===----------------------------------------------------------------------===//

#include "SpecBench.h"
#include "BenchReport.h"
#include "SideProcess.h"
#include "SpecBenchOptions.h"

#include "goe/Compiler/Compile.h"
#include "goe/Frontends/Spec/SpecReader.h"
#include "goe/Frontends/Torch/TorchModel.h"
#include "goe/Frontends/Torch/WeightExport.h"
#include "goe/Runtime/Artifact.h"
#include "goe/Runtime/FmaPeak.h"
#include "goe/Runtime/InterruptCleanup.h"
#include "goe/Runtime/Model.h"
#include "goe/Runtime/Profile.h"
#include "goe/Runtime/Session.h"
#include "goe/Runtime/TempFile.h"

#include "mlir/IR/MLIRContext.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace rt = goe::runtime;

namespace goe::bench {
namespace {

constexpr uint64_t kWeightSeed = 7;
constexpr int kInputSets = 4; // per batch size, cycled over

struct Inputs {
  std::map<std::string, at::Tensor> nchw, nhwc;
  std::vector<rt::TensorView> views;
};

/// What the profiled pass of one batch found, for the summary.
struct BatchProfile {
  double macsPerImage = 0;      // as compiled and routed
  double convGmacPerSecond = 0; // 0 without the conv microkernel
  double convShare = 0;         // of the busy time
};

struct State {
  Options options;
  std::unique_ptr<goe::torchref::Model> reference;
  std::shared_ptr<const rt::Model> model;
  std::map<int, std::unique_ptr<rt::Session>> sessions;
  std::map<int64_t, std::vector<Inputs>> inputs;
  std::map<int64_t, BatchProfile> profiles; // by batch
  /// The parent's compiled model, for its child processes to load; removed
  /// with the state (at exit, or on SIGINT).
  std::optional<rt::TempFile> artifactFile;
};

State &state() {
  static State s;
  return s;
}

// --- Setup ------------------------------------------------------------------

void compile(State &s) {
  mlir::DialectRegistry registry;
  goe::registerCompileDialects(registry);
  mlir::MLIRContext context(registry);
  auto spec = goe::spec::readSpecFile(s.options.spec, s.options.vars, &context);
  if (mlir::failed(spec))
    failSpecBench("cannot read " + s.options.spec);
  if (!s.options.combine.empty())
    for (goe::spec::Node &node : spec->graph)
      if (node.kind == goe::spec::Node::CombineNode) {
        node.target = s.options.combine;
        node.params.clear();
      }
  goe::spec::BuildOptions options;
  s.reference = goe::torchref::Model::build(
      *spec, goe::torchref::BuildOptions{options.routers}, &context);
  if (!s.reference)
    failSpecBench("cannot build the LibTorch reference of " + s.options.spec);
  s.reference->initRandom(kWeightSeed);
  // A child loads what the parent compiled (the same weights) instead of
  // compiling again; the parent keeps a copy on disk for them.
  auto compileOrLoad = [&]() -> rt::StatusOr<std::shared_ptr<const rt::Model>> {
    if (!s.options.artifact.empty())
      return rt::Model::load(s.options.artifact);
    auto artifact = goe::compile(
        *spec, options,
        goe::WeightSource::given(goe::torchref::exportWeights(*s.reference)),
        goe::CompileOptions(), &context);
    if (mlir::failed(artifact))
      failSpecBench("compiling " + s.options.spec + " failed");
    if (s.options.separateProcesses) {
      rt::StatusOr<rt::TempFile> file =
          rt::TempFile::inTempDir("goe-bench-model");
      if (!file.ok())
        failSpecBench("cannot create a file for the compiled model: " +
                      file.status().message());
      s.artifactFile = std::move(file).value();
      rt::Status wrote = rt::writeModel(s.artifactFile->path(), *artifact);
      if (!wrote.ok())
        failSpecBench("writing the compiled model: " + wrote.message());
    }
    return rt::Model::fromProto(*artifact);
  };
  rt::StatusOr<std::shared_ptr<const rt::Model>> model = compileOrLoad();
  if (!model.ok())
    failSpecBench("loading the artifact: " + model.status().message());
  // After the export: goe folds batch norm itself, from the plain weights.
  s.reference->foldBatchNorm();
  s.model = model.value();
  if (s.options.side == "torch")
    return; // the LibTorch side's process times no session
  for (int threads : s.options.threads) {
    rt::SessionOptions sessionOptions;
    sessionOptions.threads = threads;
    auto session = rt::Session::create(s.model, sessionOptions);
    if (!session.ok())
      failSpecBench("creating a session: " + session.status().message());
    s.sessions[threads] = std::move(session).value();
  }
}

void makeInputs(State &s) {
  for (int64_t batch : s.options.batches) {
    // Per batch, so that a child timing one batch draws the parent's sets.
    torch::manual_seed(1234 + static_cast<uint64_t>(batch));
    for (int set = 0; set < kInputSets; ++set) {
      Inputs in;
      for (size_t i = 0; i < s.model->numInputs(); ++i) {
        const std::string &name = s.model->inputName(i);
        const rt::TensorSpec &spec = s.model->inputSpec(i);
        std::vector<int64_t> shape = {batch};
        shape.insert(shape.end(), spec.shape.begin(), spec.shape.end());
        at::Tensor t;
        if (spec.dtype == rt::DType::I64) {
          if (s.options.labels < 1)
            failSpecBench("input '" + name +
                          "' is i64 (an oracle router's labels): "
                          "give --labels N to draw them uniformly from [0, N)");
          t = torch::randint(s.options.labels, shape, at::kLong);
        } else {
          t = torch::rand(shape);
        }
        in.nchw[name] = t;
        in.nhwc[name] =
            t.dim() == 4 ? t.contiguous(at::MemoryFormat::ChannelsLast) : t;
        in.views.push_back(goe::torchref::viewOf(t));
      }
      s.inputs[batch].push_back(std::move(in));
    }
  }
}

void runCompiled(const State &s, const Inputs &in, rt::RunResult &result,
                 int threads, rt::Profile *profile = nullptr) {
  rt::RunOptions options;
  options.profile = profile;
  rt::Status status = s.sessions.at(threads)->run(in.views, result, options);
  if (!status.ok())
    failSpecBench("Session::run: " + status.message());
}

std::vector<at::Tensor> runTorch(State &s, const Inputs &in, bool nhwc) {
  goe::torchref::ForwardResult result =
      s.reference->forward(nhwc ? in.nhwc : in.nchw);
  if (!result.ok())
    failSpecBench("torchref::Model::forward: " + result.error);
  return result.outputs;
}

/// Every output of both LibTorch layouts against the compiled model's.
void checkAgreement(State &s) {
  c10::InferenceMode inference;
  double worst = 0;
  for (auto &[batch, sets] : s.inputs)
    for (const Inputs &in : sets) {
      rt::RunResult result;
      runCompiled(s, in, result, s.options.threads.front());
      for (bool nhwc : {false, true}) {
        std::vector<at::Tensor> expected = runTorch(s, in, nhwc);
        if (expected.size() != result.outputs.size())
          failSpecBench("compiled and LibTorch models differ in their outputs");
        for (size_t o = 0; o < expected.size(); ++o) {
          at::Tensor want = expected[o].contiguous().to(at::kFloat);
          const rt::Tensor &got = result.outputs[o];
          if (got.shape() !=
              std::vector<int64_t>(want.sizes().begin(), want.sizes().end()))
            failSpecBench("output " + std::to_string(o) + " differs in shape");
          at::Tensor actual = torch::from_blob(const_cast<void *>(got.data()),
                                               want.sizes(), at::kFloat);
          double scale = std::max(want.abs().max().item<double>(), 1e-12);
          worst = std::max(worst,
                           (actual - want).abs().max().item<double>() / scale);
        }
      }
    }
  std::printf("agreement: max |goe - torch| / max |torch| = %.2g over every "
              "output, batch and layout\n",
              worst);
  if (!(worst <= 1e-4))
    failSpecBench("goe and LibTorch disagree (tolerance 1e-4); for box-fusion "
                  "outputs try --combine weighted_sum");
}

/// One profiled compiled pass per batch: prints the batch-1 (first batch)
/// profile and keeps the MACs per image and the convolutions' speed for the
/// summary.
void printProfile(State &s, double peak) {
  for (int64_t batch : s.options.batches) {
    rt::Profile profile;
    for (const Inputs &in : s.inputs[batch]) {
      rt::RunResult result;
      runCompiled(s, in, result, 1, &profile);
    }
    double macs = 0;
    for (const rt::ProfileEntry &e : profile.entries(rt::Profile::Kind::Kernel))
      macs += e.macs;
    BatchProfile &found = s.profiles[batch];
    found.macsPerImage = macs / static_cast<double>(profile.samples());
    double convMacs = 0, convSeconds = 0;
    for (const rt::ProfileEntry &e :
         profile.entries(rt::Profile::Kind::Convolution)) {
      convMacs += e.macs;
      convSeconds += e.seconds;
    }
    found.convGmacPerSecond =
        convSeconds > 0 ? convMacs / convSeconds * 1e-9 : 0;
    found.convShare =
        profile.busySeconds() > 0 ? convSeconds / profile.busySeconds() : 0;
    if (batch == s.options.batches.front()) {
      std::printf("\nprofile of goe_compiled, batch %lld, 1 thread, %d runs:\n"
                  "%s",
                  (long long)batch, kInputSets, profile.report(peak).c_str());
    }
  }
  std::fflush(stdout);
}

// --- Benchmarks -------------------------------------------------------------

void benchCompiled(benchmark::State &bs, int64_t batch, int threads) {
  State &s = state();
  const std::vector<Inputs> &sets = s.inputs.at(batch);
  rt::RunResult result;
  size_t i = 0;
  for (auto _ : bs) {
    runCompiled(s, sets[i++ % sets.size()], result, threads);
    benchmark::DoNotOptimize(result.outputs.data());
    benchmark::ClobberMemory();
  }
  setImagesPerSecond(bs, batch);
}

void benchTorch(benchmark::State &bs, int64_t batch, int threads, bool nhwc) {
  State &s = state();
  const std::vector<Inputs> &sets = s.inputs.at(batch);
  torch::set_num_threads(threads);
  c10::InferenceMode inference;
  size_t i = 0;
  for (auto _ : bs) {
    std::vector<at::Tensor> out = runTorch(s, sets[i++ % sets.size()], nhwc);
    benchmark::DoNotOptimize(out.front().data_ptr());
    benchmark::ClobberMemory();
  }
  setImagesPerSecond(bs, batch);
}

std::string benchName(const std::string &kind, int threads, int64_t batch) {
  return kind + "/threads:" + std::to_string(threads) +
         "/batch:" + std::to_string(batch);
}

void registerAll(const Options &o) {
  auto configure = [&](benchmark::internal::Benchmark *bm) {
    bm->UseRealTime()->Unit(benchmark::kMillisecond);
    if (o.quick)
      bm->Iterations(2)->Repetitions(1);
    else
      bm->MinTime(1.0)->Repetitions(3)->ReportAggregatesOnly(true);
  };
  bool goe = o.side != "torch", torch = o.side != "goe";
  for (int64_t batch : o.batches)
    for (int threads : o.threads) {
      if (goe)
        configure(benchmark::RegisterBenchmark(
            benchName("goe_compiled", threads, batch).c_str(), benchCompiled,
            batch, threads));
      for (bool nhwc : {false, true})
        if (torch)
          configure(benchmark::RegisterBenchmark(
              benchName(nhwc ? "torch_nhwc" : "torch_nchw", threads, batch)
                  .c_str(),
              benchTorch, batch, threads, nhwc));
    }
}

double median(const SideStats &stats, const std::string &name) {
  auto it = stats.find(name);
  if (it == stats.end() || it->second.error ||
      !it->second.byAggregate.count("median"))
    return std::nan("");
  return it->second.byAggregate.at("median");
}

void printSummary(const State &s, const SideStats &reporter, double peak) {
  std::printf("\nSummary: images/s by wall-clock time, median over "
              "repetitions; goe and LibTorch timed in %s.\n",
              s.options.separateProcesses ? "separate processes"
                                          : "one process");
  for (int64_t batch : s.options.batches) {
    const BatchProfile &profile = s.profiles.at(batch);
    double macs = profile.macsPerImage;
    std::printf("\nbatch %lld (%.4g MMAC per image, as compiled and routed)\n",
                (long long)batch, macs * 1e-6);
    if (profile.convGmacPerSecond > 0)
      std::printf("  convolutions (the conv microkernel, profiled pass, 1 "
                  "thread): %.1f GMAC/s = %.0f%% of the 1-core peak, %.0f%% "
                  "of the busy time\n",
                  profile.convGmacPerSecond,
                  100.0 * profile.convGmacPerSecond / peak,
                  100.0 * profile.convShare);
    double goe1 = median(reporter, benchName("goe_compiled", 1, batch));
    for (int t : s.options.threads) {
      double goe = median(reporter, benchName("goe_compiled", t, batch));
      double nchw = median(reporter, benchName("torch_nchw", t, batch));
      double nhwc = median(reporter, benchName("torch_nhwc", t, batch));
      double best = std::max(nchw, nhwc);
      std::printf("  %d thread%s: goe %9.2f, torch nchw %9.2f, torch nhwc "
                  "%9.2f images/s; goe / best torch %5.2fx; goe scaling %5.2fx;"
                  " goe %.1f GMAC/s = %.0f%% of %d x the 1-core peak\n",
                  t, t == 1 ? " " : "s", goe, nchw, nhwc, goe / best,
                  goe / goe1, goe * macs * 1e-9,
                  100.0 * goe * macs * 1e-9 / (peak * t), t);
    }
  }
}

/// Registers and runs the benchmarks of this process's side (both sides
/// with --processes shared) and returns their aggregates.
SideStats runBenchmarks(const Options &o) {
  registerAll(o);
  SummaryReporter reporter(isatty(STDOUT_FILENO)
                               ? benchmark::ConsoleReporter::OO_ColorTabular
                               : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  return reporter.stats();
}

/// A child process: sets up its side, times it and writes the aggregates.
int sideMain(State &s) {
  // LibTorch's OpenMP team would otherwise wake for the weight init and
  // spin next to goe's threads.
  if (s.options.side == "goe")
    torch::set_num_threads(1);
  compile(s);
  makeInputs(s);
  if (!writeSideResults(s.options.resultsFile, runBenchmarks(s.options)))
    failSpecBench("cannot write " + s.options.resultsFile);
  return 0;
}

} // namespace

int specBenchMain(int argc, char **argv) {
  std::vector<char *> rest;
  State &s = state();
  s.options = parseSpecBenchOptions(argc, argv, rest);
  int count = static_cast<int>(rest.size());
  benchmark::Initialize(&count, rest.data());
  if (benchmark::ReportUnrecognizedArguments(count, rest.data()))
    return 1;
  if (!s.options.side.empty())
    return sideMain(s);
  // The temporary model and results files go on SIGINT too.
  rt::installInterruptCleanup();

  std::printf("goe-bench %s%s%s, weights initRandom(%llu)\n",
              s.options.spec.c_str(),
              s.options.combine.empty() ? "" : ", combine ",
              s.options.combine.c_str(), (unsigned long long)kWeightSeed);
  std::vector<int> torchThreads(s.options.threads.begin(),
                                s.options.threads.end());
  double peak = printMachine(at::get_num_threads(), torchThreads);
  compile(s);
  makeInputs(s);
  checkAgreement(s);
  printProfile(s, peak);

  SideStats stats;
  if (s.options.separateProcesses) {
    // One configuration at a time, goe then LibTorch, so that a drift of
    // the machine's clock over the run (turbo, other tenants of a VM's
    // host) falls on both sides of a ratio alike.
    for (int64_t batch : s.options.batches)
      for (int threads : s.options.threads)
        for (const char *side : {"goe", "torch"}) {
          std::printf("\nbatch %lld, %d thread%s: %s, in a process of its "
                      "own\n",
                      (long long)batch, threads, threads == 1 ? "" : "s", side);
          std::vector<std::string> args = s.options.childArgs;
          for (std::string extra :
               {std::string("--batches"), std::to_string(batch),
                std::string("--threads"), std::to_string(threads),
                std::string("--artifact"), s.artifactFile->path()})
            args.push_back(extra);
          std::string error;
          if (!runSideProcess(args, side, stats, error))
            failSpecBench(error);
        }
    s.artifactFile.reset();
  } else {
    stats = runBenchmarks(s.options);
  }
  // The clock may have moved since the first measurement: % of the peak
  // is taken of the higher of the two, which errs low.
  double peakAfter = rt::measureFmaPeak().gmacPerSecond;
  std::printf("\nFMA peak: %.1f GMAC/s before the runs, %.1f after; %% of the "
              "peak below is of the higher\n",
              peak, peakAfter);
  printSummary(s, stats, std::max(peak, peakAfter));
  benchmark::Shutdown();
  return 0;
}

} // namespace goe::bench
