//===- Activations.cpp - relu, sigmoid, silu, leaky_relu, softmax ---------===//

#include "goe/Frontends/Spec/ops/Activations.h"

#include "LayerEmitter.h"

#include <limits>

using namespace mlir;

namespace goe::spec::ops {
namespace {

/// Activation kinds by name, in the order messages list them.
const std::vector<std::pair<const char *, Activation>> kActivations = {
    {"leaky_relu", Activation::LeakyRelu},
    {"relu", Activation::Relu},
    {"silu", Activation::Silu},
    {"sigmoid", Activation::Sigmoid},
    {"none", Activation::None}};

} // namespace

std::optional<Activation> activationNamed(const std::string &name) {
  for (const auto &[known, kind] : kActivations)
    if (name == known)
      return kind;
  return std::nullopt;
}

std::string activationNames() {
  std::string names;
  for (size_t i = 0; i < kActivations.size(); ++i)
    names += std::string(i == 0                        ? ""
                         : i + 1 == kActivations.size() ? " or "
                                                        : ", ") +
             kActivations[i].first;
  return names;
}

ActivationParams activationParams(const Layer &layer) {
  ActivationParams p{activationNamed(layer.op).value_or(Activation::None), 0};
  if (p.kind == Activation::LeakyRelu)
    p.slope = floatField(layer.fields, "slope", 0.01);
  return p;
}

int64_t softmaxAxis(const Layer &layer) { return intField(layer, "axis", -1); }

} // namespace goe::spec::ops

namespace goe::spec {

Value emitActivation(LayerEmitter &e, ops::Activation kind, double slope,
                     Value input) {
  using ops::Activation;
  OpBuilder &b = e.b;
  Location loc = e.loc;
  Type type = input.getType();
  int64_t rank = cast<RankedTensorType>(type).getRank();
  switch (kind) {
  case Activation::None:
    return input;
  case Activation::Relu:
    return b.create<tosa::ClampOp>(
        loc, type, input, b.getI64IntegerAttr(0),
        b.getI64IntegerAttr(std::numeric_limits<int64_t>::max()),
        b.getF32FloatAttr(0.f),
        b.getF32FloatAttr(std::numeric_limits<float>::max()));
  case Activation::Sigmoid:
    return b.create<tosa::SigmoidOp>(loc, type, input);
  case Activation::Silu:
    return b.create<tosa::MulOp>(loc, type, input,
                                 b.create<tosa::SigmoidOp>(loc, type, input),
                                 kNoShift);
  case Activation::LeakyRelu:
    break;
  }
  // leaky_relu: max(x, slope·x) for slope <= 1, min otherwise.
  Value scaled = b.create<tosa::MulOp>(loc, type, input,
                                       e.splat(rank, slope), kNoShift);
  if (slope <= 1.0)
    return b.create<tosa::MaximumOp>(loc, type, input, scaled);
  return b.create<tosa::MinimumOp>(loc, type, input, scaled);
}

} // namespace goe::spec

namespace goe::spec::ops {
namespace {

using F = FieldType;

FailureOr<Shape> sameShape(const ShapeCheck &check) { return check.in(); }

Value emitElementwise(LayerEmitter &e, const LayerShapes &layer,
                      ArrayRef<Value> inputs) {
  ActivationParams p = activationParams(layer.layer);
  return emitActivation(e, p.kind, p.slope, inputs[0]);
}

FailureOr<Shape> softmaxShape(const ShapeCheck &check) {
  const Shape &in = check.in();
  int64_t rank = (int64_t)in.size();
  int64_t axis = softmaxAxis(check.layer);
  if (axis < -rank || axis >= rank)
    return check.fail(check.fieldLoc("axis"),
                      check.where() + ": axis " + std::to_string(axis) +
                          " is out of range for shape " + formatShape(in));
  return in;
}

/// exp(x - max) / sum along the axis, max-shifted for stability.
Value emitSoftmax(LayerEmitter &e, const LayerShapes &layer,
                  ArrayRef<Value> inputs) {
  OpBuilder &b = e.b;
  Location loc = e.loc;
  Value x = inputs[0];
  RankedTensorType type = e.batched(layer.result);
  int32_t axis = (int32_t)physicalAxis(layer.in().size(),
                                       softmaxAxis(layer.layer));
  SmallVector<int64_t> reduced(type.getShape());
  reduced[axis] = 1;
  RankedTensorType reducedType = e.f32(reduced);
  Value max = b.create<tosa::ReduceMaxOp>(loc, reducedType, x,
                                          b.getI32IntegerAttr(axis));
  Value exp =
      b.create<tosa::ExpOp>(loc, type, b.create<tosa::SubOp>(loc, type, x, max));
  Value sum = b.create<tosa::ReduceSumOp>(loc, reducedType, exp,
                                          b.getI32IntegerAttr(axis));
  return b.create<tosa::MulOp>(
      loc, type, exp, b.create<tosa::ReciprocalOp>(loc, reducedType, sum),
      kNoShift);
}

} // namespace

const LayerOp reluOp{{"relu", 1, 1, {}}, sameShape, noMacs, emitElementwise};
const LayerOp sigmoidOp{
    {"sigmoid", 1, 1, {}}, sameShape, noMacs, emitElementwise};
const LayerOp siluOp{{"silu", 1, 1, {}}, sameShape, noMacs, emitElementwise};
const LayerOp leakyReluOp{{"leaky_relu", 1, 1, {{"slope", F::Float, false}}},
                          sameShape, noMacs, emitElementwise};
const LayerOp softmaxOp{{"softmax", 1, 1, {{"axis", F::Signed, false}}},
                        softmaxShape, noMacs, emitSoftmax};

std::vector<const LayerOp *> activationOps() {
  return {&reluOp, &sigmoidOp, &siluOp, &leakyReluOp, &softmaxOp};
}

} // namespace goe::spec::ops
