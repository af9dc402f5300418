//===- Convolution.cpp - conv2d, conv (conv + batch norm + act) -----------===//
//
// Weights are PyTorch's OIHW, named `<layer>.weight` / `<layer>.bias` for
// conv2d and `<layer>.conv.weight` + `<layer>.bn.*` for conv; the emission
// transposes them to TOSA's OHWI (constant folding removes the transpose).
//
//===----------------------------------------------------------------------===//

#include "goe/Frontends/Spec/ops/Convolution.h"

#include "LayerEmitter.h"

using namespace mlir;

namespace goe::spec::ops {

ConvParams convParams(const Layer &layer) {
  ConvParams p;
  p.out = intField(layer, "out", 1);
  p.kernel = intField(layer, "kernel", 1);
  p.stride = intField(layer, "stride", 1);
  p.padding = intField(layer, "padding", p.kernel / 2);
  p.groups = intField(layer, "groups", 1);
  p.bias = boolField(layer, "bias", true);
  return p;
}

ConvBlockParams convBlockParams(const Layer &layer) {
  ConvBlockParams p;
  p.norm.eps = floatField(layer.fields, "eps", 1e-3);
  p.norm.momentum = floatField(layer.fields, "momentum", 0.03);
  // The shape rule has checked the name.
  p.act = activationNamed(strField(layer, "act", "leaky_relu"))
              .value_or(Activation::None);
  p.slope = floatField(layer.fields, "slope", 0.1);
  return p;
}

namespace {

using F = FieldType;

const std::vector<FieldSpec> kConvFields = {
    {"out", F::Size, true},      {"kernel", F::Size, true},
    {"stride", F::Size, false},  {"padding", F::Count, false},
    {"groups", F::Size, false},  {"bias", F::Bool, false}};

std::vector<FieldSpec> convBlockFields() {
  std::vector<FieldSpec> fields = kConvFields;
  fields.push_back({"act", F::Str, false});
  fields.push_back({"slope", F::Float, false});
  fields.push_back({"eps", F::Float, false});
  fields.push_back({"momentum", F::Float, false});
  return fields;
}

FailureOr<Shape> convShape(const ShapeCheck &check) {
  const Layer &layer = check.layer;
  const Shape &in = check.in();
  if (failed(check.expectRank(3, "an image [C, H, W]")))
    return failure();
  ConvParams p = convParams(layer);
  if (in[0] % p.groups != 0 || p.out % p.groups != 0)
    return check.fail(layer.loc,
                      check.where() + ": groups " + std::to_string(p.groups) +
                          " must divide the input channels (" +
                          std::to_string(in[0]) +
                          ") and the output channels (" +
                          std::to_string(p.out) + ")");
  auto act = layer.fields.find("act");
  if (act != layer.fields.end() && !activationNamed(act->second.s))
    return check.fail(act->second.loc, "act must be " + activationNames() +
                                           ", got '" + act->second.s + "'");
  return check.windowShape(p.out, in, p.kernel, p.stride, p.padding);
}

/// conv2d: OIHW weight (input channels per group) and bias.
std::vector<Shape> conv2dWeights(const LayerShapes &layer) {
  ConvParams p = convParams(layer.layer);
  std::vector<Shape> weights{
      {p.out, layer.in()[0] / p.groups, p.kernel, p.kernel}};
  if (p.bias)
    weights.push_back({p.out});
  return weights;
}

/// conv: the convolution without bias, then batch norm's four vectors.
std::vector<Shape> convBlockWeights(const LayerShapes &layer) {
  ConvParams p = convParams(layer.layer);
  std::vector<Shape> weights{
      {p.out, layer.in()[0] / p.groups, p.kernel, p.kernel}};
  weights.insert(weights.end(), 4, Shape{p.out});
  return weights;
}

/// Every output element sums kernel x kernel x (input channels / groups).
int64_t convMacs(const LayerShapes &layer) {
  ConvParams p = convParams(layer.layer);
  const Shape &out = layer.result;
  return out[0] * out[1] * out[2] * p.kernel * p.kernel *
         (layer.in()[0] / p.groups);
}

Value emitConvolution(LayerEmitter &e, const LayerShapes &layer, Value input,
                      const std::string &prefix, bool bias) {
  OpBuilder &b = e.b;
  Location loc = e.loc;
  ConvParams p = convParams(layer.layer);
  const Shape &in = layer.in(), &out = layer.result;
  int64_t kernel = p.kernel, stride = p.stride;
  int64_t cin = in[0] / p.groups, cout = out[0];
  Window h = fitWindow(in[1], kernel, stride, p.padding);
  Window w = fitWindow(in[2], kernel, stride, p.padding);
  if (h.crop || w.crop)
    input = e.slice(input, {0, 0, 0, 0},
                    {-1, in[1] - h.crop, in[2] - w.crop, in[0]});

  Value weights =
      e.weight(layer.layer, prefix + "weight", {cout, cin, kernel, kernel});
  weights = e.transpose(weights, {0, 2, 3, 1}); // OIHW -> OHWI
  Value biases =
      bias ? e.weight(layer.layer, prefix + "bias", {cout}) : e.zeros(cout);
  auto convolve = [&](Value x, Value wt, Value bs, int64_t channels) -> Value {
    return b.create<tosa::Conv2DOp>(
        loc, e.f32({ShapedType::kDynamic, out[1], out[2], channels}), x, wt,
        bs,
        b.getDenseI64ArrayAttr({h.padBefore, h.padAfter, w.padBefore,
                                w.padAfter}),
        b.getDenseI64ArrayAttr({stride, stride}),
        b.getDenseI64ArrayAttr({1, 1}));
  };
  if (p.groups == 1)
    return convolve(input, weights, biases, cout);
  // Grouped convolution: one convolution per channel group, then concat.
  int64_t gout = cout / p.groups;
  int64_t height = in[1] - h.crop, width = in[2] - w.crop;
  SmallVector<Value> parts;
  for (int64_t g = 0; g < p.groups; ++g) {
    Value x = e.slice(input, {0, 0, 0, g * cin}, {-1, height, width, cin});
    Value wt = b.create<tosa::SliceOp>(
        loc, e.f32({gout, kernel, kernel, cin}), weights,
        b.getDenseI64ArrayAttr({g * gout, 0, 0, 0}),
        b.getDenseI64ArrayAttr({gout, kernel, kernel, cin}));
    Value bs = b.create<tosa::SliceOp>(loc, e.f32({gout}), biases,
                                       b.getDenseI64ArrayAttr({g * gout}),
                                       b.getDenseI64ArrayAttr({gout}));
    parts.push_back(convolve(x, wt, bs, gout));
  }
  return b.create<tosa::ConcatOp>(
      loc, e.f32({ShapedType::kDynamic, out[1], out[2], cout}), parts, 3);
}

Value emitConv2d(LayerEmitter &e, const LayerShapes &layer,
                 ArrayRef<Value> inputs) {
  return emitConvolution(e, layer, inputs[0], "",
                         convParams(layer.layer).bias);
}

Value emitConvBlock(LayerEmitter &e, const LayerShapes &layer,
                    ArrayRef<Value> inputs) {
  ConvBlockParams p = convBlockParams(layer.layer);
  Value y = emitConvolution(e, layer, inputs[0], "conv.", /*bias=*/false);
  y = emitBatchNorm(e, layer.layer, y, layer.result, "bn.", p.norm.eps);
  return emitActivation(e, p.act, p.slope, y);
}

} // namespace

const LayerOp conv2dOp{{"conv2d", 1, 1, kConvFields}, convShape, convMacs,
                       emitConv2d, conv2dWeights};
const LayerOp convOp{{"conv", 1, 1, convBlockFields()}, convShape, convMacs,
                     emitConvBlock, convBlockWeights};

std::vector<const LayerOp *> convolutionOps() { return {&conv2dOp, &convOp}; }

} // namespace goe::spec::ops
