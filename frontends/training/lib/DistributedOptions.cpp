//===- DistributedOptions.cpp - data-parallel flags and agreement ---------===//

#include "goe/Training/DistributedOptions.h"
#include "goe/Training/Optimizer.h"

#include <algorithm>
#include <cinttypes>
#include <cstdlib>
#include <functional>
#include <sstream>

namespace goe::train {

using runtime::Status;

namespace {

Status error(const std::string &message) {
  return runtime::invalidArgument(message);
}

/// What every rank must agree on, one "what=value" line each, in a fixed
/// order; the first difference is named.
std::vector<std::pair<std::string, std::string>>
fingerprintLines(const TrainOptions &options, const torchref::Model &model,
            const TrainingData &data) {
  const ScheduleOptions &s = options.schedule;
  std::ostringstream schedule;
  schedule << s.kind << " step " << s.stepEpochs << " gamma " << s.gamma
           << " min " << s.minFactor << " warm-up " << s.warmupEpochs;
  int64_t elements = 0;
  std::string shapes;
  auto all = model.parameterShapes();
  for (const auto &[name, shape] : all) {
    shapes += name;
    for (int64_t d : shape)
      shapes += " " + std::to_string(d);
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    elements += n;
    shapes += ";";
  }
  std::string stageEpochs;
  for (const auto &[stage, epochs] : options.stageEpochs)
    stageEpochs += " " + stage + "=" + std::to_string(epochs);
  char model_[96];
  std::snprintf(model_, sizeof model_,
                "%zu tensors, %" PRId64 " numbers, shapes %016zx", all.size(),
                elements, std::hash<std::string>()(shapes));
  return {
      {"--world-size", std::to_string(options.worldSize)},
      {"--batch", std::to_string(options.batch)},
      {"--epochs", std::to_string(options.epochs)},
      {"--seed", std::to_string(options.seed)},
      {"--optimizer", describeOptimizer(options.optimizer)},
      {"--schedule", schedule.str()},
      {"--objective", options.objective + " " + options.output + " " +
                          options.target},
      {"--router", options.router.empty() ? "(the spec's)" : options.router},
      {"--patience", std::to_string(options.patience)},
      {"--stages", options.stages + stageEpochs},
      {"--resume", options.resume.empty() ? "no" : "yes"},
      {"training split", std::to_string(data.size(Split::Train)) + " samples"},
      {"validation split", std::to_string(data.size(Split::Val)) + " samples"},
      {"model", model_},
  };
}

std::string encode(const std::vector<std::pair<std::string, std::string>> &f) {
  std::string text;
  for (const auto &[what, value] : f)
    text += what + "=" + value + "\n";
  return text;
}

} // namespace

std::string fingerprintDifference(const std::string &mine, int myRank,
                       const std::string &theirs, int theirRank) {
  std::istringstream a(mine), b(theirs);
  std::string la, lb;
  while (std::getline(a, la)) {
    if (!std::getline(b, lb))
      lb.clear();
    if (la == lb)
      continue;
    size_t eq = la.find('=');
    std::string what = la.substr(0, eq);
    std::string other = lb.rfind(what + "=", 0) == 0
                            ? lb.substr(eq + 1)
                            : "(" + lb + ")";
    return "rank " + std::to_string(theirRank) + " has " + what + " " +
           other + ", rank " + std::to_string(myRank) + " " +
           la.substr(eq + 1) +
           ": every rank must run the same training (only --rank differs)";
  }
  return "";
}

std::string runFingerprint(const TrainOptions &options,
                           const torchref::Model &model,
                           const TrainingData &data) {
  return encode(fingerprintLines(options, model, data));
}

std::pair<int64_t, int64_t> batchShare(int64_t begin, int64_t end, int rank,
                                       int worldSize) {
  int64_t n = end - begin, base = n / worldSize, extra = n % worldSize;
  int64_t first = begin + rank * base + std::min<int64_t>(rank, extra);
  return {first, first + base + (rank < extra ? 1 : 0)};
}

bool parseMaster(const std::string &master, std::string &host,
                 uint16_t &port) {
  size_t colon = master.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == master.size())
    return false;
  host = master.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  char *end = nullptr;
  long value = std::strtol(master.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || value < 1 || value > 65535)
    return false;
  port = static_cast<uint16_t>(value);
  return true;
}

Status checkDistributedOptions(const TrainOptions &options) {
  if (options.worldSize < 1)
    return error("--world-size must be at least 1, got " +
                 std::to_string(options.worldSize));
  if (options.rank < 0 || options.rank >= options.worldSize)
    return error("--rank " + std::to_string(options.rank) +
                 " is not below --world-size " +
                 std::to_string(options.worldSize) + " (ranks are 0 to " +
                 std::to_string(options.worldSize - 1) + ")");
  if (!(options.distTimeout > 0))
    return error("--dist-timeout must be a positive number of seconds");
  if (options.worldSize == 1) {
    if (!options.master.empty())
      return error("--master " + options.master +
                   " needs --world-size of 2 or more");
    return runtime::okStatus();
  }
  std::string host;
  uint16_t port;
  if (options.master.empty())
    return error("--world-size " + std::to_string(options.worldSize) +
                 " needs --master HOST:PORT (rank 0's address, where it "
                 "listens for the others)");
  if (!parseMaster(options.master, host, port))
    return error("--master wants HOST:PORT with a port from 1 to 65535, "
                 "got '" + options.master + "'");
  if (options.worldSize > options.batch)
    return error("--world-size " + std::to_string(options.worldSize) +
                 " is more than --batch " + std::to_string(options.batch) +
                 ": the global batch is split over the ranks, so some would "
                 "have no samples");
  return runtime::okStatus();
}

} // namespace goe::train
