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
  // One elementwise formula over all nc+5 attributes, so that the decode
  // fuses into a single pass (slices and a concat were five):
  //   out = (y·y)·Q + y·A + C
  // xy (k < 2): Q = 0, A = 2·stride, C = (cell - 0.5)·stride, which is
  //             (2y - 0.5 + cell)·stride;
  // wh (k 2-3): Q = 4·anchor, A = 0, C = 0, which is (2y)²·anchor;
  // rest:       Q = 0, A = 1, C = 0.
  // y is a sigmoid, finite, so the zero terms are exact zeros and each
  // part rounds as the separate formulas did. C, with the cell's column
  // and row, is col·GX + row·GY + G0 from small broadcast constants.
  float stride = float(p.stride);
  std::vector<float> quadratic(3 * attrs, 0.f), linear(3 * attrs, 1.f);
  for (int64_t a = 0; a < 3; ++a) {
    float *q = &quadratic[a * attrs], *l = &linear[a * attrs];
    l[0] = l[1] = 2.f * stride;
    l[2] = l[3] = 0.f;
    q[2] = 4.f * float(p.anchors[a][0]);
    q[3] = 4.f * float(p.anchors[a][1]);
  }
  std::vector<float> perColumn(attrs, 0.f), perRow(attrs, 0.f),
      base(attrs, 0.f), columns, rows;
  perColumn[0] = perRow[1] = stride;
  base[0] = base[1] = -0.5f * stride;
  for (int64_t col = 0; col < width; ++col)
    columns.push_back(float(col));
  for (int64_t row = 0; row < height; ++row)
    rows.push_back(float(row));

  auto mul = [&](Value x, Value z) {
    return b.create<tosa::MulOp>(loc, full, x, z, kNoShift).getResult();
  };
  auto add = [&](Value x, Value z) {
    return b.create<tosa::AddOp>(loc, full, x, z).getResult();
  };
  // index · perAttribute for the cell's column or row: [1, 1, H|1, W|1, 1]
  // times [1, 1, 1, 1, nc+5].
  auto cellPart = [&](ArrayRef<int64_t> shape, ArrayRef<float> indexes,
                      ArrayRef<float> perAttribute) {
    auto product = RankedTensorType::get({1, 1, shape[2], shape[3], attrs},
                                         b.getF32Type());
    return b
        .create<tosa::MulOp>(loc, product, e.constant(shape, indexes),
                             e.constant({1, 1, 1, 1, attrs}, perAttribute),
                             kNoShift)
        .getResult();
  };
  Value cellColumns = cellPart({1, 1, 1, width, 1}, columns, perColumn);
  Value cellRows = cellPart({1, 1, height, 1, 1}, rows, perRow);
  Value cellOffsets = b.create<tosa::AddOp>(
      loc, RankedTensorType::get({1, 1, height, width, attrs}, b.getF32Type()),
      cellColumns, cellRows);
  cellOffsets = b.create<tosa::AddOp>(
      loc, cellOffsets.getType(), cellOffsets,
      e.constant({1, 1, 1, 1, attrs}, base));
  Value squares = mul(mul(y, y), e.constant({1, 3, 1, 1, attrs}, quadratic));
  Value lines = mul(y, e.constant({1, 3, 1, 1, attrs}, linear));
  return add(add(squares, lines), cellOffsets);
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
