//===- Select.cpp - the select combine: the one chosen path's result ------===//

#include "combines/Combiner.h"

#include <cstring>

namespace goe::runtime::detail {
namespace {

/// [B, 1, D...] -> [B, D...] for each input.
class SelectCombine final : public Combiner {
public:
  bool readsRouting() const override { return false; }

  Status inferTypes(const std::vector<TensorSpec> &inputs, int64_t,
                    std::vector<TensorSpec> &outputs) const override {
    return dropSlotDim("select", inputs, 1, outputs);
  }

  Status combine(const std::vector<const Tensor *> &inputs,
                 const RouteDecision *,
                 std::vector<Tensor> &outputs) const override {
    for (const Tensor *stacked : inputs) {
      StatusOr<Tensor> out = Tensor::uninitialized(
          stacked->dtype(), withoutSlotDim(stacked->shape()));
      if (!out.ok())
        return out.status();
      if (out->byteSize())
        std::memcpy(out->data(), stacked->data(), out->byteSize());
      outputs.push_back(std::move(out).value());
    }
    return okStatus();
  }
};

} // namespace

StatusOr<std::shared_ptr<const Combiner>>
loadSelectCombine(const artifact::Combine &) {
  return std::shared_ptr<const Combiner>(std::make_shared<SelectCombine>());
}

} // namespace goe::runtime::detail
