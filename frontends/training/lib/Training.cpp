//===- Training.cpp - one whole training run ------------------------------===//

#include "goe/Training/Training.h"
#include "goe/Training/Checkpoint.h"
#include "goe/Training/Distributed.h"
#include "goe/Training/EpochLog.h"
#include "goe/Training/Interrupt.h"
#include "goe/Training/Optimizer.h"
#include "goe/Training/Trainer.h"
#include "goe/Training/TrainingError.h"

#include "goe/Frontends/Spec/GraphPlan.h"
#include "goe/Frontends/Spec/MLIRGen.h"
#include "goe/Frontends/Spec/SpecReader.h"
#include "goe/Frontends/Torch/WeightExport.h"
#include "goe/Runtime/Artifact.h"
#include "goe/Runtime/Npy.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/SourceMgr.h"

#include <torch/torch.h>

#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace goe::train {

using runtime::Status;
namespace fs = std::filesystem;

namespace {

Status error(const std::string &message) {
  return runtime::invalidArgument(message);
}

/// `--router random`: random routing, whatever routers the spec declares.
const std::string &randomRouting() {
  static const std::string name = stringifyRouterKind(RouterKind::Random).str();
  return name;
}

/// An output file must be creatable: its directory exists and is writable,
/// and it is not itself a directory.
Status checkWritable(const std::string &flag, const std::string &path) {
  fs::path p(path);
  fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  std::error_code ec;
  if (fs::is_directory(p, ec))
    return error("cannot write " + flag + " '" + path + "': it is a directory");
  if (!fs::is_directory(dir, ec))
    return error("cannot write " + flag + " '" + path + "': no directory '" +
                 dir.string() + "'");
  if (::access(dir.c_str(), W_OK) != 0)
    return error("cannot write " + flag + " '" + path + "': directory '" +
                 dir.string() + "' is not writable");
  return runtime::okStatus();
}

/// The router in use after --router, and the graph's router nodes.
struct Routing {
  std::string name; // printed: a router name or "random"
  const spec::Router *router = nullptr; // null: random ablation or none
  std::vector<RouterNode> nodes;
};

Status chooseRouter(const spec::Spec &spec, const std::string &asked,
                    Routing &out, torchref::BuildOptions &build) {
  for (const spec::Node &node : spec.graph) {
    if (node.kind != spec::Node::RouterNode)
      continue;
    const spec::Router *router = spec.findRouter(node.target);
    if (!router)
      return error("router node '" + node.name + "' uses unknown router '" +
                   node.target + "'");
    out.nodes.push_back({node.name, router->choices, router->k});
  }
  if (!asked.empty() && asked != randomRouting() && !spec.findRouter(asked)) {
    std::string declared;
    for (const spec::Router &r : spec.routers)
      declared += (declared.empty() ? "" : ", ") + r.name;
    return error("--router " + asked + ": the spec declares no router of that "
                 "name (it declares " + declared + ", and random routing is "
                 "--router random)");
  }
  if (!asked.empty() && asked != randomRouting())
    build.routers[""] = asked;
  out.name = asked;
  if (asked.empty())
    for (const spec::Node &node : spec.graph)
      if (node.kind == spec::Node::RouterNode) {
        out.name = node.target;
        break;
      }
  out.router = spec.findRouter(out.name);
  // A declared random router is the same ablation as --router random.
  const RouterKindInfo *kind =
      out.router ? findRouterKind(out.router->kind) : nullptr;
  if (kind && kind->kind == RouterKind::Random)
    out.router = nullptr;
  if (out.name == randomRouting() && out.nodes.empty())
    return error("--router random: the graph has no router node");
  return runtime::okStatus();
}

std::map<std::string, at::Tensor> cloneWeights(const torchref::Model &model) {
  std::map<std::string, at::Tensor> copy;
  for (auto &[name, tensor] : model.parameters())
    copy[name] = tensor.detach().clone();
  return copy;
}

Status writeWeights(const std::string &path, torchref::Model &model,
                    const RouterTrainer &router) {
  artifact::WeightBundle bundle;
  for (auto &[name, tensor] : torchref::exportWeights(model))
    *bundle.add_tensors() = tensor;
  for (artifact::Tensor &tensor : router.weightState())
    *bundle.add_tensors() = std::move(tensor);
  GOE_RETURN_IF_ERROR(runtime::writeWeightBundle(path, bundle));
  std::printf("wrote %s (%d tensors)\n", path.c_str(), bundle.tensors_size());
  return runtime::okStatus();
}

Status run(const TrainOptions &options, TrainResult &result) {
  GOE_RETURN_IF_ERROR(checkTrainOptions(options));
  torch::manual_seed(options.seed);
  torch::set_num_threads(options.threads);

  // The spec, its plan (output names) and its LibTorch model.
  mlir::DialectRegistry registry;
  spec::registerSpecDialects(registry);
  mlir::MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  auto spec = spec::readSpecFile(options.specPath, options.vars, &context);
  if (mlir::failed(spec))
    return error("cannot read the spec '" + options.specPath + "'");
  Routing routing;
  torchref::BuildOptions buildOptions;
  GOE_RETURN_IF_ERROR(
      chooseRouter(*spec, options.router, routing, buildOptions));
  auto plan = spec::planGraph(*spec, buildOptions.routers, &context);
  if (mlir::failed(plan))
    return error("cannot plan the graph of '" + options.specPath + "'");
  std::unique_ptr<torchref::Model> model =
      torchref::Model::build(*spec, buildOptions, &context);
  if (!model)
    return error("cannot build the model of '" + options.specPath + "'");
  model->initRandom(options.seed);

  // The data, the objective, the router trainer.
  auto objectiveKind = findObjectiveKind(options.objective);
  if (!objectiveKind.ok())
    return objectiveKind.status();
  TrainOptions resolved = options; // the target defaults to the objective's
  if (resolved.target.empty())
    resolved.target = (*objectiveKind)->defaultTarget;
  auto data = TrainingData::open(resolved, *spec);
  if (!data.ok())
    return data.status();
  ObjectiveSetup setup;
  setup.outputNames = plan->outputNames;
  setup.outputTypes = plan->outputTypes;
  setup.output = options.output;
  setup.target = resolved.target;
  setup.dataset = &(*data)->dataset();
  setup.plan = &*plan;
  auto objective = (*objectiveKind)->create(setup);
  if (!objective.ok())
    return objective.status();
  model->rawDetections((*objective)->wantsRawDetections());
  RouterContext routerContext{*model,         *spec,   routing.router,
                              routing.nodes, options, **data};
  auto router = makeRouterTrainer(routerContext);
  if (!router.ok())
    return router.status();
  // Data-parallel ranks (Distributed.h; null alone): rank 0 alone prints
  // and writes.
  auto parallel = DataParallel::join(options, *model, **data);
  if (!parallel.ok())
    return parallel.status();
  bool root = !*parallel || (*parallel)->isRoot();

  if (root && !options.exportSplit.empty()) {
    auto split = data::parseSplit(options.exportSplit);
    if (!split.ok())
      return split.status();
    GOE_RETURN_IF_ERROR(
        (*data)->exportSplit(*split, options.exportDir, resolved.target));
    std::printf("exported the %s split (%" PRId64 " images) to %s\n",
                options.exportSplit.c_str(), (*data)->size(*split),
                options.exportDir.c_str());
  }

  int64_t paramCount = 0;
  std::vector<at::Tensor> trainable = model->trainableParameters();
  for (const at::Tensor &t : trainable)
    paramCount += t.numel();
  std::string vars;
  for (const auto &[name, value] : spec->vars)
    vars += (vars.empty() ? "" : ", ") + name + "=" + std::to_string(value);
  if (root)
    std::printf("goe-train: %s (%s), %" PRId64 " parameters, router %s; "
                "train %" PRId64 ", val %" PRId64 ", test %" PRId64
                " images; %s, batch %" PRId64 ", seed %" PRIu64 "\n",
                spec->name.c_str(), vars.c_str(), paramCount,
                routing.name.empty() ? "none" : routing.name.c_str(),
                (*data)->size(Split::Train), (*data)->size(Split::Val),
                (*data)->size(Split::Test),
                describeOptimizer(options.optimizer).c_str(), options.batch,
                options.seed);
  std::fflush(stdout);

  InterruptGuard interruptGuard;
  try {
    std::unique_ptr<torch::optim::Optimizer> optimizer =
        makeOptimizer(trainable, options.optimizer);
    CheckpointState state;
    if (!options.resume.empty()) {
      GOE_RETURN_IF_ERROR(loadCheckpoint(options.resume, *model, *optimizer,
                                         options.optimizer.kind, **router,
                                         state));
      if (root)
        std::printf("resumed from %s after epoch %" PRId64 "\n",
                    options.resume.c_str(), state.epoch);
    } else {
      GOE_RETURN_IF_ERROR((*router)->pretrain());
    }
    if (*parallel)
      GOE_RETURN_IF_ERROR((*parallel)->start(*model, **router));
    ProgressCallbacks progress = root ? printingProgress() : ProgressCallbacks{};
    Trainer trainer(*model, **data, **objective, **router, *optimizer, options,
                    progress);
    trainer.distribute(parallel->get());
    auto begin = std::chrono::steady_clock::now();
    // Whether the kept weights were chosen by a fitness (yolo's mAP), kept
    // negated in bestValLoss; losses are never negative, so a resumed run
    // that trains no epoch can tell from the checkpoint.
    bool byFitness = std::signbit(state.bestValLoss);
    EpochLog log;
    if (root && !options.csv.empty())
      GOE_RETURN_IF_ERROR(log.open(options.csv));
    for (int64_t epoch = state.epoch + 1; epoch <= options.epochs; ++epoch) {
      // Early stopping, checked from the state alone so that a resumed run
      // stops where an uninterrupted one would.
      if (options.patience > 0 && state.bestEpoch > 0 &&
          state.epoch - state.bestEpoch >= options.patience) {
        if (root)
          std::printf("stopped early after epoch %" PRId64 ": no better "
                      "validation loss for %" PRId64 " epochs\n",
                      state.epoch, options.patience);
        break;
      }
      auto epochBegin = std::chrono::steady_clock::now();
      Trainer::EpochResult trained = trainer.trainEpoch(epoch);
      Score val = trainer.validate();
      // The kept weights: the lowest validation loss, or the highest
      // fitness where the objective gives one (yolo: from mAP).
      byFitness = val.metrics.count("fitness") > 0;
      bool better = val.selection() < state.bestValLoss;
      if (better) {
        state.bestValLoss = val.selection();
        state.bestEpoch = epoch;
        state.best = cloneWeights(*model);
      }
      state.epoch = epoch;
      EpochProgress report;
      report.epoch = epoch;
      report.epochs = options.epochs;
      report.loss = trained.score.loss();
      report.accuracy = trained.score.accuracy();
      report.imagesPerSecond = trained.imagesPerSecond;
      report.lr = trained.lr;
      report.valLoss = val.loss();
      report.valAccuracy = val.accuracy();
      report.best = better;
      report.routerReport = (*router)->report(Split::Val);
      report.countsCorrect = (*objective)->countsCorrect();
      report.train = trained.score;
      report.val = val;
      report.seconds = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - epochBegin)
                           .count();
      if (progress.epoch)
        progress.epoch(report);
      if (root && !options.csv.empty())
        GOE_RETURN_IF_ERROR(log.append(report));
      result.epochs.push_back(std::move(report));
      if (root && !options.checkpoint.empty())
        GOE_RETURN_IF_ERROR(saveCheckpoint(options.checkpoint, *model,
                                           *optimizer, options.optimizer.kind,
                                           **router, state));
    }
    double seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - begin)
                         .count();
    if (!root) // rank 0 alone scores the test split and writes the weights
      return runtime::okStatus();
    if (state.epoch == 0)
      std::fprintf(stderr, "goe-train: warning: no epoch was trained (--epochs "
                           "0): the weights are the untrained initial ones\n");

