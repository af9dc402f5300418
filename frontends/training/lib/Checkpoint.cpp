//===- Checkpoint.cpp - saving and resuming a training run ----------------===//

#include "goe/Training/Checkpoint.h"
#include "goe/Runtime/TempFile.h"

#include <torch/serialize.h>

#include <filesystem>

namespace goe::train {

using runtime::Status;
namespace fs = std::filesystem;

namespace {

Status error(const std::string &message) {
  return runtime::invalidArgument(message);
}

/// Weights in a stable order (by name) with their names.
std::vector<std::pair<std::string, at::Tensor>>
orderedWeights(const torchref::Model &model) {
  std::map<std::string, at::Tensor> all = model.parameters();
  return {all.begin(), all.end()};
}

} // namespace

Status saveCheckpoint(const std::string &path, const torchref::Model &model,
                      const torch::optim::Optimizer &optimizer,
                      const std::string &optimizerKind,
                      const RouterTrainer &router,
                      const CheckpointState &state) {
  // The temporary beside FILE is removed on every path but the final
  // rename, so an error or an interrupt leaves no *.tmp behind.
  auto temp = runtime::TempFile::create(path + ".tmp.");
  if (!temp.ok())
    return temp.status();
  try {
    torch::serialize::OutputArchive archive;
    archive.write("format", torch::tensor(int64_t{2}), /*is_buffer=*/true);
    archive.write("epoch", torch::tensor(state.epoch), true);
    archive.write("best_epoch", torch::tensor(state.bestEpoch), true);
    archive.write("best_val_loss", torch::tensor(state.bestValLoss, at::kDouble),
                  true);
    // Archive keys are indices (weight names contain dots); the order is
    // the stable order of the names, and shapes are checked on load.
    auto weights = orderedWeights(model);
    archive.write("count", torch::tensor((int64_t)weights.size()), true);
    for (size_t i = 0; i < weights.size(); ++i) {
      archive.write("weights_" + std::to_string(i), weights[i].second.detach(),
                    true);
      const at::Tensor &best = state.best.count(weights[i].first)
                                   ? state.best.at(weights[i].first)
                                   : weights[i].second.detach();
      archive.write("best_" + std::to_string(i), best, true);
      auto averaged = state.average.averaged.find(weights[i].first);
      if (averaged != state.average.averaged.end())
        archive.write("average_" + std::to_string(i), averaged->second, true);
    }
    archive.write("average_updates", torch::tensor(state.average.updates),
                  true);
    archive.write("optimizer_kind", c10::IValue(optimizerKind));
    torch::serialize::OutputArchive optimizerArchive;
    optimizer.save(optimizerArchive);
    archive.write("optimizer", optimizerArchive);
    torch::serialize::OutputArchive routerArchive;
    router.saveState(routerArchive);
    archive.write("router", routerArchive);
    archive.save_to(temp->path());
  } catch (const c10::Error &e) {
    return error("cannot write checkpoint '" + path +
                 "': " + e.what_without_backtrace());
  }
  return temp->renameTo(path);
}

Status loadCheckpoint(const std::string &path, torchref::Model &model,
                      RouterTrainer &router, CheckpointState &state) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    return error("cannot read checkpoint '" + path + "': no such file");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    at::Tensor format, epoch, bestEpoch, bestLoss, count;
    archive.read("format", format, true);
    int64_t version = format.item<int64_t>();
    if (version != 1 && version != 2)
      return error("checkpoint '" + path + "' has an unknown format");
    archive.read("epoch", epoch, true);
    archive.read("best_epoch", bestEpoch, true);
    archive.read("best_val_loss", bestLoss, true);
    archive.read("count", count, true);
    auto weights = orderedWeights(model);
    if (count.item<int64_t>() != (int64_t)weights.size())
      return error("checkpoint '" + path + "' holds " +
                   std::to_string(count.item<int64_t>()) +
                   " weights, the model has " + std::to_string(weights.size()) +
                   " (another spec or --var?)");
    for (size_t i = 0; i < weights.size(); ++i) {
      at::Tensor w, b;
      archive.read("weights_" + std::to_string(i), w, true);
      archive.read("best_" + std::to_string(i), b, true);
      std::string why;
      if (!model.setParameter(weights[i].first, w, &why))
        return error("checkpoint '" + path + "' does not fit the model: " +
                     why);
      state.best[weights[i].first] = b.clone();
      at::Tensor a; // --ema's average; older checkpoints have none
      if (archive.try_read("average_" + std::to_string(i), a, true)) {
        if (!a.sizes().equals(w.sizes()))
          return error("checkpoint '" + path + "': the average of '" +
                       weights[i].first + "' has the wrong shape");
        state.average.averaged[weights[i].first] = a.clone();
      }
    }
    at::Tensor updates;
    if (archive.try_read("average_updates", updates, true))
      state.average.updates = updates.item<int64_t>();
    torch::serialize::InputArchive routerArchive;
    if (version >= 2)
      archive.read("router", routerArchive);
    GOE_RETURN_IF_ERROR(router.loadState(routerArchive).withContext(
        "checkpoint '" + path + "'"));
    state.epoch = epoch.item<int64_t>();
    state.bestEpoch = bestEpoch.item<int64_t>();
    state.bestValLoss = bestLoss.item<double>();
  } catch (const c10::Error &e) {
    return error("cannot read checkpoint '" + path +
                 "': " + e.what_without_backtrace());
  }
  return runtime::okStatus();
}

Status loadOptimizerState(const std::string &path,
                          torch::optim::Optimizer &optimizer,
                          const std::string &optimizerKind) {
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    at::Tensor format;
    archive.read("format", format, true);
    std::string savedKind = "adam";
    if (format.item<int64_t>() >= 2) {
      c10::IValue kind;
      archive.read("optimizer_kind", kind);
      savedKind = kind.toStringRef();
    }
    if (savedKind != optimizerKind)
      return error("checkpoint '" + path + "' was trained with --optimizer " +
                   savedKind + ", this run uses " + optimizerKind);
    torch::serialize::InputArchive optimizerArchive;
    archive.read("optimizer", optimizerArchive);
    optimizer.load(optimizerArchive);
  } catch (const c10::Error &e) {
    return error("cannot read the optimiser state of checkpoint '" + path +
                 "': " + e.what_without_backtrace());
  }
  return runtime::okStatus();
}

} // namespace goe::train
