//===- Merge.cpp - add, mul, concat ---------------------------------------===//

#include "goe/Frontends/Spec/ops/Merge.h"

#include "LayerEmitter.h"

using namespace mlir;

namespace goe::spec::ops {

int64_t concatAxis(const Layer &layer) { return intField(layer, "axis", 0); }

namespace {

using F = FieldType;

FailureOr<Shape> equalShapes(const ShapeCheck &check) {
  const Shape &in = check.in(), &other = check.inputs[1].shape;
  if (other != in)
    return check.failAtLayer(check.layer.op + " needs equal shapes, got " +
                             formatShape(in) + " and " + formatShape(other));
  return in;
}

Value emitAdd(LayerEmitter &e, const LayerShapes &layer,
              ArrayRef<Value> inputs) {
  return e.b.create<tosa::AddOp>(e.loc, e.batched(layer.result), inputs[0],
                                 inputs[1]);
}

Value emitMul(LayerEmitter &e, const LayerShapes &layer,
              ArrayRef<Value> inputs) {
  return e.b.create<tosa::MulOp>(e.loc, e.batched(layer.result), inputs[0],
                                 inputs[1], kNoShift);
}

FailureOr<Shape> concatShape(const ShapeCheck &check) {
  const Shape &in = check.in();
  int64_t rank = (int64_t)in.size();
  int64_t axis = concatAxis(check.layer);
  if (axis < -rank || axis >= rank)
    return check.fail(check.fieldLoc("axis"),
                      check.where() + ": axis " + std::to_string(axis) +
                          " is out of range for shape " + formatShape(in));
  axis = (axis + rank) % rank;
  Shape result = in;
  for (size_t i = 1; i < check.inputs.size(); ++i) {
    const Shape &other = check.inputs[i].shape;
    bool same = other.size() == in.size();
    for (int64_t d = 0; same && d < rank; ++d)
      same = d == axis || other[d] == in[d];
    if (!same)
      return check.failAtLayer("concat along axis " + std::to_string(axis) +
                               " needs the other dimensions equal, got " +
                               formatShape(in) + " and " + formatShape(other));
    result[axis] += other[axis];
  }
  return result;
}

Value emitConcat(LayerEmitter &e, const LayerShapes &layer,
                 ArrayRef<Value> inputs) {
  int64_t axis = physicalAxis(layer.in().size(), concatAxis(layer.layer));
  return e.b.create<tosa::ConcatOp>(e.loc, e.batched(layer.result), inputs,
                                    axis);
}

} // namespace

const LayerOp addOp{{"add", 2, 2, {}}, equalShapes, noMacs, emitAdd};
const LayerOp mulOp{{"mul", 2, 2, {}}, equalShapes, noMacs, emitMul};
const LayerOp concatOp{{"concat", 2, -1, {{"axis", F::Signed, false}}},
                       concatShape, noMacs, emitConcat};

std::vector<const LayerOp *> mergeOps() { return {&addOp, &mulOp, &concatOp}; }

} // namespace goe::spec::ops