    // The chosen weights: the best validation loss (the current ones if no
    // epoch ran).
    for (const auto &[name, tensor] : state.best) {
      std::string why;
      if (!model->setParameter(name, tensor, &why))
        return error("restoring the best weights: " + why);
    }
    at::Tensor testOutputs;
    Score test = trainer.evaluate(Split::Test, &testOutputs);
    if (state.bestEpoch > 0)
      std::printf("chosen: epoch %" PRId64 " (val %s %.4f); trained in "
                  "%.1f s\n",
                  state.bestEpoch, byFitness ? "fitness" : "loss",
                  byFitness ? -state.bestValLoss : state.bestValLoss, seconds);
    result.bestEpoch = state.bestEpoch;
    result.bestValLoss = state.bestValLoss;
    result.testLoss = test.loss();
    result.testAccuracy = test.accuracy();
    result.testCorrect = test.correct;
    result.testCount = test.count;
    result.testMetrics = test.metrics;
    result.seconds = seconds;
    if (test.count == 0)
      std::printf("test: the dataset has no test split\n");
    else if ((*objective)->countsCorrect())
      std::printf("test: loss %.4f accuracy %.4f (%" PRId64 "/%" PRId64 ")\n",
                  test.loss(), test.accuracy(), test.correct, test.count);
    else
      std::printf("test: loss %.4f mAP50 %.4f mAP50_95 %.4f (%" PRId64
                  " images)\n",
                  test.loss(), test.metrics["mAP50"],
                  test.metrics["mAP50_95"], test.count);
    if (routing.router && test.count > 0) { // what goe-run must reproduce
      const std::string &shown = routing.router->name;
      for (const auto &[node, counts] : trainer.routeCounts()) {
        std::string line;
        for (size_t p = 0; p < counts.size(); ++p)
          line += (p ? ", path " : "path ") + std::to_string(p) + ": " +
                  std::to_string(counts[p]);
        std::printf("test routing: route %s: %s\n", shown.c_str(),
                    line.c_str());
      }
    }
    std::string report =
        test.count > 0 ? (*router)->report(Split::Test) : std::string();
    if (!report.empty())
      std::printf("%s\n", report.c_str());

