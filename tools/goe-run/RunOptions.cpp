//===- RunOptions.cpp - goe-run's command line ----------------------------===//
//
// goe-run links the runtime only (no MLIR, LLVM or LibTorch), so argv is
// parsed here by hand, with tools/common's Flags.h.
//
//===----------------------------------------------------------------------===//

#include "RunOptions.h"

#include "Flags.h"
#include "goe/Runtime/QuoteText.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

using namespace goe::runtime;

namespace goe::tools {

const char *kRunUsage = R"(usage: goe-run MODEL.goe [options]

Runs a compiled goe model (goe-compile -o MODEL.goe) on inputs from .npy
files or on random inputs, and prints how many samples each routing point
sent down each path, the throughput and, with --labels, the accuracy.

options:
  --input [NAME=]FILE.npy  values of model input NAME ([N, per-sample shape],
                           '<f4' or '<i8'; see below). Without NAME= the file
                           binds the next input not yet bound, in model order.
                           Repeatable.
  --device cpu|cuda        where compiled code runs (default cpu); cuda needs
                           a model compiled with --target=cuda, a GPU and
                           its driver
  --cuda-driver LIB        the CUDA driver library (default libcuda.so.1)
  --random-input N         N random samples for every input not given with
                           --input: f32 uniform in [0, 1); i64 uniform in
                           [0, choices) of the oracle router that reads the
                           input (the smallest, if several), else in [0, 2).
  --seed S                 seed of the random inputs (default 0); also seeds
                           the model's `random` routers.
  --output FILE.npy        write the model's only output.
  --output-dir DIR         write output i to DIR/output_<i>.npy (DIR must
                           exist).
  --labels FILE.npy        i64 class per sample ([N]): print the accuracy of
                           the argmax over the first output (refused, exit
                           1, if that output holds NaN or infinity).
  --weights W.goew         bind every weight of the model from this file,
                           as goe-compile --weights would have: it holds each
                           weight of the spec by name and shape (goe-train
                           SPEC --list-weights), and batch-norm folding and
                           prepacking run at load, by the compiler's code. A
                           file that lacks a weight or has another shape is
                           refused with the list; none is half replaced.
  --batch B                run B samples at a time (default: all at once).
  --threads N              threads each batch computes on (default: every
                           core); outputs are bit-identical for any N. More
                           than the cores is slower and warns.
  --profile                after the run, print where the time went: per
                           compiled function and per routed path the time,
                           its share, MACs, GMAC/s and % of this core's
                           measured f32 FMA peak; and the runtime's own work.
  --help                   print this text.

.npy files: versions 1.0-3.0, C order; '<f4' and '<i8' as stored, '<i4' read
as i64, '|u1' and '<f8' read as f32. Outputs are written as '<f4' / '<i8'.
Errors print `goe-run: error: ...` and exit 1 without writing anything;
--output and --output-dir are checked for writability before the run.
)";

namespace {

/// A whole-string non-negative decimal integer.
bool parseCount(const std::string &text, uint64_t &out) {
  if (text.empty() || text[0] < '0' || text[0] > '9')
    return false;
  errno = 0;
  char *end = nullptr;
  unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0')
    return false;
  out = value;
  return true;
}

Status parsePositive(const std::string &flag, const std::string &text,
                     std::optional<int64_t> &out) {
  uint64_t value;
  if (!parseCount(text, value) || value < 1 ||
      value > static_cast<uint64_t>(INT64_MAX))
    return invalidArgument(flag + " wants a positive integer, got " +
                           quoteText(text));
  out = static_cast<int64_t>(value);
  return okStatus();
}

} // namespace

Status parseRunArgs(int argc, char **argv, Options &options) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "--help" || arg == "-h") {
      options.help = true;
      return okStatus();
    }
    if (arg == "--profile") {
      options.profile = true;
      continue;
    }
    if (arg.size() < 2 || arg.compare(0, 2, "--") != 0 || arg == "--") {
      if (arg.size() > 1 && arg[0] == '-')
        return invalidArgument("unknown option " + quoteText(arg) +
                               " (see --help)");
      if (!options.model.empty())
        return invalidArgument("unexpected argument " + quoteText(arg) +
                               ": the model is " + quoteText(options.model) +
                               " (inputs take --input)");
      options.model = arg;
      continue;
    }
    std::string flag, value;
    GOE_RETURN_IF_ERROR(goe::tools::readFlag(
        args, i,
        {"--input", "--random-input", "--seed", "--output", "--output-dir",
         "--labels", "--weights", "--batch", "--device", "--cuda-driver",
         "--threads"},
        flag, value));

    if (flag == "--input") {
      options.inputs.push_back(value);
    } else if (flag == "--device") {
      // The runtime's device registry decides which names exist.
      std::vector<std::string> devices = availableDevices();
      if (std::find(devices.begin(), devices.end(), value) == devices.end()) {
        std::string names;
        for (const std::string &name : devices)
          names += (names.empty() ? "" : " or ") + name;
        return invalidArgument("--device wants " + names + ", got " +
                               quoteText(value));
      }
      options.device = Device(value);
    } else if (flag == "--cuda-driver") {
      options.cudaDriver = value;
    } else if (flag == "--random-input") {
      GOE_RETURN_IF_ERROR(parsePositive(flag, value, options.randomSamples));
    } else if (flag == "--batch") {
      GOE_RETURN_IF_ERROR(parsePositive(flag, value, options.batch));
    } else if (flag == "--threads") {
      GOE_RETURN_IF_ERROR(parsePositive(flag, value, options.threads));
      if (*options.threads > kMaxSessionThreads)
        return invalidArgument("--threads " + value + ": at most " +
                               std::to_string(kMaxSessionThreads));
    } else if (flag == "--seed") {
      uint64_t seed;
      if (!parseCount(value, seed))
        return invalidArgument("--seed wants a non-negative integer, got " +
                               quoteText(value));
      options.seed = seed;
    } else {
      std::string &target = flag == "--output"       ? options.output
                            : flag == "--output-dir" ? options.outputDir
                            : flag == "--labels"     ? options.labels
                                                     : options.weights;
      if (!target.empty())
        return invalidArgument(flag + " given twice");
      target = value;
    }
  }
  if (options.model.empty())
    return invalidArgument("no model given (usage: goe-run MODEL.goe "
                           "[options]; see --help)");
  if (!options.output.empty() && !options.outputDir.empty())
    return invalidArgument("give --output or --output-dir, not both");
  return okStatus();
}

} // namespace goe::tools
