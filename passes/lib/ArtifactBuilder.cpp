//===- ArtifactBuilder.cpp - a goe module to a runnable artifact ----------===//
//
// Binds the weights, folds what they make constant, and assembles the
// artifact: the graph program and function records (GraphProgram.cpp), the
// router tables (RouterState.cpp), the weights and the code objects.
//
//===----------------------------------------------------------------------===//

#include "GraphProgram.h"

#include "goe/Compiler/ArtifactBuilder.h"
#include "goe/Compiler/CpuCodegen.h"
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
                                              const CompileOptions &options) {
  auto graphs = module.getOps<GraphOp>();
  if (graphs.empty())
    return module.emitError("no goe.graph to compile");

  // Weights are known now: bind them into the globals and fold what they
  // make constant (batch-norm into convolutions, layout transposes into
  // the stored weights). All on a copy: the
  // caller's module stays as the frontend made it.
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

  // Signatures with weights as arguments (the order the code expects) and
  // MAC counts, after the same path specialisation as the lowering
  // pipeline, so that the graph program names the functions the code
  // object defines.
  OwningOpRef<ModuleOp> annotated = bound->clone();
  PassManager pm(module.getContext());
  pm.addPass(createSpecializePaths());
  pm.addPass(createAnnotateMacs());
  pm.addPass(createWeightsToArguments());
  if (failed(pm.run(*annotated)))
    return failure();

  artifact::Model model;
  GraphOp graph = *annotated->getOps<GraphOp>().begin();
  model.set_name(graph.getSymName().str());
  if (auto name = module.getSymName())
    model.set_spec_name(name->str());
  if (failed(describeFunctions(*annotated, model)) ||
      failed(buildGraphProgram(graph, model)) ||
      failed(attachRouterState(*annotated, weights, model)))
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

  if (options.cpu) {
    OwningOpRef<ModuleOp> kernels = bound->clone();
    PassManager lower(module.getContext());
    buildCpuLoweringPipeline(lower);
    if (failed(lower.run(*kernels)))
      return failure();
    FailureOr<CpuCodeObject> code = compileToSharedObject(*kernels);
    if (failed(code))
      return failure();
    artifact::CodeObject *object = model.add_code();
    object->set_target(code->target);
    object->set_shared_object(std::move(code->sharedObject));
  }
  if (options.cuda) {
    // The same bound module through the CUDA pipeline: kernels, cubin and
    // one launch plan per Function, beside the CPU code.
    OwningOpRef<ModuleOp> kernels = bound->clone();
    FailureOr<artifact::CodeObject> code =
        compileForCuda(*kernels, options.cudaOptions);
    if (failed(code))
      return failure();
    *model.add_code() = std::move(*code);
  }
  return model;
}
