//===- ArtifactBuilder.cpp - a goe module to a runnable artifact ----------===//
//
// Binds the weights, folds what they make constant, and assembles the
// artifact: the graph program and function records (GraphProgram.cpp), the
// router tables (RouterState.cpp), the weights and the code objects.
//
//===----------------------------------------------------------------------===//

#include "GraphProgram.h"

#include "goe/Compiler/ArtifactBuilder.h"
#include "goe/Compiler/RouterState.h"
#include "goe/Compiler/WeightRecipes.h"
#include "goe/Dialect/Goe/GoeOps.h"
#include "goe/Passes/Passes.h"
#include "goe/Passes/Pipelines.h"

#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;
namespace artifact = goe::artifact;

FailureOr<artifact::Model> goe::buildArtifact(ModuleOp module,
                                              const WeightMap &weights,
                                              const CompileOptions &options,
                                              StageTap *tap) {
  auto graphs = module.getOps<GraphOp>();
  if (graphs.empty())
    return module.emitError("no goe.graph to compile");
  std::vector<std::shared_ptr<const Target>> targets = options.targets;
  if (targets.empty()) {
    llvm::Expected<std::shared_ptr<const Target>> cpu = createTarget("cpu");
    if (!cpu)
      return emitError(module.getLoc(), llvm::toString(cpu.takeError()));
    targets.push_back(*cpu);
  }

  // Stage `bound`. Weights are known now: bind them into the globals and
  // fold what they make constant (batch-norm into convolutions, layout
  // transposes into the stored weights). All on a copy: the caller's
  // module stays as the frontend made it.
  OwningOpRef<ModuleOp> bound = module.clone();
  for (auto global : bound->getOps<ml_program::GlobalOp>()) {
    auto it = weights.find(global.getSymName().str());
    if (it == weights.end())
      return global.emitError("no weights bound for this global");
    const std::string &data = it->second.data();
    auto type = cast<RankedTensorType>(global.getType());
    global.setValueAttr(DenseElementsAttr::get(
        type, ArrayRef<float>(reinterpret_cast<const float *>(data.data()),
                              data.size() / sizeof(float))));
  }
  PassManager fold(module.getContext());
  fold.addPass(createFoldBatchNorm());
  fold.addPass(createPrepackWeights());
  if (failed(fold.run(*bound)))
    return failure();
  artifact::Model model;
  if (tap && tap->reached("bound", *bound))
    return model;

  // Stage `specialized`: one function per routed path, MAC counts, weights
  // as arguments (the order the code expects). The graph program names the
  // functions every code object defines, since each target lowers this
  // very module.
  OwningOpRef<ModuleOp> specialized = bound->clone();
  PassManager pm(module.getContext());
  buildSpecializationPipeline(pm);
  if (failed(pm.run(*specialized)))
    return failure();
  if (tap && tap->reached("specialized", *specialized))
    return model;

  GraphOp graph = *specialized->getOps<GraphOp>().begin();
  model.set_name(graph.getSymName().str());
  if (auto name = module.getSymName())
    model.set_spec_name(name->str());
  if (failed(describeFunctions(*specialized, model)) ||
      failed(buildGraphProgram(graph, model)) ||
      failed(attachRouterState(*specialized, weights, model)))
    return failure();

  // The weights the code reads: folding replaced some and dropped others.
  for (auto global : bound->getOps<ml_program::GlobalOp>()) {
    artifact::Tensor *tensor = model.add_weights();
    tensor->set_name(global.getSymName().str());
    auto type = cast<RankedTensorType>(global.getType());
    for (int64_t d : type.getShape())
      tensor->add_shape(d);
    tensor->set_dtype(artifact::F32);
    auto values = cast<DenseElementsAttr>(*global.getValue());
    std::string data(values.getNumElements() * sizeof(float), '\0');
    float *out = reinterpret_cast<float *>(data.data());
    for (float v : values.getValues<float>())
      *out++ = v;
    tensor->set_data(std::move(data));
  }
  if (failed(recordWeightRecipes(module, *bound, model)))
    return failure();

  // Each target's stages, on its own copy of the specialized module (the
  // last one takes the module itself).
  for (size_t i = 0; i < targets.size(); ++i) {
    OwningOpRef<ModuleOp> copy =
        i + 1 < targets.size() ? specialized->clone() : specialized.release();
    artifact::CodeObject code;
    if (failed(targets[i]->compile(*copy, code, tap, options.report)))
      return failure();
    if (tap && tap->stopped())
      return model;
    *model.add_code() = std::move(code);
  }
  return model;
}
