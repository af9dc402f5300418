//===- Wbf.cpp - the wbf combine: NMS per expert, then boxes fusion -------===//
//
// The algorithms are Detection.h's (public, for tools and tests); this file
// reads the artifact's WbfCombine, whose absent fields take the defaults of
// NmsOptions and WbfOptions, and applies them to a DISPATCH's head levels.
//
//===----------------------------------------------------------------------===//

#include "combines/Combiner.h"

namespace goe::runtime::detail {
namespace {

struct WbfParams {
  NmsOptions nms;
  WbfOptions wbf;
  double imageWidth = 0;
  double imageHeight = 0;
};

/// Per input: NMS on each chosen expert's head rows (every level), then WBF
/// across the k experts with the route weights as model weights. Output
/// [B, max_det, 6]: x1 y1 x2 y2 score label in pixels, zero rows after the
/// last box.
class WbfCombine final : public Combiner {
public:
  explicit WbfCombine(const WbfParams &params) : params(params) {}

  bool readsRouting() const override { return true; }

  Status inferTypes(const std::vector<TensorSpec> &inputs, int64_t k,
                    std::vector<TensorSpec> &outputs) const override {
    GOE_RETURN_IF_ERROR(checkHeadLevels("wbf", inputs, k));
    outputs.push_back(TensorSpec{DType::F32, {params.nms.maxDetections, 6}});
    return okStatus();
  }

  Status combine(const std::vector<const Tensor *> &levels,
                 const RouteDecision *routing,
                 std::vector<Tensor> &outputs) const override {
    int64_t batch = levels[0]->shape()[0];
    int64_t k = levels[0]->shape()[1];
    int64_t maxDet = params.nms.maxDetections;
    StatusOr<Tensor> out = Tensor::zeros(DType::F32, {batch, maxDet, 6});
    if (!out.ok())
      return out.status();
    int64_t width = levels[0]->shape().back();
    double w = params.imageWidth, h = params.imageHeight;

    std::vector<NmsRows> blocks(levels.size());
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<std::vector<Box>> experts(static_cast<size_t>(k));
      std::vector<double> weights(static_cast<size_t>(k));
      for (int64_t j = 0; j < k; ++j) {
        // All levels of this (input, expert) as one list of candidate rows.
        for (size_t l = 0; l < levels.size(); ++l) {
          int64_t perSlot = levels[l]->numel() / (batch * k);
          blocks[l].rows = levels[l]->f32() + (b * k + j) * perSlot;
          blocks[l].count = perSlot / width;
        }
        std::vector<Box> boxes = nonMaxSuppression(blocks, width, params.nms);
        for (Box &box : boxes) {
          box.x1 /= w;
          box.x2 /= w;
          box.y1 /= h;
          box.y2 /= h;
        }
        experts[j] = std::move(boxes);
        weights[j] = routing->weight(b, j);
      }
      std::vector<Box> fused =
          weightedBoxesFusion(experts, weights, params.wbf);
      for (Box &box : fused) { // back to pixels
        box.x1 *= w;
        box.x2 *= w;
        box.y1 *= h;
        box.y2 *= h;
      }
      writeBoxRows(fused, maxDet, out->f32() + b * maxDet * 6);
    }
    outputs.push_back(std::move(out).value());
    return okStatus();
  }

private:
  WbfParams params;
};

} // namespace

StatusOr<std::shared_ptr<const Combiner>>
loadWbfCombine(const artifact::Combine &source) {
  const artifact::WbfCombine &given = source.wbf();
  WbfParams p; // NmsOptions and WbfOptions hold the defaults
  p.imageWidth = static_cast<double>(given.image_width());
  p.imageHeight = static_cast<double>(given.image_height());
  if (!(p.imageWidth > 0) || !(p.imageHeight > 0))
    return invalidArgument(
        "wbf needs image_width and image_height (pixels, > 0)");
  GOE_RETURN_IF_ERROR(readNmsFields("wbf", given, p.nms));
  if (given.has_iou())
    p.wbf.iouThreshold = given.iou();
  if (given.has_skip_box_thr())
    p.wbf.skipBoxThreshold = given.skip_box_thr();
  if (given.has_allows_overflow())
    p.wbf.allowOverflow = given.allows_overflow();
  if (given.has_conf_type()) {
    if (!artifact::WbfCombine::ConfType_IsValid(given.conf_type()))
      return invalidArgument("wbf conf_type " +
                             std::to_string(given.conf_type()) +
                             " is not one this runtime knows");
    // WbfConfType numbers its values as WbfCombine.ConfType does.
    p.wbf.confType = static_cast<WbfConfType>(given.conf_type());
  }
  return std::shared_ptr<const Combiner>(std::make_shared<WbfCombine>(p));
}

} // namespace goe::runtime::detail
