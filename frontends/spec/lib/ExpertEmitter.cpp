//===- ExpertEmitter.cpp - one module instance to a TOSA function ---------===//
//
// A module instance becomes `func.func @<instance>` on channels-last tensors
// with a dynamic batch. Weights become `ml_program.global`s named and shaped
// as PyTorch names and shapes them (`<instance>.<layer>.weight`, OIHW), so
// that weights trained in LibTorch bind by name; layout changes are explicit
// `tosa.transpose` ops that constant folding removes once weights are bound.
// Each layer's TOSA comes from its op's definition (LayerOp::emit, in
// frontends/spec/lib/ops/); this file holds the building blocks they use.
//
//===----------------------------------------------------------------------===//

#include "goe/Frontends/Spec/MLIRGen.h"

#include "ops/LayerEmitter.h"

#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace ::goe::spec;

namespace goe::spec {

Shape physicalShape(const Shape &logical) {
  if (logical.size() != 3)
    return logical;
  return {logical[1], logical[2], logical[0]};
}

RankedTensorType physicalType(const TensorInfo &info, MLIRContext *context) {
  SmallVector<int64_t> shape{ShapedType::kDynamic};
  for (int64_t d : physicalShape(info.shape))
    shape.push_back(d);
  Type element = info.isInt ? Type(IntegerType::get(context, 64))
                            : Type(Float32Type::get(context));
  return RankedTensorType::get(shape, element);
}

int64_t physicalAxis(int64_t logicalRank, int64_t axis) {
  axis = (axis + logicalRank) % logicalRank;
  if (logicalRank == 3)
    axis = axis == 0 ? 2 : axis - 1; // C,H,W -> H,W,C
  return axis + 1;                   // past the batch dimension
}

LayerEmitter::LayerEmitter(OpBuilder &moduleBuilder, std::string instance)
    : b(moduleBuilder.getContext()), context(moduleBuilder.getContext()),
      loc(UnknownLoc::get(context)), moduleBuilder(moduleBuilder),
      instance(std::move(instance)) {}

RankedTensorType LayerEmitter::f32(ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, b.getF32Type());
}

RankedTensorType LayerEmitter::batched(const Shape &logical) {
  return physicalType(TensorInfo{logical, false}, context);
}

Value LayerEmitter::weight(const Layer &layer, const std::string &name,
                           ArrayRef<int64_t> shape) {
  std::string symbol =
      instance + "." + std::to_string(layer.index) + "." + name;
  RankedTensorType type = f32(shape);
  moduleBuilder.create<ml_program::GlobalOp>(
      loc, symbol, type, /*is_mutable=*/false,
      ml_program::ExternAttr::get(context, type),
      moduleBuilder.getStringAttr("private"));
  return b.create<ml_program::GlobalLoadConstOp>(
      loc, type, FlatSymbolRefAttr::get(context, symbol));
}

Value LayerEmitter::constant(ArrayRef<int64_t> shape, ArrayRef<float> values) {
  RankedTensorType type = f32(shape);
  return b.create<tosa::ConstOp>(loc, type,
                                 DenseElementsAttr::get(type, values));
}

Value LayerEmitter::zeros(int64_t size) {
  // A splat: its size in memory does not grow with the vector's length.
  RankedTensorType type = f32({size});
  return b.create<tosa::ConstOp>(loc, type,
                                 DenseElementsAttr::get(type, 0.0f));
}

Value LayerEmitter::splat(int64_t rank, float value) {
  SmallVector<int64_t> ones(rank, 1);
  return constant(ones, {value});
}

Value LayerEmitter::reshape(Value input, ArrayRef<int64_t> perSample) {
  SmallVector<int64_t> shape{ShapedType::kDynamic};
  shape.append(perSample.begin(), perSample.end());
  SmallVector<int64_t> newShape{-1};
  newShape.append(perSample.begin(), perSample.end());
  return b.create<tosa::ReshapeOp>(loc, f32(shape), input,
                                   b.getDenseI64ArrayAttr(newShape));
}

Value LayerEmitter::transpose(Value input, ArrayRef<int32_t> perms) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape;
  for (int32_t p : perms)
    shape.push_back(type.getDimSize(p));
  auto permsType = RankedTensorType::get({(int64_t)perms.size()},
                                         b.getI32Type());
  Value permsValue = b.create<tosa::ConstOp>(
      loc, permsType, DenseElementsAttr::get(permsType, perms));
  return b.create<tosa::TransposeOp>(
      loc, RankedTensorType::get(shape, type.getElementType()), input,
      permsValue);
}

Value LayerEmitter::slice(Value input, ArrayRef<int64_t> start,
                          ArrayRef<int64_t> size) {
  SmallVector<int64_t> shape(size);
  SmallVector<int64_t> sizes(size);
  if (shape[0] < 0) {
    shape[0] = ShapedType::kDynamic;
    sizes[0] = -1;
  }
  return b.create<tosa::SliceOp>(loc, f32(shape), input,
                                 b.getDenseI64ArrayAttr(start),
                                 b.getDenseI64ArrayAttr(sizes));
}

Value LayerEmitter::toLogical(Value input, const Shape &logical) {
  return logical.size() == 3 ? transpose(input, {0, 3, 1, 2}) : input;
}

Value LayerEmitter::fromLogical(Value input, const Shape &logical) {
  return logical.size() == 3 ? transpose(input, {0, 2, 3, 1}) : input;
}

Window fitWindow(int64_t size, int64_t kernel, int64_t stride,
                 int64_t padding) {
  int64_t rem = (size + 2 * padding - kernel) % stride;
  Window window{padding, padding, 0};
  int64_t fromPad = std::min(rem, window.padAfter);
  window.padAfter -= fromPad;
  window.crop = rem - fromPad;
  return window;
}

func::FuncOp emitExpertFunction(OpBuilder &moduleBuilder, const Spec &spec,
                                const ResolvedModule &resolved, StringRef name,
                                Location funcLoc) {
  MLIRContext *context = moduleBuilder.getContext();
  SmallVector<Type> inputTypes, resultTypes;
  for (const TensorInfo &input : resolved.inputs)
    inputTypes.push_back(physicalType(input, context));
  for (const TensorInfo &output : resolved.outputTypes)
    resultTypes.push_back(physicalType(output, context));
  auto fn = moduleBuilder.create<func::FuncOp>(
      funcLoc, name, FunctionType::get(context, inputTypes, resultTypes));
  fn.setPrivate();
  LayerEmitter emitter(moduleBuilder, name.str());
  OpBuilder &b = emitter.b;
  fn->setAttr("goe.module", b.getStringAttr(resolved.module->name));
  // MACs per sample by the op definitions; AnnotateMacs keeps this count.
  fn->setAttr("goe.macs", b.getI64IntegerAttr(moduleMacs(resolved)));
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);

  std::vector<Value> values(entry->getArguments().begin(),
                            entry->getArguments().end());
  for (const ResolvedLayer &layer : resolved.layers) {
    emitter.loc = FileLineColLoc::get(context, spec.file, layer.layer->loc.line,
                                      layer.layer->loc.col);
    SmallVector<Value> inputs;
    for (int id : layer.inputs)
      inputs.push_back(values[id]);
    values.push_back(layerOpOf(*layer.layer)
                         .emit(emitter, layerShapes(resolved, layer), inputs));
  }
  SmallVector<Value> results;
  for (int id : resolved.outputs)
    results.push_back(values[id]);
  b.create<func::ReturnOp>(funcLoc, results);
  return fn;
}

} // namespace goe::spec
