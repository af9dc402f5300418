//===- ExpertEmitter.cpp - one module instance to a TOSA function ---------===//
//
// A module instance becomes `func.func @<instance>` on channels-last tensors
// with a dynamic batch. Weights become `ml_program.global`s named and shaped
// as PyTorch names and shapes them (`<instance>.<layer>.weight`, OIHW), so
// that weights trained in LibTorch bind by name; layout changes are explicit
// `tosa.transpose` ops that constant folding removes once weights are bound.
//
//===----------------------------------------------------------------------===//

#include "goe/Frontends/Spec/MLIRGen.h"

#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <limits>

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

} // namespace goe::spec

namespace {

/// tosa.mul's shift applies to integers only; floats always use 0.
constexpr uint8_t kNoShift = 0;

/// Emits the body of one module instance.
class ExpertEmitter {
public:
  ExpertEmitter(OpBuilder &moduleBuilder, const Spec &spec,
                const ResolvedModule &resolved, StringRef name)
      : moduleBuilder(moduleBuilder), spec(spec), resolved(resolved),
        name(name.str()), context(moduleBuilder.getContext()),
        b(moduleBuilder.getContext()) {}

  func::FuncOp emit(Location loc);

private:
  Location locOf(const Layer &layer) {
    return FileLineColLoc::get(context, spec.file, layer.loc.line,
                               layer.loc.col);
  }
  RankedTensorType f32(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, b.getF32Type());
  }
  /// `[?, physical...]` for a logical per-sample shape.
  RankedTensorType batched(const Shape &logical) {
    return physicalType(TensorInfo{logical, false}, context);
  }

  Value weight(const std::string &suffix, ArrayRef<int64_t> shape);
  Value constant(ArrayRef<int64_t> shape, ArrayRef<float> values);
  Value splat(int64_t rank, float value);
  Value zeros(int64_t size);
  Value reshape(Value input, ArrayRef<int64_t> perSample);
  Value transpose(Value input, ArrayRef<int32_t> perms);
  Value slice(Value input, ArrayRef<int64_t> start, ArrayRef<int64_t> size);
  Value toLogical(Value input, const Shape &logical);
  Value fromLogical(Value input, const Shape &logical);

  Value emitLayer(const ResolvedLayer &layer, ArrayRef<Value> inputs);
  Value emitConv(const Layer &layer, Value input, const Shape &in,
                 const Shape &out, const std::string &prefix, bool bias);
  Value emitPool(const Layer &layer, Value input, const Shape &in,
                 const Shape &out);
  Value emitBatchNorm(const Layer &layer, Value input, const Shape &shape,
                      const std::string &prefix, double eps);
  Value emitActivation(const std::string &kind, double slope, Value input);
  Value emitDetect(const Layer &layer, Value input, const Shape &in,
                   const Shape &out);

  OpBuilder &moduleBuilder;
  const Spec &spec;
  const ResolvedModule &resolved;
  std::string name;
  MLIRContext *context;
  OpBuilder b;
  Location loc = UnknownLoc::get(context);
};

Value ExpertEmitter::weight(const std::string &suffix,
                            ArrayRef<int64_t> shape) {
  std::string symbol = name + "." + suffix;
  RankedTensorType type = f32(shape);
  moduleBuilder.create<ml_program::GlobalOp>(
      loc, symbol, type, /*is_mutable=*/false,
      ml_program::ExternAttr::get(context, type),
      moduleBuilder.getStringAttr("private"));
  return b.create<ml_program::GlobalLoadConstOp>(
      loc, type, FlatSymbolRefAttr::get(context, symbol));
}

Value ExpertEmitter::constant(ArrayRef<int64_t> shape,
                              ArrayRef<float> values) {
  RankedTensorType type = f32(shape);
  return b.create<tosa::ConstOp>(loc, type,
                                 DenseElementsAttr::get(type, values));
}

Value ExpertEmitter::zeros(int64_t size) {
  // A splat: its size in memory does not grow with the vector's length.
  RankedTensorType type = f32({size});
  return b.create<tosa::ConstOp>(loc, type,
                                 DenseElementsAttr::get(type, 0.0f));
}

Value ExpertEmitter::splat(int64_t rank, float value) {
  SmallVector<int64_t> ones(rank, 1);
  return constant(ones, {value});
}

