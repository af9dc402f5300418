//===- Detection.cpp - detect (a YOLO detection head) ---------------------===//
//
// Per grid cell and anchor: xy = (2·sigmoid - 0.5 + cell) · stride,
// wh = (2·sigmoid)² · anchor, objectness and classes stay sigmoid.
//
//===----------------------------------------------------------------------===//

#include "goe/Frontends/Spec/ops/Detection.h"

#include "LayerEmitter.h"

using namespace mlir;

namespace goe::spec::ops {

DetectParams detectParams(const Layer &layer) {
  return {intField(layer, "nc", 1), intField(layer, "stride", 1),
          layer.fields.at("anchors").matrix};
}

namespace {

using F = FieldType;

FailureOr<Shape> detectShape(const ShapeCheck &check) {
  const Shape &in = check.in();
  if (failed(check.expectRank(3, "an image [C, H, W]")))
    return failure();
  const Field &anchors = check.layer.fields.at("anchors");
  if (anchors.matrix.size() != 3)
    return check.fail(anchors.loc,
                      check.where() + ": detect needs 3 anchors per level, "
                                      "got " +
                          std::to_string(anchors.matrix.size()));
  int64_t attrs = detectParams(check.layer).classes + 5;
  return Shape{3, in[1], in[2], attrs};
}

/// The 1x1 convolution's weight and bias.
std::vector<Shape> detectWeights(const LayerShapes &layer) {
  int64_t channels = 3 * layer.result[3];
  return {{channels, layer.in()[0], 1, 1}, {channels}};
}

/// The 1x1 convolution: every output element sums the input channels.
int64_t detectMacs(const LayerShapes &layer) {
  const Shape &in = layer.in();
  return 3 * layer.result[3] * in[1] * in[2] * in[0];
}

Value emitDetect(LayerEmitter &e, const LayerShapes &layer,
                 ArrayRef<Value> inputs) {
  OpBuilder &b = e.b;
  Location loc = e.loc;
  DetectParams p = detectParams(layer.layer);
  const Shape &in = layer.in();
  int64_t height = in[1], width = in[2], attrs = layer.result[3];
  // 1x1 convolution with bias to 3·(nc+5) channels.
  Value weights = e.weight(layer.layer, "weight", {3 * attrs, in[0], 1, 1});
  weights = e.transpose(weights, {0, 2, 3, 1});
  Value biases = e.weight(layer.layer, "bias", {3 * attrs});
  Value conv = b.create<tosa::Conv2DOp>(
      loc, e.f32({ShapedType::kDynamic, height, width, 3 * attrs}), inputs[0],
      weights, biases, b.getDenseI64ArrayAttr({0, 0, 0, 0}),
      b.getDenseI64ArrayAttr({1, 1}), b.getDenseI64ArrayAttr({1, 1}));
  // [B, H, W, 3, nc+5] -> [B, 3, H, W, nc+5], as PyTorch's view + permute.
  Value grid = e.reshape(conv, {height, width, 3, attrs});
  Value byAnchor = e.transpose(grid, {0, 3, 1, 2, 4});
  Value y = b.create<tosa::SigmoidOp>(loc, byAnchor.getType(), byAnchor);
  RankedTensorType full = cast<RankedTensorType>(y.getType());
  // xy = (2y - 0.5 + cell) · stride = y · 2·stride + (cell - 0.5) · stride
  float stride = float(p.stride);
  std::vector<float> offsets;
  for (int64_t row = 0; row < height; ++row)
    for (int64_t col = 0; col < width; ++col) {
      offsets.push_back((float(col) - 0.5f) * stride);
      offsets.push_back((float(row) - 0.5f) * stride);
    }
  // wh = (2y)² · anchor = y² · 4·anchor
  std::vector<float> anchorScale;
  for (const auto &anchor : p.anchors) {
    anchorScale.push_back(4.f * float(anchor[0]));
    anchorScale.push_back(4.f * float(anchor[1]));
  }
  auto part = RankedTensorType::get(
      {ShapedType::kDynamic, 3, height, width, 2}, b.getF32Type());
  Value xy = e.slice(y, {0, 0, 0, 0, 0}, {-1, 3, height, width, 2});
  Value wh = e.slice(y, {0, 0, 0, 0, 2}, {-1, 3, height, width, 2});
  Value rest = e.slice(y, {0, 0, 0, 0, 4}, {-1, 3, height, width, attrs - 4});
  xy = b.create<tosa::AddOp>(
      loc, part,
      b.create<tosa::MulOp>(loc, part, xy, e.splat(5, 2.f * stride),
                            kNoShift),
      e.constant({1, 1, height, width, 2}, offsets));
  wh = b.create<tosa::MulOp>(
      loc, part, b.create<tosa::MulOp>(loc, part, wh, wh, 0),
      e.constant({1, 3, 1, 1, 2}, anchorScale), kNoShift);
  return b.create<tosa::ConcatOp>(loc, full, ValueRange{xy, wh, rest}, 4);
}

} // namespace

const LayerOp detectOp{{"detect",
                        1,
                        1,
                        {{"nc", F::Size, true},
                         {"anchors", F::Pairs, true},
                         {"stride", F::Size, true}}},
                       detectShape,
                       detectMacs,
                       emitDetect,
                       detectWeights};

std::vector<const LayerOp *> detectionOps() { return {&detectOp}; }

} // namespace goe::spec::ops
