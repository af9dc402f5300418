//===- Training.cpp - one whole training run ------------------------------===//

#include "goe/Training/Training.h"
#include "goe/Training/Distributed.h"
#include "goe/Training/InitWeights.h"
#include "goe/Training/Interrupt.h"
#include "goe/Training/Optimizer.h"
#include "goe/Training/TrainingError.h"

#include "StageLoop.h"

#include "goe/Frontends/Spec/GraphPlan.h"
#include "goe/Frontends/Spec/MLIRGen.h"
#include "goe/Frontends/Spec/SpecReader.h"
#include "goe/Runtime/Artifact.h"
#include "goe/Runtime/FileIO.h"
#include "goe/Runtime/QuoteText.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/SourceMgr.h"

#include <torch/torch.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace goe::train {

using runtime::Status;

namespace {

Status error(const std::string &message) {
  return runtime::invalidArgument(message);
}

/// `--router random`: random routing, whatever routers the spec declares.
const std::string &randomRouting() {
  static const std::string name = stringifyRouterKind(RouterKind::Random).str();
  return name;
}

/// An output file must be writable (runtime::checkWritable), found out
/// before the run rather than after it.
Status checkWritable(const std::string &flag, const std::string &path) {
  Status status = runtime::checkWritable(path);
  return status.ok() ? status : error(flag + ": " + status.message());
}

/// An input file must be readable, found out before the run.
Status checkReadable(const std::string &flag, const std::string &path) {
  std::FILE *file = std::fopen(path.c_str(), "rb");
  if (!file)
    return error(flag + ": cannot read " + runtime::quoteText(path) + ": " +
                 std::strerror(errno));
  std::fclose(file);
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

/// --init-weights: the model starts from a .goew; what did not match is
/// listed, as PyTorch's load_state_dict(strict=False) reports it.
Status initFrom(const std::string &path, torchref::Model &model, bool print) {
  auto report = loadInitWeights(path, model);
  if (!report.ok())
    return report.status();
  if (!print)
    return runtime::okStatus();
  std::printf("initial weights from %s: %" PRId64 " tensors\n", path.c_str(),
              report->loaded);
  auto list = [](const char *what, const std::vector<std::string> &names) {
    if (!names.empty())
      std::printf("  %s, %zu: %s\n", what, names.size(),
                  runtime::nameList(names).c_str());
  };
  list("kept their random init (not in the file)", report->missing);
  list("ignored (not weights of this model)", report->ignored);
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
  auto stages = planStages(*spec, options);
  if (!stages.ok())
    return stages.status();
  bool staged = stages->front().stage != nullptr;
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
    RunContext run{*model,  **data,    **router, **objective, **objectiveKind,
                   *plan,   resolved,  result,
                   root ? printingProgress() : ProgressCallbacks{}};
    run.parallel = parallel->get();
    run.root = root;
    if (routing.router)
      run.routerName = routing.router->name;
    // Every stage's loss and parameters are checked before any trains.
    for (const StagePlan &stage : *stages)
      GOE_RETURN_IF_ERROR(checkStage(run, stage));
    if (!options.resume.empty()) {
      GOE_RETURN_IF_ERROR(
          loadCheckpoint(options.resume, *model, **router, run.state));
      if (root)
        std::printf("resumed from %s after epoch %" PRId64 "\n",
                    options.resume.c_str(), run.state.epoch);
    } else {
      if (!options.initWeights.empty())
        GOE_RETURN_IF_ERROR(initFrom(options.initWeights, *model, root));
      GOE_RETURN_IF_ERROR((*router)->pretrain());
    }
    if (*parallel)
      GOE_RETURN_IF_ERROR((*parallel)->start(*model, **router));
    for (const StagePlan &stage : *stages)
      GOE_RETURN_IF_ERROR(trainStage(run, stage));
    GOE_RETURN_IF_ERROR(finishRun(run, staged));
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
  if (!(options.emaDecay >= 0 && options.emaDecay < 1))
    return error("--ema wants a decay in [0, 1) (yolov7: 0.9999; 0 is off), "
                 "got " + std::to_string(options.emaDecay));
  if (!(options.emaTau > 0))
    return error("--ema-tau wants a positive number of steps, got " +
                 std::to_string(options.emaTau));
  if (!options.checkCompiled.empty()) // known before training, not after
    GOE_RETURN_IF_ERROR(checkReadable("--check-compiled", options.checkCompiled));
  if (!options.initWeights.empty() && !options.resume.empty())
    return error("--init-weights starts a new run and --resume continues "
                 "one: give one of them");
  if (!options.initWeights.empty()) // every rank, before any joins
    GOE_RETURN_IF_ERROR(checkReadable("--init-weights", options.initWeights));
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
