//===- ImportanceMix.cpp - the importance_mix combine ---------------------===//

#include "combines/Combiner.h"

namespace goe::runtime::detail {
namespace {

/// out = baseline * imp[:, 0, ..., 0] + scores[:, 0] * imp[:, 0, ..., 1]
/// for baseline [B, S...], scores [B, 1, S...], importance [B, 1, S..., 2].
class ImportanceMixCombine final : public Combiner {
public:
  bool readsRouting() const override { return false; }

  Status inferTypes(const std::vector<TensorSpec> &inputs, int64_t,
                    std::vector<TensorSpec> &outputs) const override {
    if (inputs.size() != 3)
      return invalidArgument("has " + std::to_string(inputs.size()) +
                             " inputs, expected 3");
    const TensorSpec &base = inputs[0];
    TensorSpec scores = base;
    scores.shape.insert(scores.shape.begin(), 1);
    TensorSpec importance = scores;
    importance.shape.push_back(2);
    if (base.dtype != DType::F32 || inputs[1] != scores ||
        inputs[2] != importance)
      return invalidArgument(
          "importance_mix takes baseline S, scores [1, S...] and importance "
          "[1, S..., 2], all f32; it gets " +
          specToString(inputs[0]) + ", " + specToString(inputs[1]) + ", " +
          specToString(inputs[2]));
    outputs.push_back(base);
    return okStatus();
  }

  Status combine(const std::vector<const Tensor *> &inputs,
                 const RouteDecision *,
                 std::vector<Tensor> &outputs) const override {
    const Tensor &baseline = *inputs[0];
    StatusOr<Tensor> out = Tensor::uninitialized(DType::F32, baseline.shape());
    if (!out.ok())
      return out.status();
    const float *base = baseline.f32();
    const float *score = inputs[1]->f32();
    const float *imp = inputs[2]->f32();
    float *y = out->f32();
    // [B, S...] and [B, 1, S...] have the same element order; importance
    // interleaves the two mixing factors per element.
    for (int64_t i = 0, n = baseline.numel(); i < n; ++i)
      y[i] = base[i] * imp[2 * i] + score[i] * imp[2 * i + 1];
    outputs.push_back(std::move(out).value());
    return okStatus();
  }
};

} // namespace

StatusOr<std::shared_ptr<const Combiner>>
loadImportanceMixCombine(const artifact::Combine &) {
  return std::shared_ptr<const Combiner>(
      std::make_shared<ImportanceMixCombine>());
}

} // namespace goe::runtime::detail
