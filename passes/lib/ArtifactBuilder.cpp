//===- ArtifactBuilder.cpp - a goe module to a runnable artifact ----------===//
//
// The runtime interprets the graph (routing, grouping by path, combining)
// and calls compiled code for everything else. This file writes that split
// down: the goe.graph becomes a list of steps over numbered values, each
// expert function a Function record whose native entry point is in the
// code object, whose weights are named in argument order.
//
//===----------------------------------------------------------------------===//

#include "goe/Compiler/ArtifactBuilder.h"
#include "goe/Compiler/RouterState.h"
#include "goe/Dialect/Goe/GoeOps.h"
#include "goe/Passes/Passes.h"
#include "goe/Passes/Pipelines.h"

#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;
namespace artifact = goe::artifact;

namespace {

FailureOr<artifact::ValueType> valueType(Operation *where, Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || tensor.getRank() < 1 ||
      llvm::any_of(tensor.getShape().drop_front(), ShapedType::isDynamic))
    return where->emitError("cannot describe ")
           << type << " to the runtime: a batched tensor with static "
              "per-sample dimensions is needed";
  artifact::ValueType out;
  for (int64_t d : tensor.getShape().drop_front())
    out.add_shape(d);
  if (tensor.getElementType().isF32())
    out.set_dtype(artifact::F32);
  else if (tensor.getElementType().isInteger(64))
    out.set_dtype(artifact::I64);
  else
    return where->emitError("unsupported element type ")
           << tensor.getElementType();
  return out;
}

/// Fills `step.types` and `step.outputs` from `op`'s results.
LogicalResult defineOutputs(Operation *op, artifact::Step &step,
                            llvm::DenseMap<Value, int> &ids, int &next) {
  for (Value result : op->getResults()) {
    ids[result] = next;
    step.add_outputs(next++);
    if (isa<goe::RoutingType>(result.getType()))
      continue;
    FailureOr<artifact::ValueType> type = valueType(op, result.getType());
    if (failed(type))
      return failure();
    *step.add_types() = *type;
  }
  return success();
}

LogicalResult addInputs(Operation *op, ValueRange operands,
                        artifact::Step &step,
                        const llvm::DenseMap<Value, int> &ids) {
  for (Value operand : operands) {
    auto it = ids.find(operand);
    if (it == ids.end())
      return op->emitError("reads a value the graph program does not define");
    step.add_inputs(it->second);
  }
  return success();
}

/// Combine parameters as the runtime reads them: numbers only, conf_type by
/// index, and the image size WBF normalises boxes by.
void combineParams(goe::CombineOp combine, goe::GraphOp graph,
                   artifact::Step &step) {
  auto &params = *step.mutable_params();
  if (auto dict = combine.getParamsAttr()) {
    for (NamedAttribute entry : dict) {
      StringRef key = entry.getName().getValue();
      if (auto f = dyn_cast<FloatAttr>(entry.getValue()))
        params[key.str()] = f.getValueAsDouble();
      else if (auto i = dyn_cast<IntegerAttr>(entry.getValue()))
        params[key.str()] = double(i.getInt());
      else if (auto s = dyn_cast<StringAttr>(entry.getValue()); s && key == "conf_type")
        params["conf_type"] = llvm::StringSwitch<double>(s.getValue())
                                  .Case("max", 1)
                                  .Case("box_and_model_avg", 2)
                                  .Case("absent_model_aware_avg", 3)
                                  .Default(0);
    }
  }
  if (combine.getKind() != goe::CombineKind::Wbf)
    return;
  // Boxes are in the pixels of the model's image input: its first
  // [batch, C, H, W] input.
  for (Type input : graph.getArgumentTypes()) {
    auto tensor = cast<RankedTensorType>(input);
    if (tensor.getRank() == 4 && tensor.getElementType().isF32()) {
      params["image_height"] = double(tensor.getDimSize(2));
      params["image_width"] = double(tensor.getDimSize(3));
      break;
    }
  }
}

