//===- goe-run.cpp - run a compiled goe model on .npy inputs --------------===//
//
//   goe-run MODEL.goe [--input [NAME=]FILE.npy]... [--random-input N]
//           [--seed S] [--output FILE.npy | --output-dir DIR]
//           [--labels FILE.npy] [--weights W.goew] [--batch B]
//           [--threads N] [--profile]
//
// A thin driver over the runtime: it loads the model, binds the inputs,
// runs them in batches through a Session and reports the routing counts,
// the throughput and, with labels, the accuracy. It links the runtime only
// (no MLIR, LLVM or LibTorch); its command line is RunOptions.cpp.
//
// Every error is `goe-run: error: <message>` on stderr and exit code 1;
// output files are written only after every batch ran.
//
//===----------------------------------------------------------------------===//

#include "goe/Runtime/Artifact.h"
#include "goe/Runtime/FileIO.h"
#include "goe/Runtime/InterruptCleanup.h"
#include "goe/Runtime/FmaPeak.h"
#include "goe/Runtime/Model.h"
#include "goe/Runtime/Npy.h"
#include "goe/Runtime/QuoteText.h"
#include "goe/Runtime/Random.h"

#include "RunOptions.h"
#include "goe/Runtime/Session.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace goe::runtime;
using goe::tools::Options;

