//===- WeightedSum.cpp - the weighted_sum combine -------------------------===//

#include "combines/Combiner.h"

namespace goe::runtime::detail {
namespace {

/// out[b] = sum_j w[b][j] * x[b, j], for each f32 input [B, k, D...].
class WeightedSumCombine final : public Combiner {
public:
  bool readsRouting() const override { return true; }

  Status inferTypes(const std::vector<TensorSpec> &inputs, int64_t k,
                    std::vector<TensorSpec> &outputs) const override {
    for (size_t i = 0; i < inputs.size(); ++i)
      if (inputs[i].dtype != DType::F32)
        return invalidArgument("weighted_sum input " + std::to_string(i) +
                               " is " + specToString(inputs[i]) + ", not f32");
    return dropSlotDim("weighted_sum", inputs, k, outputs);
  }

  Status combine(const std::vector<const Tensor *> &inputs,
                 const RouteDecision *routing,
                 std::vector<Tensor> &outputs) const override {
    for (const Tensor *stacked : inputs) {
      StatusOr<Tensor> out =
          Tensor::zeros(DType::F32, withoutSlotDim(stacked->shape()));
      if (!out.ok())
        return out.status();
      int64_t batch = stacked->shape()[0];
      int64_t k = stacked->shape()[1];
      int64_t item = batch * k != 0 ? stacked->numel() / (batch * k) : 0;
      const float *x = stacked->f32();
      float *y = out->f32();
      for (int64_t b = 0; b < batch; ++b) {
        for (int64_t j = 0; j < k; ++j) {
          float w = routing->weight(b, j);
          const float *src = x + (b * k + j) * item;
          float *dst = y + b * item;
          for (int64_t e = 0; e < item; ++e)
            dst[e] += w * src[e];
        }
      }
      outputs.push_back(std::move(out).value());
    }
    return okStatus();
  }
};

} // namespace

StatusOr<std::shared_ptr<const Combiner>>
loadWeightedSumCombine(const artifact::Combine &) {
  return std::shared_ptr<const Combiner>(
      std::make_shared<WeightedSumCombine>());
}

} // namespace goe::runtime::detail
