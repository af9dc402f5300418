//===- StageLoop.cpp - the epochs of one stage, the end of a run ----------===//

#include "StageLoop.h"
#include "goe/Training/Optimizer.h"
#include "goe/Training/Trainer.h"

#include "goe/Frontends/Torch/WeightExport.h"
#include "goe/Runtime/Artifact.h"
#include "goe/Runtime/Npy.h"

#include <torch/torch.h>

#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>

namespace goe::train {

using runtime::Status;

namespace {

std::map<std::string, at::Tensor> cloneWeights(const torchref::Model &model) {
  std::map<std::string, at::Tensor> copy;
  for (auto &[name, tensor] : model.parameters())
    copy[name] = tensor.detach().clone();
  return copy;
}

Status restoreWeights(torchref::Model &model,
                      const std::map<std::string, at::Tensor> &weights) {
  for (const auto &[name, tensor] : weights) {
    std::string why;
    if (!model.setParameter(name, tensor, &why))
      return runtime::internalError("restoring the best weights: " + why);
  }
  return runtime::okStatus();
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

/// A staged run's CSV: one file per stage, `log.csv` -> `log-<stage>.csv`
/// (stages log different columns: a gate's loss has no router part).
std::string stageCsv(const std::string &csv, const StagePlan &stage) {
  if (csv.empty() || !stage.stage)
    return csv;
  std::filesystem::path path(csv);
  std::string name = path.stem().string() + "-" + stage.name +
                     path.extension().string();
  return (path.parent_path() / name).string();
}

/// One stage's pieces: the objective on its loss, the router trainer that
/// routes it, the parameters it trains.
struct StageParts {
  std::unique_ptr<Objective> ownObjective;
  Objective *objective = nullptr;
  std::unique_ptr<RouterTrainer> ownRouter;
  RouterTrainer *router = nullptr;
  std::vector<at::Tensor> parameters;
};

bool isRouterNode(const spec::Spec &spec, const std::string &name) {
  for (const spec::Node &node : spec.graph)
    if (node.name == name)
      return node.kind == spec::Node::RouterNode;
  return false;
}

Status setUpStage(RunContext &run, const StagePlan &plan, StageParts &parts) {
  torchref::Model &model = run.model;
  parts.objective = &run.objective;
  parts.router = &run.router;
  const spec::TrainingStage *stage = plan.stage;
  if (!stage) { // unstaged: everything learns, in the model's order
    parts.parameters = model.trainableParameters();
    return runtime::okStatus();
  }
  const spec::Spec &spec = *run.plan.spec;
  std::string where = "training stage '" + stage->name + "'";
  std::string why;
  if (!stage->loss.empty()) {
    ObjectiveSetup setup;
    // A loss on a router node: its gate learns each label's group.
    bool gate = isRouterNode(spec, stage->loss);
    setup.outputNames = {stage->loss};
    if (!gate && run.objectiveKind.readsEveryOutput)
      setup.outputNames = model.everyOutput(stage->loss);
    if (!model.setOutputs(setup.outputNames, setup.outputTypes, why))
      return runtime::invalidArgument(where + ": loss: " + why);
    setup.target = gate ? groupField(stage->loss) : run.options.target;
    setup.dataset = &run.data.dataset();
    setup.plan = &run.plan;
    // A gate is a classifier of the groups whatever the run's objective
    // (a detector's gate too: each image's group comes from its boxes).
    auto objective = gate ? makeObjective("cross_entropy", setup)
                          : run.objectiveKind.create(setup);
    if (!objective.ok())
      return objective.status().withContext(where);
    parts.ownObjective = std::move(*objective);
    parts.objective = parts.ownObjective.get();
    run.data.deriveGroups(gate ? &spec.training : nullptr, run.options.target);
  }
  model.rawDetections(parts.objective->wantsRawDetections());
  if (stage->routeByGroups) {
    parts.ownRouter =
        routeByGroups(run.router, spec.training, run.options.target);
    parts.router = parts.ownRouter.get();
  } else if (stage->routePath >= 0) {
    parts.ownRouter = routeToPath(run.router, spec, stage->routePath);
    parts.router = parts.ownRouter.get();
  }
  std::map<std::string, at::Tensor> all = model.namedTrainableParameters();
  std::set<std::string> chosen;
  for (const auto &[name, tensor] : all)
    if (stage->train.empty())
      chosen.insert(name);
  for (const std::string &ref : stage->train) {
    std::vector<std::string> names;
    if (!model.selectParameters(ref, names, why))
      return runtime::invalidArgument(where + ": train: " + why);
    chosen.insert(names.begin(), names.end());
  }
  // Frozen parameters get no gradient at all: backward stops at them.
  for (auto &[name, tensor] : all) {
    bool learns = chosen.count(name) > 0;
    tensor.requires_grad_(learns);
    if (learns)
      parts.parameters.push_back(tensor);
  }
  return runtime::okStatus();
}

/// Undoes setUpStage: the spec's outputs, every parameter trainable.
void tearDownStage(RunContext &run) {
  std::vector<spec::TensorInfo> types;
  std::string why;
  run.model.setOutputs({}, types, why);
  run.data.deriveGroups(nullptr, "");
  run.model.rawDetections(run.objective.wantsRawDetections());
  for (auto &[name, tensor] : run.model.namedTrainableParameters())
    tensor.requires_grad_(true);
}

/// A named stage's test score with its own objective (the gate's accuracy
/// on the groups, the experts' on their subsets), printed and recorded.
void scoreStage(RunContext &run, Trainer &trainer, const StagePlan &plan,
                const StageParts &parts) {
  StageResult out;
  out.name = plan.name;
  out.epochs = plan.epochs();
  out.bestEpoch = run.state.bestEpoch;
  if (run.data.size(Split::Test) > 0 && parts.objective->countsCorrect()) {
    at::Tensor outputs, targets;
    Score test = trainer.evaluate(Split::Test, &outputs, &targets);
    out.testLoss = test.loss();
    out.testAccuracy = test.accuracy();
    out.testCorrect = test.correct;
    out.testCount = test.count;
    std::printf("stage %s: test loss %.4f accuracy %.4f (%" PRId64
                "/%" PRId64 ")\n",
                plan.name.c_str(), test.loss(), test.accuracy(), test.correct,
                test.count);
    // Per path of a grouped router: the accuracy on its classes.
    const spec::TrainingPlan &training = run.plan.spec->training;
    if (plan.stage->routeByGroups && outputs.defined() && outputs.dim() == 2)
      for (const auto &[node, groups] : training.groups) {
        at::Tensor right = outputs.argmax(1).eq(targets);
        for (size_t g = 0; g < groups.size(); ++g) {
          at::Tensor in = torch::zeros_like(targets, torch::kBool);
          std::string classes;
          for (int64_t c : groups[g]) {
            in |= targets.eq(c);
            classes += (classes.empty() ? "" : " ") + std::to_string(c);
          }
          int64_t count = in.sum().item<int64_t>();
          int64_t correct = (right & in).sum().item<int64_t>();
          out.groupCorrect.push_back(correct);
          out.groupCount.push_back(count);
          std::printf("stage %s: %s path %zu (classes %s): accuracy %.4f "
                      "(%" PRId64 "/%" PRId64 ")\n",
                      plan.name.c_str(), node.c_str(), g, classes.c_str(),
                      count ? double(correct) / double(count) : 0.0, correct,
                      count);
        }
      }
  }
  run.result.stages.push_back(std::move(out));
}

} // namespace

Status checkStage(RunContext &run, const StagePlan &plan) {
  StageParts parts;
  Status status = setUpStage(run, plan, parts);
  tearDownStage(run);
  if (status.ok() && plan.stage)
    status = checkStageCopy(run.model, *plan.stage);
  return status;
}

Status trainStage(RunContext &run, const StagePlan &plan) {
  CheckpointState &state = run.state;
  const TrainOptions &options = run.options;
  // A stage a resumed run has finished, or one of no epochs, is skipped.
  if (plan.stage && (state.epoch > plan.last || plan.epochs() == 0))
    return runtime::okStatus();
  if (state.epoch < plan.first) { // the stage starts: its own best
    state.bestValLoss = std::numeric_limits<double>::infinity();
    state.bestEpoch = 0;
    state.best.clear();
    state.average.reset(); // and its own average
    // Its starting weights, once: a resumed stage has them in the
    // checkpoint, trained further.
    if (plan.stage)
      GOE_RETURN_IF_ERROR(copyStageWeights(run.model, *plan.stage));
  }
  state.average.configure(options.emaDecay, options.emaTau);
  if (plan.stage && run.root)
    std::printf("stage %s: epochs %" PRId64 "-%" PRId64 "\n",
                plan.name.c_str(), plan.first, plan.last);
  StageParts parts;
  Status status = setUpStage(run, plan, parts);
  if (!status.ok()) {
    tearDownStage(run);
    return status;
  }
  std::unique_ptr<torch::optim::Optimizer> optimizer =
      makeOptimizer(parts.parameters, options.optimizer);
  if (!options.resume.empty() && state.epoch >= plan.first)
    GOE_RETURN_IF_ERROR(loadOptimizerState(options.resume, *optimizer,
                                           options.optimizer.kind));
  TrainOptions stageOptions = options;
  stageOptions.epochs = plan.epochs();
  Trainer trainer(run.model, run.data, *parts.objective, *parts.router,
                  optimizer.get(), stageOptions, run.progress);
  trainer.setEpochOffset(plan.first - 1);
  trainer.distribute(run.parallel);
  if (state.average.enabled())
    trainer.averageWeights(&state.average);
  EpochLog log;
  std::string csv = run.root ? stageCsv(options.csv, plan) : std::string();
  if (!csv.empty())
    GOE_RETURN_IF_ERROR(log.open(csv));

  auto begin = std::chrono::steady_clock::now();
  for (int64_t epoch = std::max(state.epoch + 1, plan.first);
       epoch <= plan.last; ++epoch) {
    // Early stopping, checked from the state alone so that a resumed run
    // stops where an uninterrupted one would.
    if (options.patience > 0 && state.bestEpoch > 0 &&
        state.epoch - state.bestEpoch >= options.patience) {
      if (run.root)
        std::printf("stopped early after epoch %" PRId64 ": no better "
                    "validation loss for %" PRId64 " epochs\n",
                    state.epoch, options.patience);
      break;
    }
    auto epochBegin = std::chrono::steady_clock::now();
    int64_t local = epoch - plan.first + 1;
    Trainer::EpochResult trained = trainer.trainEpoch(local);
    Score val;
    bool better = false;
    {
      // With --ema, validation and the kept weights are the average's.
      AveragedWeightsScope averaged(state.average, run.model);
      val = trainer.validate(); // rank 0's on every rank
      // The kept weights: the lowest validation loss, or the highest
      // fitness where the objective gives one (yolo: from mAP).
      better = val.selection() < state.bestValLoss;
      if (better) {
        state.bestValLoss = val.selection();
        state.bestEpoch = epoch;
        state.best = cloneWeights(run.model);
      }
    }
    state.epoch = epoch;
    EpochProgress report;
    report.stage = plan.name;
    report.epoch = local;
    report.epochs = plan.epochs();
    report.loss = trained.score.loss();
    report.accuracy = trained.score.accuracy();
    report.imagesPerSecond = trained.imagesPerSecond;
    report.lr = trained.lr;
    report.valLoss = val.loss();
    report.valAccuracy = val.accuracy();
    report.best = better;
    report.routerReport = parts.router->report(Split::Val);
    report.countsCorrect = parts.objective->countsCorrect();
    report.train = trained.score;
    report.val = val;
    report.seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - epochBegin)
                         .count();
    if (run.progress.epoch)
      run.progress.epoch(report);
    if (!csv.empty())
      GOE_RETURN_IF_ERROR(log.append(report));
    run.result.epochs.push_back(std::move(report));
    if (run.root && !options.checkpoint.empty())
      GOE_RETURN_IF_ERROR(saveCheckpoint(options.checkpoint, run.model,
                                         *optimizer, options.optimizer.kind,
                                         run.router, state));
  }
  run.seconds += std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - begin)
                     .count();
  if (plan.stage) { // the stage's best epoch, then the next stage
    GOE_RETURN_IF_ERROR(restoreWeights(run.model, state.best));
    // A fitness (yolo's, from mAP) is kept negated, as in finishRun.
    bool byFitness = std::signbit(state.bestValLoss);
    if (state.bestEpoch > 0 && run.root)
      std::printf("stage %s: chosen epoch %" PRId64 " (val %s %.4f)\n",
                  plan.name.c_str(), state.bestEpoch,
                  byFitness ? "fitness" : "loss",
                  byFitness ? -state.bestValLoss : state.bestValLoss);
    if (run.root) // the test split: rank 0 alone
      scoreStage(run, trainer, plan, parts);
    state.bestValLoss = std::numeric_limits<double>::infinity();
    state.bestEpoch = 0;
    state.best.clear();
  }
  tearDownStage(run);
  return runtime::okStatus();
}