Value ExpertEmitter::reshape(Value input, ArrayRef<int64_t> perSample) {
  SmallVector<int64_t> shape{ShapedType::kDynamic};
  shape.append(perSample.begin(), perSample.end());
  SmallVector<int64_t> newShape{-1};
  newShape.append(perSample.begin(), perSample.end());
  return b.create<tosa::ReshapeOp>(loc, f32(shape), input,
                                   b.getDenseI64ArrayAttr(newShape));
}

Value ExpertEmitter::transpose(Value input, ArrayRef<int32_t> perms) {
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

Value ExpertEmitter::slice(Value input, ArrayRef<int64_t> start,
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

Value ExpertEmitter::toLogical(Value input, const Shape &logical) {
  return logical.size() == 3 ? transpose(input, {0, 3, 1, 2}) : input;
}

Value ExpertEmitter::fromLogical(Value input, const Shape &logical) {
  return logical.size() == 3 ? transpose(input, {0, 2, 3, 1}) : input;
}

/// PyTorch windows drop the trailing rows that do not fill a whole stride;
/// TOSA wants the window to fit exactly, so the bottom/right padding shrinks
/// (and, rarely, the input is cropped) to give the same output.
struct Window {
  int64_t padBefore, padAfter, crop;
};
Window fitWindow(int64_t size, int64_t kernel, int64_t stride,
                 int64_t padding) {
  int64_t rem = (size + 2 * padding - kernel) % stride;
  Window window{padding, padding, 0};
  int64_t fromPad = std::min(rem, window.padAfter);
  window.padAfter -= fromPad;
  window.crop = rem - fromPad;
  return window;
}

Value ExpertEmitter::emitConv(const Layer &layer, Value input, const Shape &in,
                              const Shape &out, const std::string &prefix,
                              bool bias) {
  int64_t kernel = intField(layer, "kernel", 1);
  int64_t stride = intField(layer, "stride", 1);
  int64_t padding = intField(layer, "padding", kernel / 2);
  int64_t groups = intField(layer, "groups", 1);
  int64_t cin = in[0] / groups, cout = out[0];
  Window h = fitWindow(in[1], kernel, stride, padding);
  Window w = fitWindow(in[2], kernel, stride, padding);
  if (h.crop || w.crop)
    input = slice(input, {0, 0, 0, 0}, {-1, in[1] - h.crop, in[2] - w.crop, in[0]});

  Value weights = weight(prefix + "weight", {cout, cin, kernel, kernel});
  weights = transpose(weights, {0, 2, 3, 1}); // OIHW -> OHWI
  Value biases = bias ? weight(prefix + "bias", {cout})
                      : zeros(cout);
  auto convolve = [&](Value x, Value wt, Value bs, int64_t channels) -> Value {
    return b.create<tosa::Conv2DOp>(
        loc, f32({ShapedType::kDynamic, out[1], out[2], channels}), x, wt, bs,
        b.getDenseI64ArrayAttr({h.padBefore, h.padAfter, w.padBefore,
                                w.padAfter}),
        b.getDenseI64ArrayAttr({stride, stride}),
        b.getDenseI64ArrayAttr({1, 1}));
  };
  if (groups == 1)
    return convolve(input, weights, biases, cout);
  // Grouped convolution: one convolution per channel group, then concat.
  int64_t gout = cout / groups;
  int64_t height = in[1] - h.crop, width = in[2] - w.crop;
  SmallVector<Value> parts;
  for (int64_t g = 0; g < groups; ++g) {
    Value x = slice(input, {0, 0, 0, g * cin}, {-1, height, width, cin});
    Value wt = b.create<tosa::SliceOp>(
        loc, f32({gout, kernel, kernel, cin}), weights,
        b.getDenseI64ArrayAttr({g * gout, 0, 0, 0}),
        b.getDenseI64ArrayAttr({gout, kernel, kernel, cin}));
    Value bs = b.create<tosa::SliceOp>(loc, f32({gout}), biases,
                                       b.getDenseI64ArrayAttr({g * gout}),
                                       b.getDenseI64ArrayAttr({gout}));
    parts.push_back(convolve(x, wt, bs, gout));
  }
  return b.create<tosa::ConcatOp>(
      loc, f32({ShapedType::kDynamic, out[1], out[2], cout}), parts, 3);
}

Value ExpertEmitter::emitPool(const Layer &layer, Value input, const Shape &in,
                              const Shape &out) {
  bool isMax = layer.op == "maxpool";
  int64_t kernel = intField(layer, "kernel", 1);
  int64_t stride = intField(layer, "stride", kernel);
  int64_t padding = intField(layer, "padding", 0);
  Window h = fitWindow(in[1], kernel, stride, padding);
  Window w = fitWindow(in[2], kernel, stride, padding);
  if (h.crop || w.crop)
    input = slice(input, {0, 0, 0, 0}, {-1, in[1] - h.crop, in[2] - w.crop, in[0]});
  RankedTensorType type = batched(out);
  auto kernelAttr = b.getDenseI64ArrayAttr({kernel, kernel});
  auto strideAttr = b.getDenseI64ArrayAttr({stride, stride});
  auto padAttr = b.getDenseI64ArrayAttr(
      {h.padBefore, h.padAfter, w.padBefore, w.padAfter});
  if (isMax)
    return b.create<tosa::MaxPool2dOp>(loc, type, input, kernelAttr,
                                       strideAttr, padAttr);
  return b.create<tosa::AvgPool2dOp>(loc, type, input, kernelAttr, strideAttr,
                                     padAttr, TypeAttr::get(b.getF32Type()));
}

Value ExpertEmitter::emitBatchNorm(const Layer &layer, Value input,
                                   const Shape &shape,
                                   const std::string &prefix, double eps) {
  int64_t channels = shape[0];
  int64_t rank = (int64_t)physicalShape(shape).size() + 1;
  auto perChannel = [&](const std::string &param) {
    SmallVector<int64_t> ones(rank, 1);
    ones.back() = channels;
    Value value = weight(prefix + param, {channels});
    return b.create<tosa::ReshapeOp>(loc, f32(ones), value,
                                     b.getDenseI64ArrayAttr(ones))
        .getResult();
  };
  Value gamma = perChannel("weight"), beta = perChannel("bias");
  Value mean = perChannel("running_mean"), var = perChannel("running_var");
  Type type = input.getType();
  Type small = gamma.getType();
  // y = (x - mean) * gamma / sqrt(var + eps) + beta
  Value invStd = b.create<tosa::RsqrtOp>(
      loc, small, b.create<tosa::AddOp>(loc, small, var, splat(rank, eps)));
  Value scale = b.create<tosa::MulOp>(loc, small, gamma, invStd, kNoShift);
  Value centred = b.create<tosa::SubOp>(loc, type, input, mean);
  Value scaled = b.create<tosa::MulOp>(loc, type, centred, scale, kNoShift);
  (void)layer;
  return b.create<tosa::AddOp>(loc, type, scaled, beta);
}

Value ExpertEmitter::emitActivation(const std::string &kind, double slope,
                                    Value input) {
  Type type = input.getType();
  int64_t rank = cast<RankedTensorType>(type).getRank();
  if (kind == "none")
    return input;
  if (kind == "relu")
    return b.create<tosa::ClampOp>(
        loc, type, input, b.getI64IntegerAttr(0),
        b.getI64IntegerAttr(std::numeric_limits<int64_t>::max()),
        b.getF32FloatAttr(0.f),
        b.getF32FloatAttr(std::numeric_limits<float>::max()));
  if (kind == "sigmoid")
    return b.create<tosa::SigmoidOp>(loc, type, input);
  if (kind == "silu")
    return b.create<tosa::MulOp>(
        loc, type, input, b.create<tosa::SigmoidOp>(loc, type, input), kNoShift);
  // leaky_relu: max(x, slope·x) for slope <= 1, min otherwise.
  Value scaled = b.create<tosa::MulOp>(loc, type, input, splat(rank, slope), kNoShift);
  if (slope <= 1.0)
    return b.create<tosa::MaximumOp>(loc, type, input, scaled);
  return b.create<tosa::MinimumOp>(loc, type, input, scaled);
}

Value ExpertEmitter::emitDetect(const Layer &layer, Value input,
                                const Shape &in, const Shape &out) {
  std::string prefix = std::to_string(layer.index) + ".";
  int64_t height = in[1], width = in[2], attrs = out[3];
  int64_t stride = intField(layer, "stride", 1);
  const auto &anchors = layer.fields.at("anchors").matrix;
  // 1x1 convolution with bias to 3·(nc+5) channels.
  Value weights = weight(prefix + "weight", {3 * attrs, in[0], 1, 1});
  weights = transpose(weights, {0, 2, 3, 1});
  Value biases = weight(prefix + "bias", {3 * attrs});
  Value conv = b.create<tosa::Conv2DOp>(
      loc, f32({ShapedType::kDynamic, height, width, 3 * attrs}), input,
      weights, biases, b.getDenseI64ArrayAttr({0, 0, 0, 0}),
      b.getDenseI64ArrayAttr({1, 1}), b.getDenseI64ArrayAttr({1, 1}));
  // [B, H, W, 3, nc+5] -> [B, 3, H, W, nc+5], as PyTorch's view + permute.
  Value grid = reshape(conv, {height, width, 3, attrs});
  Value byAnchor = transpose(grid, {0, 3, 1, 2, 4});
  Value y = b.create<tosa::SigmoidOp>(loc, byAnchor.getType(), byAnchor);
  RankedTensorType full = cast<RankedTensorType>(y.getType());
  // xy = (2y - 0.5 + cell) · stride = y · 2·stride + (cell - 0.5) · stride
  std::vector<float> offsets;
  for (int64_t row = 0; row < height; ++row)
    for (int64_t col = 0; col < width; ++col) {
      offsets.push_back((float(col) - 0.5f) * float(stride));
      offsets.push_back((float(row) - 0.5f) * float(stride));
    }
  // wh = (2y)² · anchor = y² · 4·anchor
  std::vector<float> anchorScale;
  for (const auto &anchor : anchors) {
    anchorScale.push_back(4.f * float(anchor[0]));
    anchorScale.push_back(4.f * float(anchor[1]));
  }
  auto part = RankedTensorType::get(
      {ShapedType::kDynamic, 3, height, width, 2}, b.getF32Type());
  Value xy = slice(y, {0, 0, 0, 0, 0}, {-1, 3, height, width, 2});
  Value wh = slice(y, {0, 0, 0, 0, 2}, {-1, 3, height, width, 2});
  Value rest = slice(y, {0, 0, 0, 0, 4}, {-1, 3, height, width, attrs - 4});
  xy = b.create<tosa::AddOp>(
      loc, part,
      b.create<tosa::MulOp>(loc, part, xy, splat(5, 2.f * float(stride)), kNoShift),
      constant({1, 1, height, width, 2}, offsets));
  wh = b.create<tosa::MulOp>(
      loc, part, b.create<tosa::MulOp>(loc, part, wh, wh, 0),
      constant({1, 3, 1, 1, 2}, anchorScale), kNoShift);
  return b.create<tosa::ConcatOp>(loc, full, ValueRange{xy, wh, rest}, 4);
}

Value ExpertEmitter::emitLayer(const ResolvedLayer &resolvedLayer,
                               ArrayRef<Value> inputs) {
  const Layer &layer = *resolvedLayer.layer;
  const std::string &op = layer.op;
  const Shape &in = resolved.valueType(resolvedLayer.inputs[0]).shape;
  const Shape &out = resolvedLayer.result.shape;
  std::string prefix = std::to_string(layer.index) + ".";
  Value x = inputs[0];
  RankedTensorType type = batched(out);

  if (op == "conv2d")
    return emitConv(layer, x, in, out, prefix,
                    layer.fields.count("bias") ? layer.fields.at("bias").b
                                               : true);
  if (op == "conv") {
    Value y = emitConv(layer, x, in, out, prefix + "conv.", false);
    y = emitBatchNorm(layer, y, out, prefix + "bn.",
                      floatField(layer.fields, "eps", 1e-3));
    auto act = layer.fields.find("act");
    return emitActivation(act == layer.fields.end() ? "leaky_relu"
                                                    : act->second.s,
                          floatField(layer.fields, "slope", 0.1), y);
  }
  if (op == "batchnorm")
    return emitBatchNorm(layer, x, out, prefix,
                         floatField(layer.fields, "eps", 1e-5));
  if (op == "relu" || op == "sigmoid" || op == "silu")
    return emitActivation(op, 0, x);
  if (op == "leaky_relu")
    return emitActivation(op, floatField(layer.fields, "slope", 0.01), x);
  if (op == "dropout")
    return x; // identity at inference
  if (op == "maxpool" || op == "avgpool")
    return emitPool(layer, x, in, out);
  if (op == "global_avgpool")
    return b.create<tosa::AvgPool2dOp>(
        loc, type, x, b.getDenseI64ArrayAttr({in[1], in[2]}),
        b.getDenseI64ArrayAttr({1, 1}), b.getDenseI64ArrayAttr({0, 0, 0, 0}),
        TypeAttr::get(b.getF32Type()));
  if (op == "linear") {
    Value weights = weight(prefix + "weight", {out[0], in[0]});
    bool bias = layer.fields.count("bias") ? layer.fields.at("bias").b : true;
    Value biases = bias ? weight(prefix + "bias", {out[0]})
                        : zeros(out[0]);
    return b.create<tosa::FullyConnectedOp>(loc, type, x, weights, biases);
  }
  if (op == "flatten" || op == "reshape")
    return fromLogical(reshape(toLogical(x, in), out), out);
  if (op == "add")
    return b.create<tosa::AddOp>(loc, type, x, inputs[1]);
  if (op == "mul")
    return b.create<tosa::MulOp>(loc, type, x, inputs[1], kNoShift);
  if (op == "concat") {
    int64_t axis = physicalAxis(in.size(), intField(layer, "axis", 0));
    return b.create<tosa::ConcatOp>(loc, type, inputs, axis);
  }
  if (op == "softmax") {
    int32_t axis = (int32_t)physicalAxis(in.size(), intField(layer, "axis", -1));
    SmallVector<int64_t> reduced(type.getShape());
    reduced[axis] = 1;
    RankedTensorType reducedType = f32(reduced);
    Value max = b.create<tosa::ReduceMaxOp>(loc, reducedType, x,
                                            b.getI32IntegerAttr(axis));
    Value exp = b.create<tosa::ExpOp>(
        loc, type, b.create<tosa::SubOp>(loc, type, x, max));
    Value sum = b.create<tosa::ReduceSumOp>(loc, reducedType, exp,
                                            b.getI32IntegerAttr(axis));
    return b.create<tosa::MulOp>(
        loc, type, exp, b.create<tosa::ReciprocalOp>(loc, reducedType, sum), kNoShift);
  }
  if (op == "upsample") {
    // Nearest neighbour by broadcasting: [B,H,1,W,1,C] tiled s times.
    int64_t scale = intField(layer, "scale", 2);
    Value expanded = reshape(x, {in[1], 1, in[2], 1, in[0]});
    Value tiled = b.create<tosa::TileOp>(
        loc, f32({ShapedType::kDynamic, in[1], scale, in[2], scale, in[0]}),
        expanded, b.getDenseI64ArrayAttr({1, 1, scale, 1, scale, 1}));
    return reshape(tiled, physicalShape(out));
  }
  if (op == "detect")
    return emitDetect(layer, x, in, out);
  llvm_unreachable("layer op without an emitter; see LayerOps.cpp");
}

func::FuncOp ExpertEmitter::emit(Location funcLoc) {
  SmallVector<Type> inputTypes, resultTypes;
  for (const TensorInfo &input : resolved.inputs)
    inputTypes.push_back(physicalType(input, context));
  for (const TensorInfo &output : resolved.outputTypes)
    resultTypes.push_back(physicalType(output, context));
  auto fn = moduleBuilder.create<func::FuncOp>(
      funcLoc, name, FunctionType::get(context, inputTypes, resultTypes));
  fn.setPrivate();
  fn->setAttr("goe.module", b.getStringAttr(resolved.module->name));
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);

  std::vector<Value> values(entry->getArguments().begin(),
                            entry->getArguments().end());
  for (const ResolvedLayer &layer : resolved.layers) {
    loc = locOf(*layer.layer);
    SmallVector<Value> inputs;
    for (int id : layer.inputs)
      inputs.push_back(values[id]);
    values.push_back(emitLayer(layer, inputs));
  }
  SmallVector<Value> results;
  for (int id : resolved.outputs)
    results.push_back(values[id]);
  b.create<func::ReturnOp>(funcLoc, results);
  return fn;
}

} // namespace

namespace goe::spec {

func::FuncOp emitExpertFunction(OpBuilder &moduleBuilder, const Spec &spec,
                                const ResolvedModule &resolved, StringRef name,
                                Location loc) {
  return ExpertEmitter(moduleBuilder, spec, resolved, name).emit(loc);
}

} // namespace goe::spec
