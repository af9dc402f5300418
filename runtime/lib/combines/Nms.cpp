//===- Nms.cpp - the nms combine: one NMS over every chosen expert --------===//
//
// The plain alternative to wbf: per input, the head rows of all k chosen
// experts (every level) enter one class-wise NMS (Detection.h), so a box
// two experts both found is kept once, at the better expert's score,
// instead of being fused. The route weights are not used.
//
//===----------------------------------------------------------------------===//

#include "combines/Combiner.h"

namespace goe::runtime::detail {
namespace {

class NmsCombine final : public Combiner {
public:
  explicit NmsCombine(const NmsOptions &options) : options(options) {}

  /// The route gives k, which the levels' leading dimension must match;
  /// its weights are not read.
  bool readsRouting() const override { return true; }

  Status inferTypes(const std::vector<TensorSpec> &inputs, int64_t k,
                    std::vector<TensorSpec> &outputs) const override {
    GOE_RETURN_IF_ERROR(checkHeadLevels("nms", inputs, k));
    outputs.push_back(TensorSpec{DType::F32, {options.maxDetections, 6}});
    return okStatus();
  }

  Status combine(const std::vector<const Tensor *> &levels,
                 const RouteDecision *, std::vector<Tensor> &outputs)
      const override {
    int64_t batch = levels[0]->shape()[0];
    int64_t k = levels[0]->shape()[1];
    StatusOr<Tensor> out =
        Tensor::zeros(DType::F32, {batch, options.maxDetections, 6});
    if (!out.ok())
      return out.status();
    int64_t width = levels[0]->shape().back();
    // One block per (level, choice): NMS sees the k experts' rows at once.
    std::vector<NmsRows> blocks(levels.size() * static_cast<size_t>(k));
    for (int64_t b = 0; b < batch; ++b) {
      for (size_t l = 0; l < levels.size(); ++l) {
        int64_t perSlot = levels[l]->numel() / (batch * k);
        for (int64_t j = 0; j < k; ++j) {
          NmsRows &block = blocks[l * static_cast<size_t>(k) + j];
          block.rows = levels[l]->f32() + (b * k + j) * perSlot;
          block.count = perSlot / width;
        }
      }
      writeBoxRows(nonMaxSuppression(blocks, width, options),
                   options.maxDetections,
                   out->f32() + b * options.maxDetections * 6);
    }
    outputs.push_back(std::move(out).value());
    return okStatus();
  }

private:
  NmsOptions options;
};

} // namespace

StatusOr<std::shared_ptr<const Combiner>>
loadNmsCombine(const artifact::Combine &source) {
  NmsOptions options; // NmsOptions holds the defaults
  GOE_RETURN_IF_ERROR(readNmsFields("nms", source.nms(), options));
  return std::shared_ptr<const Combiner>(
      std::make_shared<NmsCombine>(options));
}

} // namespace goe::runtime::detail