namespace {

int fail(const std::string &message) {
  std::fprintf(stderr, "goe-run: error: %s\n", message.c_str());
  return 1;
}

/// "[N, 1, 28, 28]" for a per-sample shape [1, 28, 28].
std::string batchedShape(const TensorSpec &spec) {
  std::string inner = shapeToString(spec.shape);
  return spec.shape.empty() ? "[N]" : "[N, " + inner.substr(1);
}

std::string inputList(const Model &model) {
  std::string names;
  for (size_t i = 0; i < model.numInputs(); ++i)
    names += (i ? ", " : "") + escapeText(model.inputName(i));
  return names;
}


/// The number of choices of the oracle router(s) that read graph input
/// `index` directly (the smallest if several); 0 if none does.
int64_t oracleChoices(const goe::artifact::Model &proto, size_t index) {
  int64_t choices = 0;
  for (const goe::artifact::Step &step : proto.steps()) {
    if (step.kind() != goe::artifact::Step::ROUTE || step.inputs_size() == 0 ||
        step.inputs(0) != static_cast<int32_t>(index))
      continue;
    for (const goe::artifact::Router &router : proto.routers())
      if (router.name() == step.router() && router.has_oracle() &&
          router.choices() > 0 && (choices == 0 || router.choices() < choices))
        choices = router.choices();
  }
  return choices;
}

StatusOr<Tensor> randomInput(const TensorSpec &spec, int64_t samples,
                             int64_t choices, uint64_t seed, size_t index) {
  std::vector<int64_t> shape{samples};
  shape.insert(shape.end(), spec.shape.begin(), spec.shape.end());
  StatusOr<Tensor> tensor = Tensor::uninitialized(spec.dtype, shape);
  if (!tensor.ok())
    return tensor;
  // Each input gets its own stream.
  SplitMix64 gen{seed ^ (0xd1b54a32d192ed03ull * (index + 1))};
  if (spec.dtype == DType::F32) {
    float *out = tensor->f32();
    for (int64_t i = 0; i < tensor->numel(); ++i)
      out[i] = gen.unitFloat();
  } else {
    int64_t *out = tensor->i64();
    for (int64_t i = 0; i < tensor->numel(); ++i)
      out[i] = static_cast<int64_t>(gen.below(static_cast<uint64_t>(choices)));
  }
  return tensor;
}

/// Checks an input read from `file` (stored as `storedDtype`) against the
/// model's input `index`.
Status checkInput(const Model &model, size_t index, const std::string &file,
                  const std::string &storedDtype, const Tensor &tensor) {
  const TensorSpec &spec = model.inputSpec(index);
  std::string what =
      "input " + quoteText(model.inputName(index)) + " from " + quoteText(file);
  if (tensor.dtype() != spec.dtype)
    return invalidArgument(
        what + " holds " + describeNpyDtype(storedDtype, tensor.dtype()) +
        " values, the model expects " + dtypeName(spec.dtype) + " " +
        batchedShape(spec) + ": store it as " + npyDtypesReadAs(spec.dtype));
  const std::vector<int64_t> &shape = tensor.shape();
  if (shape.size() != spec.shape.size() + 1 ||
      !std::equal(spec.shape.begin(), spec.shape.end(), shape.begin() + 1))
    return invalidArgument(what + " has shape " + shapeToString(shape) +
                           ", the model expects " + batchedShape(spec));
  if (shape[0] < 1)
    return invalidArgument(what + " has no samples");
  return okStatus();
}

/// A view of samples [begin, begin + count) of a batch-first tensor.
TensorView slice(const Tensor &tensor, int64_t begin, int64_t count) {
  TensorView view = tensor.view();
  size_t perSample = tensor.shape()[0] ? tensor.byteSize() / tensor.shape()[0] : 0;
  view.shape[0] = count;
  view.data = static_cast<const char *>(tensor.data()) + begin * perSample;
  return view;
}

/// Where output `i` is written; empty if it is not.
std::string outputPath(const Options &options, size_t i) {
  if (!options.output.empty())
    return options.output;
  if (!options.outputDir.empty())
    return options.outputDir + "/output_" + std::to_string(i) + ".npy";
  return "";
}

/// An error if the f32 output `scores` ([N, ...]) holds NaN or infinity,
/// with how many values and samples do.
Status checkFinite(const Tensor &scores, const std::string &name) {
  if (scores.dtype() != DType::F32 || scores.numel() == 0)
    return okStatus();
  int64_t samples = scores.shape()[0];
  int64_t perSample = scores.numel() / samples;
  int64_t values = 0, badSamples = 0, first = -1;
  for (int64_t b = 0; b < samples; ++b) {
    int64_t here = 0;
    for (int64_t c = 0; c < perSample; ++c)
      here += !std::isfinite(scores.f32()[b * perSample + c]);
    values += here;
    badSamples += here > 0;
    if (here > 0 && first < 0)
      first = b;
  }
  if (values == 0)
    return okStatus();
  return invalidArgument(
      "--labels: output 0 " + quoteText(name) + " holds " +
      std::to_string(values) + " non-finite value" + (values == 1 ? "" : "s") +
      " (NaN or infinity) in " + std::to_string(badSamples) + " of " +
      std::to_string(samples) + " samples (the first: sample " +
      std::to_string(first) +
      "); no accuracy is reported over them (are the weights or the inputs "
      "non-finite?)");
}

/// Per ROUTE step: how many samples (times k) chose each path.
struct RouteCounts {
  std::string router;
  int step = 0;
  std::vector<int64_t> perPath;
};

} // namespace

