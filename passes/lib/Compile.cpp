//===- Compile.cpp - a spec or module and its weights to an artifact ------===//
//
// The front of the pipeline (spec to module, weights from wherever they
// come) and the stage tap around buildArtifact, which runs the rest.
//
//===----------------------------------------------------------------------===//

#include "goe/Compiler/Compile.h"
#include "goe/Passes/Pipelines.h"
#include "goe/Runtime/Artifact.h"

using namespace mlir;

goe::WeightSource goe::WeightSource::random(uint64_t seed) {
  WeightSource source;
  source.kind = Kind::Random;
  source.seed = seed;
  return source;
}

goe::WeightSource goe::WeightSource::file(std::string path) {
  WeightSource source;
  source.kind = Kind::File;
  source.path = std::move(path);
  return source;
}

goe::WeightSource goe::WeightSource::given(WeightMap weights) {
  WeightSource source;
  source.kind = Kind::Given;
  source.weights = std::move(weights);
  return source;
}

void goe::registerCompileDialects(DialectRegistry &registry) {
  spec::registerSpecDialects(registry);
  registerCodegenDialects(registry);
}

const std::vector<goe::StageInfo> &goe::sharedStages() {
  static const std::vector<StageInfo> stages = {
      {"frontend", "the verified goe module, as the spec frontend makes it"},
      {"bound", "weights bound, batch norm folded, weights prepacked"},
      {"specialized", "one function per routed path, weights as arguments"},
  };
  return stages;
}

std::vector<goe::PipelineStage> goe::pipelineStages() {
  std::vector<PipelineStage> stages;
  for (const StageInfo &stage : sharedStages())
    stages.push_back({stage.name, {}});
  for (const TargetKind &kind : targetKinds()) {
    llvm::Expected<std::shared_ptr<const Target>> target = kind.create({});
    if (!target) {
      llvm::consumeError(target.takeError());
      continue;
    }
    for (const StageInfo &stage : (*target)->stages()) {
      auto it = llvm::find_if(stages, [&](const PipelineStage &known) {
        return known.name == stage.name;
      });
      if (it == stages.end())
        stages.push_back({stage.name, {kind.name}});
      else
        it->targets.push_back(kind.name);
    }
  }
  return stages;
}

OwningOpRef<ModuleOp> goe::buildFrontend(llvm::StringRef specPath,
                                         const spec::VarOverrides &vars,
                                         const spec::BuildOptions &build,
                                         MLIRContext *context) {
  FailureOr<spec::Spec> parsed = spec::readSpecFile(specPath, vars, context);
  if (failed(parsed))
    return nullptr;
  return buildFrontend(*parsed, build, context);
}

OwningOpRef<ModuleOp> goe::buildFrontend(const spec::Spec &spec,
                                         const spec::BuildOptions &build,
                                         MLIRContext *context) {
  return spec::buildModule(spec, build, context);
}

FailureOr<goe::WeightMap> goe::resolveWeights(ModuleOp module,
                                              const WeightSource &weights) {
  switch (weights.kind) {
  case WeightSource::Kind::Random:
    return randomWeights(module, weights.seed);
  case WeightSource::Kind::File: {
    runtime::StatusOr<artifact::WeightBundle> bundle =
        runtime::readWeightBundle(weights.path);
    if (!bundle.ok())
      return emitError(module.getLoc(), bundle.status().message());
    return bindWeights(module, bundle.value());
  }
  case WeightSource::Kind::Given:
    return weights.weights;
  }
  return emitError(module.getLoc(), "unknown weight source");
}

namespace {

/// compile() with a tap; given weights are used where they are, not copied.
FailureOr<goe::artifact::Model> runPipeline(ModuleOp module,
                                            const goe::WeightSource &weights,
                                            const goe::CompileOptions &options,
                                            goe::StageTap *tap) {
  if (weights.kind == goe::WeightSource::Kind::Given)
    return goe::buildArtifact(module, weights.weights, options, tap);
  FailureOr<goe::WeightMap> resolved = goe::resolveWeights(module, weights);
  if (failed(resolved))
    return failure();
  return goe::buildArtifact(module, *resolved, options, tap);
}

bool hasStage(const goe::Target &target, llvm::StringRef stage) {
  for (const goe::StageInfo &info : target.stages())
    if (info.name == stage)
      return true;
  return false;
}

} // namespace

FailureOr<goe::artifact::Model> goe::compile(ModuleOp module,
                                             const WeightSource &weights,
                                             const CompileOptions &options) {
  return runPipeline(module, weights, options, nullptr);
}

FailureOr<goe::artifact::Model>
goe::compile(const spec::Spec &spec, const spec::BuildOptions &build,
             const WeightSource &weights, const CompileOptions &options,
             MLIRContext *context) {
  OwningOpRef<ModuleOp> module = buildFrontend(spec, build, context);
  if (!module)
    return failure();
  return compile(*module, weights, options);
}

FailureOr<goe::artifact::Model>
goe::compileFile(llvm::StringRef specPath, const spec::VarOverrides &vars,
                 const spec::BuildOptions &build, const WeightSource &weights,
                 const CompileOptions &options, MLIRContext *context) {
  OwningOpRef<ModuleOp> module = buildFrontend(specPath, vars, build, context);
  if (!module)
    return failure();
  return compile(*module, weights, options);
}

FailureOr<std::string> goe::emitStage(ModuleOp module,
                                      const WeightSource &weights,
                                      const CompileOptions &options,
                                      llvm::StringRef stage) {
  StageTap tap(stage.str());
  if (tap.reached("frontend", module))
    return tap.output();

  // A target's stage: only that target runs.
  CompileOptions only = options;
  bool shared = llvm::any_of(sharedStages(), [&](const StageInfo &info) {
    return info.name == stage;
  });
  if (!shared) {
    std::vector<std::shared_ptr<const Target>> targets = options.targets;
    if (targets.empty()) {
      llvm::Expected<std::shared_ptr<const Target>> cpu = createTarget("cpu");
      if (!cpu)
        return emitError(module.getLoc(), llvm::toString(cpu.takeError()));
      targets.push_back(*cpu);
    }
    only.targets.clear();
    std::string names, stages;
    for (const StageInfo &info : sharedStages())
      stages += (stages.empty() ? "" : ", ") + info.name;
    for (const std::shared_ptr<const Target> &target : targets) {
      names += (names.empty() ? "" : ", ") + target->name().str();
      for (const StageInfo &info : target->stages())
        stages += ", " + target->name().str() + ":" + info.name;
      if (hasStage(*target, stage))
        only.targets.push_back(target);
    }
    if (only.targets.empty())
      return emitError(module.getLoc(), "no stage '")
             << stage << "' in the pipeline for " << names
             << " (its stages: " << stages << ")";
    if (only.targets.size() > 1)
      return emitError(module.getLoc(), "stage '")
             << stage << "' is in the pipelines of " << names
             << "; choose one target";
  }
  if (failed(runPipeline(module, weights, only, &tap)))
    return failure();
  if (!tap.stopped())
    return emitError(module.getLoc(), "the pipeline ended before stage '")
           << stage << "'";
  return tap.output();
}
