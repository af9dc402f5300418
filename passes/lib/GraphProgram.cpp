//===- GraphProgram.cpp - the goe.graph as the artifact's program --------===//
//
// The runtime interprets the graph (routing, grouping by path, combining)
// and calls compiled code for everything else. This file writes that split
// down: the goe.graph becomes a list of steps over numbered values, each
// expert function a Function record whose native entry point is in the
// code object, whose weights are named in argument order.
//
//===----------------------------------------------------------------------===//

#include "GraphProgram.h"

#include "goe/Dialect/Goe/GoeOps.h"

#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"

#include <optional>

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

/// A number of a params dictionary, integer or float.
std::optional<double> number(Attribute value) {
  if (auto f = dyn_cast<FloatAttr>(value))
    return f.getValueAsDouble();
  if (auto i = dyn_cast<IntegerAttr>(value))
    return double(i.getInt());
  return std::nullopt;
}

/// Sets the NMS field `key` that the detection combines' messages share
/// (WbfCombine, NmsCombine); false when `key` is not one of them.
template <class Message>
bool setNmsField(StringRef key, double value, Message &message) {
  if (key == "nms_conf")
    message.set_nms_conf(value);
  else if (key == "nms_iou")
    message.set_nms_iou(value);
  else if (key == "max_det")
    message.set_max_det(int64_t(value));
  else if (key == "max_nms")
    message.set_max_nms(int64_t(value));
  else
    return false;
  return true;
}

/// The wbf combine's typed message: the spec's parameters (absent ones
/// take the runtime's defaults, Detection.h) and the image size WBF
/// normalises boxes by.
LogicalResult wbfMessage(goe::CombineOp combine, goe::GraphOp graph,
                         artifact::WbfCombine &wbf) {
  if (auto dict = combine.getParamsAttr()) {
    for (NamedAttribute entry : dict) {
      StringRef key = entry.getName().getValue();
      if (key == "conf_type") {
        auto text = dyn_cast<StringAttr>(entry.getValue());
        artifact::WbfCombine::ConfType type;
        if (!text || !artifact::WbfCombine::ConfType_Parse(
                         text.getValue().upper(), &type))
          return combine.emitError("wbf conf_type must be avg, max, "
                                   "box_and_model_avg or "
                                   "absent_model_aware_avg");
        wbf.set_conf_type(type);
        continue;
      }
      std::optional<double> value = number(entry.getValue());
      if (!value)
        return combine.emitError("wbf parameter '") << key
               << "' must be a number";
      if (setNmsField(key, *value, wbf))
        continue;
      if (key == "iou")
        wbf.set_iou(*value);
      else if (key == "skip_box_thr")
        wbf.set_skip_box_thr(*value);
      else if (key == "allows_overflow")
        wbf.set_allows_overflow(*value != 0);
      else
        return combine.emitError("wbf has no parameter '") << key << "'";
    }
  }
  // Boxes are in the pixels of the model's image input: its first
  // [batch, C, H, W] input.
  for (Type input : graph.getArgumentTypes()) {
    auto tensor = cast<RankedTensorType>(input);
    if (tensor.getRank() == 4 && tensor.getElementType().isF32()) {
      wbf.set_image_height(tensor.getDimSize(2));
      wbf.set_image_width(tensor.getDimSize(3));
      break;
    }
  }
  return success();
}

/// The nms combine's typed message: the spec's parameters; absent ones take
/// the runtime's defaults (Detection.h).
LogicalResult nmsMessage(goe::CombineOp combine, artifact::NmsCombine &nms) {
  if (auto dict = combine.getParamsAttr()) {
    for (NamedAttribute entry : dict) {
      StringRef key = entry.getName().getValue();
      std::optional<double> value = number(entry.getValue());
      if (!value)
        return combine.emitError("nms parameter '") << key
               << "' must be a number";
      if (!setNmsField(key, *value, nms))
        return combine.emitError("nms has no parameter '") << key << "'";
    }
  }
  return success();
}

/// The typed Combine message of a goe.combine (artifact.proto).
LogicalResult combineMessage(goe::CombineOp combine, goe::GraphOp graph,
                             artifact::Combine &out) {
  switch (combine.getKind()) {
  case goe::CombineKind::Select:
    out.mutable_select();
    return success();
  case goe::CombineKind::WeightedSum:
    out.mutable_weighted_sum();
    return success();
  case goe::CombineKind::ImportanceMix:
    out.mutable_importance_mix();
    return success();
  case goe::CombineKind::Wbf:
    return wbfMessage(combine, graph, *out.mutable_wbf());
  case goe::CombineKind::Nms:
    return nmsMessage(combine, *out.mutable_nms());
  }
  return combine.emitError("this combine kind has no artifact message");
}

/// The typed kind message of a goe.router (artifact.proto). Parameters the
/// runtime does not read (a latent router's sizes, a gate's training
/// weight) stay behind; the latent tables are attached later
/// (RouterState.cpp).
LogicalResult routerMessage(goe::RouterOp router, artifact::Router &out) {
  switch (router.getKind()) {
  case goe::RouterKind::Oracle:
    out.mutable_oracle();
    return success();
  case goe::RouterKind::Random: {
    artifact::RandomRouter &random = *out.mutable_random();
    if (auto params = router.getParamsAttr())
      if (Attribute seed = params.get("seed")) {
        auto value = dyn_cast<IntegerAttr>(seed);
        if (!value)
          return router.emitError("a random router's seed must be an integer");
        random.set_seed(uint64_t(value.getInt()));
      }
    return success();
  }
  case goe::RouterKind::TopK:
    out.mutable_topk();
    return success();
  case goe::RouterKind::VqvaeHclust:
    out.mutable_vqvae_hclust();
    return success();
  case goe::RouterKind::ClusterGate:
    out.mutable_cluster_gate();
    return success();
  case goe::RouterKind::Fixed: {
    artifact::FixedRouter &fixed = *out.mutable_fixed();
    if (auto params = router.getParamsAttr())
      if (Attribute path = params.get("path")) {
        auto value = dyn_cast<IntegerAttr>(path);
        if (!value)
          return router.emitError("a fixed router's path must be an integer");
        fixed.set_path(value.getInt());
      }
    return success();
  }
  }
  return router.emitError("this router kind has no artifact message");
}

} // namespace

LogicalResult goe::buildGraphProgram(goe::GraphOp graph, artifact::Model &model) {
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
      for (auto [index, result] : llvm::enumerate(output.getResults())) {
        auto name = graph.getResultAttrOfType<StringAttr>(index, "goe.name");
        model.add_output_names(name ? name.str()
                                    : "output" + std::to_string(index));
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
      step.set_routing(ids.lookup(combine.getRouting()));
      if (failed(combineMessage(combine, graph, *step.mutable_combine())))
        return failure();
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

LogicalResult goe::describeFunctions(ModuleOp annotated, artifact::Model &model) {
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
    out->set_choices(router.getChoices());
    out->set_k(router.getK());
    if (router.getBody())
      out->set_body(router.getBody()->str());
    if (failed(routerMessage(router, *out)))
      return failure();
  }
  return success();
}

