//===- Combine.cpp - merging the k chosen paths' results ----------------===//

#include "Combine.h"

#include <cstring>

namespace goe::runtime::detail {
namespace {

std::vector<int64_t> withoutSlotDim(const std::vector<int64_t> &shape) {
  std::vector<int64_t> out = shape;
  out.erase(out.begin() + 1);
  return out;
}

} // namespace

StatusOr<Tensor> combineSelect(const Tensor &stacked) {
  StatusOr<Tensor> out =
      Tensor::uninitialized(stacked.dtype(), withoutSlotDim(stacked.shape()));
  if (out.ok() && out->byteSize())
    std::memcpy(out->data(), stacked.data(), out->byteSize());
  return out;
}

StatusOr<Tensor> combineWeightedSum(const Tensor &stacked,
                                    const RouteDecision &routing) {
  StatusOr<Tensor> out =
      Tensor::zeros(DType::F32, withoutSlotDim(stacked.shape()));
  if (!out.ok())
    return out;
  int64_t batch = stacked.shape()[0];
  int64_t k = stacked.shape()[1];
  int64_t item = batch * k != 0 ? stacked.numel() / (batch * k) : 0;
  const float *x = stacked.f32();
  float *y = out->f32();
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t j = 0; j < k; ++j) {
      float w = routing.weight(b, j);
      const float *src = x + (b * k + j) * item;
      float *dst = y + b * item;
      for (int64_t e = 0; e < item; ++e)
        dst[e] += w * src[e];
    }
  }
  return out;
}

StatusOr<Tensor> combineImportanceMix(const Tensor &baseline,
                                      const Tensor &scores,
                                      const Tensor &importance) {
  StatusOr<Tensor> out = Tensor::uninitialized(DType::F32, baseline.shape());
  if (!out.ok())
    return out;
  const float *base = baseline.f32();
  const float *score = scores.f32();
  const float *imp = importance.f32();
  float *y = out->f32();
  // [B, S...] and [B, 1, S...] have the same element order; importance
  // interleaves the two mixing factors per element.
  for (int64_t i = 0, n = baseline.numel(); i < n; ++i)
    y[i] = base[i] * imp[2 * i] + score[i] * imp[2 * i + 1];
  return out;
}

StatusOr<Tensor> combineWbf(const std::vector<const Tensor *> &levels,
                            const RouteDecision &routing,
                            const WbfCombineParams &params) {
  int64_t batch = levels[0]->shape()[0];
  int64_t k = levels[0]->shape()[1];
  int64_t maxDet = params.nms.maxDetections;
  StatusOr<Tensor> out = Tensor::zeros(DType::F32, {batch, maxDet, 6});
  if (!out.ok())
    return out;
  int64_t width = levels[0]->shape().back();
  double w = params.imageWidth, h = params.imageHeight;

  std::vector<float> rows;
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<std::vector<Box>> experts(static_cast<size_t>(k));
    std::vector<double> weights(static_cast<size_t>(k));
    for (int64_t j = 0; j < k; ++j) {
      // All levels of this (input, expert) as one list of candidate rows.
      rows.clear();
      for (const Tensor *level : levels) {
        int64_t perSlot = level->numel() / (batch * k);
        const float *src = level->f32() + (b * k + j) * perSlot;
        rows.insert(rows.end(), src, src + perSlot);
      }
      std::vector<Box> boxes = nonMaxSuppression(
          rows.data(), static_cast<int64_t>(rows.size()) / width, width,
          params.nms);
      for (Box &box : boxes) {
        box.x1 /= w;
        box.x2 /= w;
        box.y1 /= h;
        box.y2 /= h;
      }
      experts[j] = std::move(boxes);
      weights[j] = routing.weight(b, j);
    }
    std::vector<Box> fused = weightedBoxesFusion(experts, weights, params.wbf);
    float *dst = out->f32() + b * maxDet * 6;
    for (size_t i = 0; i < fused.size() && static_cast<int64_t>(i) < maxDet; ++i) {
      const Box &box = fused[i];
      float *row = dst + i * 6;
      row[0] = static_cast<float>(box.x1 * w);
      row[1] = static_cast<float>(box.y1 * h);
      row[2] = static_cast<float>(box.x2 * w);
      row[3] = static_cast<float>(box.y2 * h);
      row[4] = static_cast<float>(box.score);
      row[5] = static_cast<float>(box.label);
    }
  }
  return out;
}

} // namespace goe::runtime::detail