Status finishRun(RunContext &run, bool staged) {
  if (!run.root) // rank 0 alone scores the test split and writes the weights
    return runtime::okStatus();
  CheckpointState &state = run.state;
  const TrainOptions &options = run.options;
  if (state.epoch == 0)
    std::fprintf(stderr, "goe-train: warning: no epoch was trained (--epochs "
                         "0): the weights are the untrained initial ones\n");
  // The chosen weights: the best validation loss (the current ones if no
  // epoch ran; a staged run restored each stage's best already).
  GOE_RETURN_IF_ERROR(restoreWeights(run.model, state.best));
  Trainer trainer(run.model, run.data, run.objective, run.router,
                  /*optimizer=*/nullptr, options, run.progress);
  at::Tensor testOutputs;
  Score test = trainer.evaluate(Split::Test, &testOutputs);
  // Whether the kept weights were chosen by a fitness (yolo's mAP), kept
  // negated in bestValLoss; losses are never negative, so a resumed run
  // that trains no epoch can tell from the checkpoint.
  bool byFitness = std::signbit(state.bestValLoss);
  if (!staged && state.bestEpoch > 0)
    std::printf("chosen: epoch %" PRId64 " (val %s %.4f); trained in "
                "%.1f s\n",
                state.bestEpoch, byFitness ? "fitness" : "loss",
                byFitness ? -state.bestValLoss : state.bestValLoss,
                run.seconds);
  else if (staged)
    std::printf("trained %zu stages in %.1f s\n", run.result.stages.size(),
                run.seconds);
  TrainResult &result = run.result;
  result.bestEpoch = state.bestEpoch;
  result.bestValLoss = state.bestValLoss;
  result.testLoss = test.loss();
  result.testAccuracy = test.accuracy();
  result.testCorrect = test.correct;
  result.testCount = test.count;
  result.testMetrics = test.metrics;
  result.seconds = run.seconds;
  if (test.count == 0)
    std::printf("test: the dataset has no test split\n");
  else if (run.objective.countsCorrect())
    std::printf("test: loss %.4f accuracy %.4f (%" PRId64 "/%" PRId64 ")\n",
                test.loss(), test.accuracy(), test.correct, test.count);
  else
    std::printf("test: loss %.4f mAP50 %.4f mAP50_95 %.4f (%" PRId64
                " images)\n",
                test.loss(), test.metrics["mAP50"], test.metrics["mAP50_95"],
                test.count);
  if (!run.routerName.empty() && test.count > 0) // what goe-run reproduces
    for (const auto &[node, counts] : trainer.routeCounts()) {
      std::string line;
      for (size_t p = 0; p < counts.size(); ++p)
        line += (p ? ", path " : "path ") + std::to_string(p) + ": " +
                std::to_string(counts[p]);
      std::printf("test routing: route %s: %s\n", run.routerName.c_str(),
                  line.c_str());
    }
  std::string report =
      test.count > 0 ? run.router.report(Split::Test) : std::string();
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
    GOE_RETURN_IF_ERROR(writeWeights(options.out, run.model, run.router));
  if (!options.checkCompiled.empty()) {
    BoxAgreement agreement;
    GOE_RETURN_IF_ERROR(checkCompiled(trainer, run.objective,
                                      options.checkCompiled, agreement));
    std::printf("compiled check on val: %s\n", agreement.summary().c_str());
    if (!agreement.agrees())
      return runtime::failedPrecondition(
          "--check-compiled " + options.checkCompiled +
          ": the compiled model's boxes differ from LibTorch's (" +
          agreement.firstMismatch + ")");
  }
  return runtime::okStatus();
}

} // namespace goe::train