LogicalResult buildProgram(goe::GraphOp graph, artifact::Model &model) {
  llvm::DenseMap<Value, int> ids;
  int next = 0;
  for (auto [index, arg] : llvm::enumerate(graph.getBody().getArguments())) {
    ids[arg] = next++;
    artifact::Input *input = model.add_inputs();
    auto name = graph.getArgAttrOfType<StringAttr>(index, "goe.name");
    input->set_name(name ? name.str() : "input" + std::to_string(index));
    FailureOr<artifact::ValueType> type = valueType(graph, arg.getType());
    if (failed(type))
      return failure();
    *input->mutable_type() = *type;
  }
  for (Operation &op : graph.getBody().front()) {
    // Transpose permutations are read where used; weight loads feed calls
    // of shared modules, whose weights the runtime binds by name.
    if (isa<tosa::ConstOp, ml_program::GlobalLoadConstOp>(op))
      continue;
    if (auto output = dyn_cast<goe::OutputOp>(op)) {
      for (Value result : output.getResults()) {
        model.add_outputs(ids.lookup(result));
        FailureOr<artifact::ValueType> type = valueType(&op, result.getType());
        if (failed(type))
          return failure();
        *model.add_output_types() = *type;
      }
      continue;
    }
    artifact::Step step;
    ValueRange inputs = op.getOperands();
    if (auto transpose = dyn_cast<tosa::TransposeOp>(op)) {
      DenseIntElementsAttr perms;
      if (!matchPattern(transpose.getPerms(), m_Constant(&perms)))
        return op.emitError("graph transposes need constant permutations");
      step.set_kind(artifact::Step::TRANSPOSE);
      for (const APInt &p : perms.getValues<APInt>())
        step.add_perm((int32_t)p.getSExtValue());
      inputs = transpose->getOperands().take_front();
    } else if (auto call = dyn_cast<func::CallOp>(op)) {
      step.set_kind(artifact::Step::CALL);
      step.set_function(call.getCallee().str());
      auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
          call, call.getCalleeAttr());
      inputs = call.getOperands().take_front(
          callee ? goe::getActivationTypes(callee).size()
                 : call.getNumOperands());
    } else if (auto route = dyn_cast<goe::RouteOp>(op)) {
      step.set_kind(artifact::Step::ROUTE);
      step.set_router(route.getRouter().str());
    } else if (auto dispatch = dyn_cast<goe::DispatchOp>(op)) {
      step.set_kind(artifact::Step::DISPATCH);
      step.set_routing(ids.lookup(dispatch.getRouting()));
      for (unsigned p = 0; p < dispatch.getNumPaths(); ++p) {
        auto *path = step.add_paths();
        for (FlatSymbolRefAttr fn : dispatch.getPath(p))
          path->add_functions(fn.getValue().str());
      }
      inputs = dispatch.getInputs();
    } else if (auto combine = dyn_cast<goe::CombineOp>(op)) {
      step.set_kind(artifact::Step::COMBINE);
      step.set_combine(goe::stringifyCombineKind(combine.getKind()).str());
      step.set_routing(ids.lookup(combine.getRouting()));
      combineParams(combine, graph, step);
      inputs = combine.getInputs();
    } else {
      return op.emitError("the runtime cannot execute this op in a graph");
    }
    if (failed(addInputs(&op, inputs, step, ids)) ||
        failed(defineOutputs(&op, step, ids, next)))
      return failure();
    *model.add_steps() = std::move(step);
  }
  model.set_num_values(next);
  return success();
}

LogicalResult describeFunctions(ModuleOp annotated, artifact::Model &model) {
  for (auto fn : annotated.getOps<func::FuncOp>()) {
    artifact::Function *out = model.add_functions();
    out->set_name(fn.getSymName().str());
    out->set_symbol(fn.getSymName().str());
    for (Type type : goe::getActivationTypes(fn)) {
      FailureOr<artifact::ValueType> value = valueType(fn, type);
      if (failed(value))
        return failure();
      *out->add_inputs() = *value;
    }
    if (auto weights = fn->getAttrOfType<ArrayAttr>("goe.weights"))
      for (Attribute weight : weights)
        out->add_weights(cast<FlatSymbolRefAttr>(weight).getValue().str());
    for (Type type : fn.getResultTypes()) {
      FailureOr<artifact::ValueType> value = valueType(fn, type);
      if (failed(value))
        return failure();
      *out->add_outputs() = *value;
    }
    if (auto macs = fn->getAttrOfType<IntegerAttr>("goe.macs"))
      out->set_macs(macs.getInt());
  }
  for (auto router : annotated.getOps<goe::RouterOp>()) {
    artifact::Router *out = model.add_routers();
    out->set_name(router.getSymName().str());
    out->set_kind(goe::stringifyRouterKind(router.getKind()).str());
    out->set_choices(router.getChoices());
    out->set_k(router.getK());
    if (router.getBody())
      out->set_body(router.getBody()->str());
    if (auto params = router.getParamsAttr())
      for (NamedAttribute entry : params) {
        double value = 0;
        if (auto f = dyn_cast<FloatAttr>(entry.getValue()))
          value = f.getValueAsDouble();
        else if (auto i = dyn_cast<IntegerAttr>(entry.getValue()))
          value = double(i.getInt());
        (*out->mutable_params())[entry.getName().str()] = value;
      }
  }
  return success();
}

} // namespace

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
      failed(buildProgram(graph, model)) ||
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