int main(int argc, char **argv) {
  // Ctrl-C while an output is written leaves no temporary beside it.
  installInterruptCleanup();
  Options options;
  if (Status status = goe::tools::parseRunArgs(argc, argv, options); !status.ok())
    return fail(status.message());
  if (options.help) {
    std::fputs(goe::tools::kRunUsage, stdout);
    return 0;
  }

  // The model. The message is parsed here (not via Model::load) because the
  // tool also reads its routers to choose the range of random i64 inputs.
  StatusOr<std::string> bytes = readFileBytes(options.model);
  if (!bytes.ok())
    return fail(bytes.status().message());
  StatusOr<goe::artifact::Model> proto = parseModel(*bytes, options.model);
  if (!proto.ok())
    return fail(proto.status().message());
  ModelOptions modelOptions;
  modelOptions.weightsPath = options.weights;
  StatusOr<std::shared_ptr<const Model>> loaded =
      Model::fromProto(*proto, modelOptions);
  if (!loaded.ok()) {
    // A weights file names itself; other load errors get the model's path.
    const std::string &message = loaded.status().message();
    bool aboutWeights =
        !options.weights.empty() &&
        message.find(quoteText(options.weights)) != std::string::npos;
    return fail(aboutWeights ? message
                             : quoteText(options.model) + ": " + message);
  }
  const Model &model = **loaded;
  size_t numInputs = model.numInputs();

  // Bind the --input files by name, or in order when no name is given.
  // NAME=FILE needs a NAME without '/', so "./a=b.npy" is a file name.
  std::vector<std::optional<Tensor>> inputs(numInputs);
  std::vector<std::string> sources(numInputs);
  for (const std::string &spec : options.inputs) {
    std::string name, file = spec;
    size_t eq = spec.find('=');
    if (eq != std::string::npos && spec.find('/') > eq) {
      name = spec.substr(0, eq);
      file = spec.substr(eq + 1);
      if (name.empty() || file.empty())
        return fail("--input wants [NAME=]FILE.npy, got " + quoteText(spec));
    }
    size_t index = numInputs;
    if (!name.empty()) {
      for (size_t i = 0; i < numInputs; ++i)
        if (model.inputName(i) == name)
          index = i;
      if (index == numInputs)
        return fail("the model has no input " + quoteText(name) +
                    "; its inputs are: " + inputList(model));
      if (!sources[index].empty())
        return fail("input " + quoteText(name) + " is given twice (" +
                    quoteText(sources[index]) + " and " + quoteText(file) +
                    ")");
    } else {
      for (size_t i = 0; i < numInputs && index == numInputs; ++i)
        if (sources[i].empty())
          index = i;
      if (index == numInputs)
        return fail("too many --input files: the model has " +
                    std::to_string(numInputs) + " inputs (" +
                    inputList(model) + ")");
    }
    std::string storedDtype;
    StatusOr<Tensor> tensor = readNpy(file, &storedDtype);
    if (!tensor.ok())
      return fail(tensor.status().message());
    if (Status status = checkInput(model, index, file, storedDtype, *tensor);
        !status.ok())
      return fail(status.message());
    sources[index] = file;
    inputs[index] = std::move(tensor).value();
  }
  for (size_t i = 0; i < numInputs; ++i) {
    if (inputs[i])
      continue;
    if (!options.randomSamples)
      return fail("no values for input " + quoteText(model.inputName(i)) +
                  ": give --input " + escapeText(model.inputName(i)) +
                  "=FILE.npy or --random-input N");
    int64_t choices = oracleChoices(*proto, i);
    StatusOr<Tensor> tensor =
        randomInput(model.inputSpec(i), *options.randomSamples,
                    choices > 0 ? choices : 2, options.seed.value_or(0), i);
    if (!tensor.ok())
      return fail(tensor.status().message());
    sources[i] = "--random-input";
    inputs[i] = std::move(tensor).value();
  }
  if (numInputs == 0)
    return fail("the model has no inputs");
  int64_t samples = inputs[0]->shape()[0];
  for (size_t i = 1; i < numInputs; ++i)
    if (inputs[i]->shape()[0] != samples)
      return fail("batch mismatch: input " + quoteText(model.inputName(i)) +
                  " (" + escapeText(sources[i]) + ") has " +
                  std::to_string(inputs[i]->shape()[0]) + " samples, input " +
                  quoteText(model.inputName(0)) + " (" +
                  escapeText(sources[0]) + ") has " + std::to_string(samples));

  // Labels: one class index per sample, checked against the first output.
  std::optional<Tensor> labels;
  if (!options.labels.empty()) {
    if (model.numOutputs() == 0)
      return fail("--labels: the model has no outputs");
    std::string storedDtype;
    StatusOr<Tensor> read = readNpy(options.labels, &storedDtype);
    if (!read.ok())
      return fail(read.status().message());
    const std::string what = "labels " + quoteText(options.labels);
    if (read->dtype() != DType::I64)
      return fail(
          what + " hold " + describeNpyDtype(storedDtype, read->dtype()) +
          " values; labels must be integers: " + npyDtypesReadAs(DType::I64));
    if (read->shape() != std::vector<int64_t>{samples})
      return fail(what + " have shape " + shapeToString(read->shape()) +
                  ", expected [" + std::to_string(samples) +
                  "] (one per sample)");
    StatusOr<int64_t> classes = checkedNumel(model.outputSpec(0).shape);
    if (!classes.ok())
      return fail(classes.status().message());
    for (int64_t b = 0; b < samples; ++b)
      if (read->i64()[b] < 0 || read->i64()[b] >= *classes)
        return fail(what + ": sample " + std::to_string(b) + " has label " +
                    std::to_string(read->i64()[b]) + ", outside [0, " +
                    std::to_string(*classes) + ") of output 0 " +
                    specToString(model.outputSpec(0)));
    labels = std::move(read).value();
  }

  // Where outputs go, checked before anything runs.
  if (!options.output.empty() && model.numOutputs() != 1)
    return fail("--output writes a single output, the model has " +
                std::to_string(model.numOutputs()) + "; use --output-dir");
  if (!options.outputDir.empty()) {
    struct stat st;
    if (::stat(options.outputDir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return fail("--output-dir " + quoteText(options.outputDir) +
                  " is not an existing directory");
  }
  // Writable, found out now rather than after the whole run.
  for (size_t i = 0; i < model.numOutputs(); ++i) {
    std::string path = outputPath(options, i);
    if (path.empty())
      break;
    if (Status status = checkWritable(path); !status.ok())
      return fail((options.output.empty() ? "--output-dir: " : "--output: ") +
                  status.message());
  }

  SessionOptions sessionOptions;
  sessionOptions.device = options.device;
  sessionOptions.cudaDriverLibrary = options.cudaDriver;
  sessionOptions.threads = static_cast<int>(options.threads.value_or(0));
  StatusOr<std::unique_ptr<Session>> session =
      Session::create(*loaded, sessionOptions);
  if (!session.ok())
    return fail(session.status().message());
  for (const std::string &warning : (*session)->warnings())
    std::fprintf(stderr, "goe-run: warning: --threads: %s\n", warning.c_str());

  // Run in batches, gathering the outputs in input order.
  int64_t batch = options.batch ? std::min(*options.batch, samples) : samples;
  std::vector<Tensor> outputs;
  std::vector<RouteCounts> routes;
  double seconds = 0;
  int64_t batches = 0;
  RunOptions runOptions;
  runOptions.seed = options.seed;
  Profile profile;
  // The peak is measured before and after the runs: a VM's clock moves
  // with its host's load, and % of the peak is taken of the higher (it errs
  // low).
  FmaPeak peakBefore;
  if (options.profile) {
    runOptions.profile = &profile;
    peakBefore = measureFmaPeak();
  }
  for (int64_t begin = 0; begin < samples; begin += batch, ++batches) {
    int64_t count = std::min(batch, samples - begin);
    std::vector<TensorView> views;
    for (const std::optional<Tensor> &input : inputs)
      views.push_back(slice(*input, begin, count));
    RunResult result;
    auto start = std::chrono::steady_clock::now();
    Status status = (*session)->run(views, result, runOptions);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                             start)
                   .count();
    if (!status.ok())
      return fail(status.message() +
                  (batch < samples ? " (batch of samples " +
                                         std::to_string(begin) + ".." +
                                         std::to_string(begin + count - 1) +
                                         ")"
                                   : std::string()));

    if (outputs.empty()) {
      for (const Tensor &out : result.outputs) {
        std::vector<int64_t> shape = out.shape();
        shape[0] = samples;
        StatusOr<Tensor> full = Tensor::uninitialized(out.dtype(), shape);
        if (!full.ok())
          return fail(full.status().message());
        outputs.push_back(std::move(full).value());
      }
      for (const RouteDecision &route : result.routes) {
        RouteCounts counts{route.router, route.step, {}};
        for (const goe::artifact::Router &router : proto->routers())
          if (router.name() == route.router && router.choices() > 0)
            counts.perPath.assign(static_cast<size_t>(router.choices()), 0);
        routes.push_back(std::move(counts));
      }
    }
    for (size_t i = 0; i < outputs.size(); ++i) {
      size_t perSample = outputs[i].byteSize() / static_cast<size_t>(samples);
      std::memcpy(static_cast<char *>(outputs[i].data()) + begin * perSample,
                  result.outputs[i].data(), count * perSample);
    }
    for (size_t r = 0; r < routes.size() && r < result.routes.size(); ++r)
      for (int64_t choice : result.routes[r].choices) {
        if (choice >= static_cast<int64_t>(routes[r].perPath.size()))
          routes[r].perPath.resize(static_cast<size_t>(choice) + 1, 0);
        if (choice >= 0)
          ++routes[r].perPath[static_cast<size_t>(choice)];
      }
  }

  // The report.
  std::printf("model %s: %" PRId64 " samples in %" PRId64 " batch%s of %" PRId64
              "\n",
              quoteText(model.name()).c_str(), samples, batches,
              batches == 1 ? "" : "es", batch);
  std::map<std::string, int> routerUses;
  for (const RouteCounts &route : routes)
    ++routerUses[route.router];
  for (const RouteCounts &route : routes) {
    std::string line = "route " + escapeText(route.router);
    if (routerUses[route.router] > 1)
      line += " (step " + std::to_string(route.step) + ")";
    line += ":";
    for (size_t p = 0; p < route.perPath.size(); ++p)
      line += (p ? ", path " : " path ") + std::to_string(p) + ": " +
              std::to_string(route.perPath[p]);
    std::printf("%s\n", line.c_str());
  }
  for (size_t i = 0; i < outputs.size(); ++i)
    std::printf("output %zu: %s %s\n", i, dtypeName(outputs[i].dtype()),
                shapeToString(outputs[i].shape()).c_str());
  std::printf("time: %.6f s, %.1f images/s\n", seconds,
              seconds > 0 ? static_cast<double>(samples) / seconds : 0.0);

  if (labels) {
    const Tensor &scores = outputs[0];
    int64_t classes = scores.numel() / samples;
    // An argmax over NaN picks class 0: an accuracy over such outputs
    // would be a number without meaning.
    if (Status status = checkFinite(scores, model.outputName(0)); !status.ok())
      return fail(status.message());
    int64_t correct = 0;
    for (int64_t b = 0; b < samples; ++b) {
      int64_t best = 0;
      for (int64_t c = 1; c < classes; ++c) {
        bool better = scores.dtype() == DType::F32
                          ? scores.f32()[b * classes + c] >
                                scores.f32()[b * classes + best]
                          : scores.i64()[b * classes + c] >
                                scores.i64()[b * classes + best];
        if (better)
          best = c;
      }
      correct += best == labels->i64()[b];
    }
    std::printf("accuracy: %.4f (%" PRId64 "/%" PRId64 ")\n",
                static_cast<double>(correct) / static_cast<double>(samples),
                correct, samples);
  }

  if (options.profile) {
    FmaPeak peak = measureFmaPeak();
    double before = peakBefore.gmacPerSecond, after = peak.gmacPerSecond;
    peak.gmacPerSecond = std::max(before, after);
    std::printf("\nFMA peak: %.1f GMAC/s on one core (%s, %d f32 lanes; "
                "the higher of %.1f before the runs and %.1f after)\n%s",
                peak.gmacPerSecond, peak.isa.c_str(), peak.lanes, before,
                after, profile.report(peak.gmacPerSecond).c_str());
  }

  // Outputs, each written atomically.
  for (size_t i = 0; i < outputs.size(); ++i) {
    std::string path = outputPath(options, i);
    if (path.empty())
      break;
    if (Status status = writeNpy(path, outputs[i].view()); !status.ok())
      return fail(status.message());
    std::printf("wrote output %zu to %s\n", i, escapeText(path).c_str());
  }
  return 0;
}
