//===- Linear.cpp - linear, flatten, reshape ------------------------------===//
//
// flatten and reshape work on the logical (channels-first) order, as
// PyTorch does: images are transposed back before and after.
//
//===----------------------------------------------------------------------===//

#include "goe/Frontends/Spec/ops/Linear.h"

#include "LayerEmitter.h"

using namespace mlir;

namespace goe::spec::ops {

LinearParams linearParams(const Layer &layer) {
  return {intField(layer, "out", 1), boolField(layer, "bias", true)};
}

namespace {

using F = FieldType;

FailureOr<Shape> linearShape(const ShapeCheck &check) {
  const Shape &in = check.in();
  if (in.size() != 1)
    return check.failAtLayer("linear reads a rank-1 tensor, got " +
                             formatShape(in) + "; add a flatten layer first");
  return Shape{linearParams(check.layer).out};
}

std::vector<Shape> linearWeights(const LayerShapes &layer) {
  std::vector<Shape> weights{{layer.result[0], layer.in()[0]}};
  if (linearParams(layer.layer).bias)
    weights.push_back({layer.result[0]});
  return weights;
}

int64_t linearMacs(const LayerShapes &layer) {
  return layer.result[0] * layer.in()[0];
}

Value emitLinear(LayerEmitter &e, const LayerShapes &layer,
                 ArrayRef<Value> inputs) {
  const Shape &in = layer.in(), &out = layer.result;
  Value weights = e.weight(layer.layer, "weight", {out[0], in[0]});
  Value biases = linearParams(layer.layer).bias
                     ? e.weight(layer.layer, "bias", {out[0]})
                     : e.zeros(out[0]);
  return e.b.create<tosa::FullyConnectedOp>(e.loc, e.batched(out), inputs[0],
                                            weights, biases);
}

FailureOr<Shape> flattenShape(const ShapeCheck &check) {
  return Shape{elementCount(check.in())};
}

FailureOr<Shape> reshapeShape(const ShapeCheck &check) {
  const Shape &in = check.in();
  const Field &shape = check.layer.fields.at("shape");
  const Shape &target = shape.list;
  if (elementCount(target) != elementCount(in))
    return check.fail(shape.loc, check.where() + ": cannot reshape " +
                                     formatShape(in) + " (" +
                                     std::to_string(elementCount(in)) +
                                     " elements) to " + formatShape(target) +
                                     " (" + std::to_string(elementCount(target)) +
                                     " elements)");
  return target;
}

Value emitReshape(LayerEmitter &e, const LayerShapes &layer,
                  ArrayRef<Value> inputs) {
  return e.fromLogical(
      e.reshape(e.toLogical(inputs[0], layer.in()), layer.result),
      layer.result);
}

} // namespace

const LayerOp linearOp{
    {"linear", 1, 1, {{"out", F::Size, true}, {"bias", F::Bool, false}}},
    linearShape,
    linearMacs,
    emitLinear,
    linearWeights};
const LayerOp flattenOp{
    {"flatten", 1, 1, {}}, flattenShape, noMacs, emitReshape};
const LayerOp reshapeOp{{"reshape", 1, 1, {{"shape", F::Sizes, true}}},
                        reshapeShape, noMacs, emitReshape};

std::vector<const LayerOp *> linearOps() {
  return {&linearOp, &flattenOp, &reshapeOp};
}

} // namespace goe::spec::ops