    if (!options.testOutput.empty() && testOutputs.defined()) {
      GOE_RETURN_IF_ERROR(runtime::writeNpy(
          options.testOutput,
          runtime::TensorView{runtime::DType::F32, testOutputs.sizes().vec(),
                              testOutputs.data_ptr<float>()}));
      std::printf("wrote the test logits to %s\n", options.testOutput.c_str());
    }
    if (!options.out.empty())
      GOE_RETURN_IF_ERROR(writeWeights(options.out, *model, **router));
  } catch (const TrainingError &e) {
    result.signal = interrupted();
    return e.status();
  } catch (const c10::Error &e) {
    return error(e.what_without_backtrace());
  }
  return runtime::okStatus();
}

} // namespace

Status checkTrainOptions(const TrainOptions &options) {
  GOE_RETURN_IF_ERROR(checkDistributedOptions(options));
  bool writes = options.rank == 0; // data-parallel: rank 0 alone writes
  if (writes && !options.out.empty())
    GOE_RETURN_IF_ERROR(checkWritable("--out", options.out));
  if (writes && !options.checkpoint.empty())
    GOE_RETURN_IF_ERROR(checkWritable("--checkpoint", options.checkpoint));
  if (writes && !options.testOutput.empty())
    GOE_RETURN_IF_ERROR(checkWritable("--test-output", options.testOutput));
  if (writes && !options.csv.empty())
    GOE_RETURN_IF_ERROR(checkWritable("--csv", options.csv));
  if (!options.exportSplit.empty() && options.exportSplit != "train" &&
      options.exportSplit != "val" && options.exportSplit != "test")
    return error("--export-split must be train, val or test, got '" +
                 options.exportSplit + "'");
  if (options.exportSplit.empty() != options.exportDir.empty())
    return error("--export-split and --export-dir go together");
  GOE_RETURN_IF_ERROR(checkOptimizer(options.optimizer));
  GOE_RETURN_IF_ERROR(checkSchedule(options.schedule));
  return runtime::okStatus();
}

Status runTraining(const TrainOptions &options, TrainResult *result) {
  TrainResult ignored;
  return run(options, result ? *result : ignored);
}

} // namespace goe::train
