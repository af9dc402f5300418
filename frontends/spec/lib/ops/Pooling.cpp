//===- Pooling.cpp - maxpool, avgpool, global_avgpool, upsample -----------===//
//
// Windows follow PyTorch: floor rule (ceil_mode false), maxpool pads with
// -inf, avgpool averages the real elements only (count_include_pad false).
//
//===----------------------------------------------------------------------===//

#include "goe/Frontends/Spec/ops/Pooling.h"

#include "LayerEmitter.h"

using namespace mlir;

namespace goe::spec::ops {

PoolParams poolParams(const Layer &layer) {
  PoolParams p;
  p.kernel = intField(layer, "kernel", 1);
  p.stride = intField(layer, "stride", p.kernel);
  p.padding = intField(layer, "padding", 0);
  return p;
}

int64_t upsampleScale(const Layer &layer) {
  return intField(layer, "scale", 2);
}

namespace {

using F = FieldType;

const std::vector<FieldSpec> kPoolFields = {{"kernel", F::Size, true},
                                            {"stride", F::Size, false},
                                            {"padding", F::Count, false}};

const char *kImage = "an image [C, H, W]";

FailureOr<Shape> poolShape(const ShapeCheck &check) {
  const Shape &in = check.in();
  if (failed(check.expectRank(3, kImage)))
    return failure();
  PoolParams p = poolParams(check.layer);
  if (p.padding * 2 > p.kernel)
    return check.failAtLayer("padding " + std::to_string(p.padding) +
                             " must be at most half the kernel " +
                             std::to_string(p.kernel));
  return check.windowShape(in[0], in, p.kernel, p.stride, p.padding);
}

/// The window of `layer` in TOSA's terms: its input, cropped when the
/// floor rule drops rows, and the attributes.
struct TosaWindow {
  Value input;
  DenseI64ArrayAttr kernel, stride, pad;
};
TosaWindow tosaWindow(LayerEmitter &e, const LayerShapes &layer,
                      Value input) {
  PoolParams p = poolParams(layer.layer);
  const Shape &in = layer.in();
  Window h = fitWindow(in[1], p.kernel, p.stride, p.padding);
  Window w = fitWindow(in[2], p.kernel, p.stride, p.padding);
  if (h.crop || w.crop)
    input = e.slice(input, {0, 0, 0, 0},
                    {-1, in[1] - h.crop, in[2] - w.crop, in[0]});
  return {input, e.b.getDenseI64ArrayAttr({p.kernel, p.kernel}),
          e.b.getDenseI64ArrayAttr({p.stride, p.stride}),
          e.b.getDenseI64ArrayAttr(
              {h.padBefore, h.padAfter, w.padBefore, w.padAfter})};
}

Value emitMaxPool(LayerEmitter &e, const LayerShapes &layer,
                  ArrayRef<Value> inputs) {
  TosaWindow window = tosaWindow(e, layer, inputs[0]);
  return e.b.create<tosa::MaxPool2dOp>(e.loc, e.batched(layer.result),
                                       window.input, window.kernel,
                                       window.stride, window.pad);
}

Value emitAvgPool(LayerEmitter &e, const LayerShapes &layer,
                  ArrayRef<Value> inputs) {
  TosaWindow window = tosaWindow(e, layer, inputs[0]);
  return e.b.create<tosa::AvgPool2dOp>(
      e.loc, e.batched(layer.result), window.input, window.kernel,
      window.stride, window.pad, TypeAttr::get(e.b.getF32Type()));
}

FailureOr<Shape> globalAvgPoolShape(const ShapeCheck &check) {
  if (failed(check.expectRank(3, kImage)))
    return failure();
  return Shape{check.in()[0], 1, 1};
}

Value emitGlobalAvgPool(LayerEmitter &e, const LayerShapes &layer,
                        ArrayRef<Value> inputs) {
  OpBuilder &b = e.b;
  const Shape &in = layer.in();
  return b.create<tosa::AvgPool2dOp>(
      e.loc, e.batched(layer.result), inputs[0],
      b.getDenseI64ArrayAttr({in[1], in[2]}), b.getDenseI64ArrayAttr({1, 1}),
      b.getDenseI64ArrayAttr({0, 0, 0, 0}), TypeAttr::get(b.getF32Type()));
}

FailureOr<Shape> upsampleShape(const ShapeCheck &check) {
  const Shape &in = check.in();
  if (failed(check.expectRank(3, kImage)))
    return failure();
  int64_t scale = upsampleScale(check.layer);
  return Shape{in[0], in[1] * scale, in[2] * scale};
}

/// Nearest neighbour by broadcasting: [B,H,1,W,1,C] tiled s times.
Value emitUpsample(LayerEmitter &e, const LayerShapes &layer,
                   ArrayRef<Value> inputs) {
  const Shape &in = layer.in();
  int64_t scale = upsampleScale(layer.layer);
  Value expanded = e.reshape(inputs[0], {in[1], 1, in[2], 1, in[0]});
  Value tiled = e.b.create<tosa::TileOp>(
      e.loc, e.f32({ShapedType::kDynamic, in[1], scale, in[2], scale, in[0]}),
      expanded, e.b.getDenseI64ArrayAttr({1, 1, scale, 1, scale, 1}));
  return e.reshape(tiled, physicalShape(layer.result));
}

} // namespace

const LayerOp maxPoolOp{
    {"maxpool", 1, 1, kPoolFields}, poolShape, noMacs, emitMaxPool};
const LayerOp avgPoolOp{
    {"avgpool", 1, 1, kPoolFields}, poolShape, noMacs, emitAvgPool};
const LayerOp globalAvgPoolOp{{"global_avgpool", 1, 1, {}},
                              globalAvgPoolShape, noMacs, emitGlobalAvgPool};
const LayerOp upsampleOp{{"upsample", 1, 1, {{"scale", F::Size, false}}},
                         upsampleShape, noMacs, emitUpsample};

std::vector<const LayerOp *> poolingOps() {
  return {&maxPoolOp, &avgPoolOp, &globalAvgPoolOp, &upsampleOp};
}

} // namespace goe::spec::ops
