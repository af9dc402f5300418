//===- Normalization.cpp - batchnorm, dropout -----------------------------===//

#include "goe/Frontends/Spec/ops/Normalization.h"

#include "LayerEmitter.h"

using namespace mlir;

namespace goe::spec::ops {

BatchNormParams batchNormParams(const Layer &layer) {
  return {floatField(layer.fields, "eps", 1e-5),
          floatField(layer.fields, "momentum", 0.1)};
}

double dropoutP(const Layer &layer) {
  return floatField(layer.fields, "p", 0.5);
}

} // namespace goe::spec::ops

namespace goe::spec {

Value emitBatchNorm(LayerEmitter &e, const Layer &layer, Value input,
                    const Shape &shape, const std::string &prefix,
                    double eps) {
  OpBuilder &b = e.b;
  Location loc = e.loc;
  int64_t channels = shape[0];
  int64_t rank = (int64_t)physicalShape(shape).size() + 1;
  auto perChannel = [&](const std::string &param) {
    SmallVector<int64_t> ones(rank, 1);
    ones.back() = channels;
    Value value = e.weight(layer, prefix + param, {channels});
    return b.create<tosa::ReshapeOp>(loc, e.f32(ones), value,
                                     b.getDenseI64ArrayAttr(ones))
        .getResult();
  };
  Value gamma = perChannel("weight"), beta = perChannel("bias");
  Value mean = perChannel("running_mean"), var = perChannel("running_var");
  Type type = input.getType();
  Type small = gamma.getType();
  // y = (x - mean) * gamma / sqrt(var + eps) + beta
  Value invStd = b.create<tosa::RsqrtOp>(
      loc, small, b.create<tosa::AddOp>(loc, small, var, e.splat(rank, eps)));
  Value scale = b.create<tosa::MulOp>(loc, small, gamma, invStd, kNoShift);
  Value centred = b.create<tosa::SubOp>(loc, type, input, mean);
  Value scaled = b.create<tosa::MulOp>(loc, type, centred, scale, kNoShift);
  return b.create<tosa::AddOp>(loc, type, scaled, beta);
}

} // namespace goe::spec

namespace goe::spec::ops {
namespace {

using F = FieldType;

FailureOr<Shape> batchNormShape(const ShapeCheck &check) {
  const Shape &in = check.in();
  if (in.size() != 1 && in.size() != 3)
    return check.failAtLayer("batchnorm reads [C] or [C, H, W], got " +
                             formatShape(in));
  return in;
}

Value emitBatchNormLayer(LayerEmitter &e, const LayerShapes &layer,
                         ArrayRef<Value> inputs) {
  return emitBatchNorm(e, layer.layer, inputs[0], layer.result, "",
                       batchNormParams(layer.layer).eps);
}

/// weight, bias, running_mean, running_var: one value per channel.
std::vector<Shape> batchNormWeights(const LayerShapes &layer) {
  return std::vector<Shape>(4, Shape{layer.in()[0]});
}

FailureOr<Shape> sameShape(const ShapeCheck &check) { return check.in(); }

Value identity(LayerEmitter &, const LayerShapes &, ArrayRef<Value> inputs) {
  return inputs[0]; // dropout is the identity at inference
}

} // namespace

const LayerOp batchNormOp{
    {"batchnorm", 1, 1,
     {{"eps", F::Float, false}, {"momentum", F::Float, false}}},
    batchNormShape,
    noMacs,
    emitBatchNormLayer,
    batchNormWeights};
const LayerOp dropoutOp{
    {"dropout", 1, 1, {{"p", F::Float, false}}}, sameShape, noMacs, identity};

std::vector<const LayerOp *> normalizationOps() {
  return {&batchNormOp, &dropoutOp};
}

} // namespace goe::spec::ops
