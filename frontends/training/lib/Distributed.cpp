//===- Distributed.cpp - data-parallel training over c10d and Gloo --------===//
//
// The one file that includes c10d (compiled with USE_C10D_GLOO, as Debian's
// LibTorch was built; the Gloo headers come from libgloo-dev).
//
//===----------------------------------------------------------------------===//

#include "goe/Training/Distributed.h"
#include "goe/Training/RouterTrainer.h"
#include "goe/Training/TrainingError.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/torch.h>

#include <csignal>
#include <cstdlib>
#include <functional>
#include <map>

namespace goe::train {

using runtime::Status;

namespace {

Status error(const std::string &message) {
  return runtime::invalidArgument(message);
}

/// An exception's message without LibTorch's C++ backtrace.
std::string describe(const std::exception &e) {
  if (auto *c10 = dynamic_cast<const c10::Error *>(&e))
    return c10->what_without_backtrace();
  return e.what();
}

bool isLoopback(const std::string &host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::vector<uint8_t> bytes(const std::string &text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

} // namespace

struct DataParallel::Group {
  std::string master;
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> processGroup;

  /// Waits for `work`; any failure (a closed connection, a timeout) becomes
  /// a TrainingError naming this rank and `where`.
  void wait(const c10::intrusive_ptr<c10d::Work> &work, int rank,
            const std::string &where) {
    try {
      work->wait();
    } catch (const std::exception &e) {
      throw TrainingError(runtime::failedPrecondition(
          "data-parallel rank " + std::to_string(rank) + ": " + where +
          " failed: " + describe(e) +
          " (another rank has stopped or is stuck: see its messages; "
          "no weights written)"));
    }
  }
};

runtime::StatusOr<std::unique_ptr<DataParallel>>
DataParallel::join(const TrainOptions &options, const torchref::Model &model,
                   const TrainingData &data) {
  GOE_RETURN_IF_ERROR(checkDistributedOptions(options));
  if (options.worldSize == 1)
    return std::unique_ptr<DataParallel>();
  // A peer that dies mid-send would otherwise kill this process with
  // SIGPIPE (exit 141, no message); ignored, the send fails with EPIPE,
  // Gloo throws, and the run stops with an error naming the lost rank.
  std::signal(SIGPIPE, SIG_IGN);
  int rank = static_cast<int>(options.rank);
  int world = static_cast<int>(options.worldSize);
  std::string host;
  uint16_t port = 0;
  parseMaster(options.master, host, port);
  auto timeout = std::chrono::milliseconds(
      static_cast<int64_t>(options.distTimeout * 1000));
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%g s", options.distTimeout);
  std::string me = "data-parallel rank " + std::to_string(rank) + ": ";
  auto group = std::make_unique<Group>();
  group->master = options.master;

  // The rendezvous: rank 0 serves it; the others retry until the timeout.
  try {
    c10d::TCPStoreOptions storeOptions;
    storeOptions.port = port;
    storeOptions.isServer = rank == 0;
    storeOptions.waitWorkers = false; // the check below waits, and explains
    storeOptions.timeout = timeout;
    group->store = c10::make_intrusive<c10d::TCPStore>(host, storeOptions);
  } catch (const std::exception &e) {
    if (rank == 0)
      return error(me + "cannot listen at --master " + options.master +
                   " (is the port in use, or the host not this machine?): " +
                   describe(e));
    return error(me + "cannot reach rank 0 at --master " + options.master +
                 " within " + seconds + " (is rank 0 running, listening "
                 "there?): " + describe(e));
  }

  // Every rank says what it will train; each compares with rank 0's, and
  // rank 0 with every other's.
  std::string mine = runFingerprint(options, model, data);
  auto key = [](int r) { return "goe/run/" + std::to_string(r); };
  auto seen = [](int r) { return "goe/seen/" + std::to_string(r); };
  const std::chrono::milliseconds kGrace(10000);
  try {
    if (group->store->add("goe/joined/" + std::to_string(rank), 1) > 1)
      return error(me + "another process has already joined as rank " +
                   std::to_string(rank) + " at " + options.master +
                   ": give every process its own --rank");
    group->store->set(key(rank), bytes(mine));
    std::vector<int> others;
    if (rank == 0)
      for (int r = 1; r < world; ++r)
        others.push_back(r);
    else
      others.push_back(0);
    for (int r : others) {
      try {
        group->store->wait({key(r)}, timeout);
      } catch (const std::exception &) {
        std::string missing;
        for (int o : others)
          if (!group->store->check({key(o)}))
            missing += (missing.empty() ? "" : ", ") + std::to_string(o);
        return error(me + "waited " + seconds + " at " + options.master +
                     " for rank" + (missing.find(',') != std::string::npos
                                        ? "s "
                                        : " ") +
                     missing + " of --world-size " + std::to_string(world) +
                     " to join (start one process per rank with the same "
                     "--master and --world-size, or raise --dist-timeout)");
      }
      std::vector<uint8_t> raw = group->store->get(key(r));
      std::string theirs(raw.begin(), raw.end());
      std::string why = fingerprintDifference(mine, rank, theirs, r);
      if (rank != 0)
        group->store->set(seen(rank), bytes("1"));
      if (!why.empty()) {
        // Rank 0's store goes with it: let that rank read rank 0's entry
        // first, so it names the difference too (not a broken pipe).
        if (rank == 0) {
          try {
            group->store->wait({seen(r)}, std::min(timeout, kGrace));
          } catch (const std::exception &) {
          }
        }
        return error(me + why);
      }
    }
  } catch (const std::exception &e) {
    return error(me + "the rendezvous at " + options.master +
                 " failed: " + describe(e) +
                 " (has rank 0 stopped? see its messages)");
  }

  // The Gloo group, on the interface that reaches the others:
  // GLOO_SOCKET_IFNAME if set (as PyTorch reads it), loopback for a local
  // run, else the address this machine's hostname resolves to.
  try {
    auto groupOptions = c10d::ProcessGroupGloo::Options::create(timeout);
    if (const char *name = std::getenv("GLOO_SOCKET_IFNAME"); name && *name)
      groupOptions->devices.push_back(
          c10d::ProcessGroupGloo::createDeviceForInterface(name));
    else if (isLoopback(host))
      groupOptions->devices.push_back(
          c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    else
      groupOptions->devices.push_back(
          c10d::ProcessGroupGloo::createDefaultDevice());
    group->processGroup = c10::make_intrusive<c10d::ProcessGroupGloo>(
        c10::make_intrusive<c10d::PrefixStore>("gloo", group->store), rank,
        world, groupOptions);
  } catch (const std::exception &e) {
    return error(me + "cannot connect the Gloo group of " +
                 std::to_string(world) + " ranks: " + describe(e));
  }
  return std::unique_ptr<DataParallel>(
      new DataParallel(rank, world, std::move(group)));
}

DataParallel::DataParallel(int rank, int worldSize,
                           std::unique_ptr<Group> group)
    : rank_(rank), worldSize_(worldSize), group(std::move(group)) {}

DataParallel::~DataParallel() = default;

Status DataParallel::start(torchref::Model &model,
                           const RouterTrainer &router) {
  try {
    takeRootState(model, "taking rank 0's initial weights");
    // The router's state is not a model parameter: compare a hash of it.
    std::string state;
    for (const artifact::Tensor &t : router.weightState())
      state += t.SerializeAsString();
    int64_t h = static_cast<int64_t>(std::hash<std::string>()(state) >> 1);
    at::Tensor both = torch::tensor({h, -h}, at::kLong);
    std::vector<at::Tensor> tensors{both};
    c10d::AllreduceOptions max;
    max.reduceOp = c10d::ReduceOp::MAX;
    group->wait(group->processGroup->allreduce(tensors, max), rank_,
                "comparing the router's state");
    if (both[0].item<int64_t>() != -both[1].item<int64_t>())
      return runtime::failedPrecondition(
          "data-parallel rank " + std::to_string(rank_) +
          ": the router's pre-trained state differs between the ranks "
          "(the same seed gave different tables: a different machine or "
          "--threads?)");
  } catch (const TrainingError &e) {
    return e.status();
  }
  return runtime::okStatus();
}

std::pair<int64_t, int64_t> DataParallel::share(int64_t begin,
                                                int64_t end) const {
  return batchShare(begin, end, rank_, worldSize_);
}

void DataParallel::reduceGradients(const std::vector<at::Tensor> &parameters,
                                   int64_t localCount, int64_t globalCount,
                                   bool lossSumsOverSamples,
                                   const std::string &where) {
  torch::NoGradGuard noGrad;
  // One buffer: every gradient (zeros where this rank has none), scaled,
  // then one flag per parameter saying whether this rank had it.
  double weight = lossSumsOverSamples || globalCount == 0
                      ? 1.0
                      : double(localCount) / double(globalCount);
  std::vector<at::Tensor> parts;
  at::Tensor flags = torch::zeros({int64_t(parameters.size())}, at::kFloat);
  for (size_t i = 0; i < parameters.size(); ++i) {
    const at::Tensor &grad = parameters[i].grad();
    if (grad.defined()) {
      parts.push_back(grad.reshape({-1}).to(at::kFloat) * weight);
      flags[i] = 1;
    } else {
      parts.push_back(torch::zeros({parameters[i].numel()}, at::kFloat));
    }
  }
  parts.push_back(flags);
  std::vector<at::Tensor> buffer{torch::cat(parts)};
  group->wait(group->processGroup->allreduce(buffer), rank_,
              "the gradient all-reduce of " + where);
  const at::Tensor &sum = buffer[0];
  const float *had =
      sum.data_ptr<float>() + (sum.numel() - int64_t(parameters.size()));
  int64_t offset = 0;
  for (size_t i = 0; i < parameters.size(); ++i) {
    at::Tensor p = parameters[i];
    int64_t n = p.numel();
    if (had[i] > 0) {
      at::Tensor value =
          sum.slice(0, offset, offset + n).view(p.sizes()).to(p.scalar_type());
      if (p.grad().defined())
        p.mutable_grad().copy_(value);
      else
        p.mutable_grad() = value.clone();
    }
    offset += n;
  }
}

namespace {

/// A score's counts and one of its named tables as one double tensor, so
/// that a single collective carries them; unpackScore reads it back.
at::Tensor packScore(const Score &score,
                     const std::map<std::string, double> &table) {
  std::vector<double> values{score.lossSum, double(score.correct),
                             double(score.count)};
  for (const auto &[name, value] : table)
    values.push_back(value);
  return torch::tensor(values, at::TensorOptions().dtype(at::kDouble));
}

void unpackScore(const at::Tensor &packed, Score &score,
                 std::map<std::string, double> &table) {
  const double *v = packed.data_ptr<double>();
  score.lossSum = v[0];
  score.correct = int64_t(v[1] + 0.5);
  score.count = int64_t(v[2] + 0.5);
  size_t i = 3;
  for (auto &[name, value] : table)
    value = v[i++];
}

} // namespace

void DataParallel::sumScore(Score &score, const std::string &where) {
  std::vector<at::Tensor> tensors{packScore(score, score.partSums)};
  group->wait(group->processGroup->allreduce(tensors), rank_,
              "summing the training score of " + where);
  unpackScore(tensors[0], score, score.partSums);
}

void DataParallel::takeRootState(torchref::Model &model,
                                 const std::string &where) {
  torch::NoGradGuard noGrad;
  for (auto &[name, tensor] : model.parameters()) {
    std::vector<at::Tensor> tensors{tensor.contiguous()};
    group->wait(group->processGroup->broadcast(tensors), rank_,
                where + " (" + name + ")");
    if (!tensors[0].is_same(tensor))
      tensor.copy_(tensors[0]);
  }
}

void DataParallel::takeRootScore(Score &score, const std::string &where) {
  std::vector<at::Tensor> tensors{packScore(score, score.metrics)};
  group->wait(group->processGroup->broadcast(tensors), rank_,
              "taking rank 0's score of " + where);
  unpackScore(tensors[0], score, score.metrics);
}

} // namespace goe::train
