//===- FoldBatchNorm.cpp - batch-norm into the preceding convolution ------===//
//
// At inference a batch-norm is a per-channel affine map, so it folds into
// the convolution before it: one pass over the activations instead of four
// elementwise ones, and no batch-norm parameters in the artifact.
//
//===----------------------------------------------------------------------===//

#include "goe/Passes/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

namespace goe {
#define GEN_PASS_DEF_FOLDBATCHNORM
#include "goe/Passes/Passes.h.inc"
} // namespace goe

using namespace mlir;

namespace {

/// A bound global behind `value` (possibly through a tosa.reshape), or null.
ml_program::GlobalOp boundGlobal(Value value, SymbolTable &symbols) {
  if (auto reshape = value.getDefiningOp<tosa::ReshapeOp>())
    value = reshape.getInput1();
  auto load = value.getDefiningOp<ml_program::GlobalLoadConstOp>();
  if (!load)
    return nullptr;
  auto global = symbols.lookup<ml_program::GlobalOp>(
      load.getGlobalAttr().getRootReference());
  if (!global || !isa_and_nonnull<DenseElementsAttr>(global.getValueAttr()))
    return nullptr;
  return global;
}

std::vector<float> valuesOf(ml_program::GlobalOp global) {
  auto dense = cast<DenseElementsAttr>(*global.getValue());
  auto range = dense.getValues<float>();
  return {range.begin(), range.end()};
}

/// The pieces of `conv -> batch-norm` as the spec frontend emits them.
struct Match {
  tosa::Conv2DOp conv;
  tosa::TransposeOp weightTranspose; // OIHW global -> OHWI
  ml_program::GlobalOp weight, bias;  // bias null: a zero constant
  ml_program::GlobalOp mean, gamma, var, beta;
  double eps;
  tosa::AddOp result;
};

std::optional<Match> match(tosa::AddOp add, SymbolTable &symbols) {
  Match m;
  m.result = add;
  auto mul = add.getInput1().getDefiningOp<tosa::MulOp>();
  m.beta = boundGlobal(add.getInput2(), symbols);
  if (!mul || !m.beta)
    return std::nullopt;
  auto sub = mul.getInput1().getDefiningOp<tosa::SubOp>();
  auto scale = mul.getInput2().getDefiningOp<tosa::MulOp>();
  if (!sub || !scale)
    return std::nullopt;
  m.conv = sub.getInput1().getDefiningOp<tosa::Conv2DOp>();
  m.mean = boundGlobal(sub.getInput2(), symbols);
  m.gamma = boundGlobal(scale.getInput1(), symbols);
  auto rsqrt = scale.getInput2().getDefiningOp<tosa::RsqrtOp>();
  if (!m.conv || !m.mean || !m.gamma || !rsqrt || !m.conv->hasOneUse() ||
      !sub->hasOneUse() || !mul->hasOneUse())
    return std::nullopt;
  auto varPlusEps = rsqrt.getInput1().getDefiningOp<tosa::AddOp>();
  if (!varPlusEps)
    return std::nullopt;
  m.var = boundGlobal(varPlusEps.getInput1(), symbols);
  DenseElementsAttr eps;
  if (!m.var || !matchPattern(varPlusEps.getInput2(), m_Constant(&eps)) ||
      !eps.isSplat())
    return std::nullopt;
  m.eps = eps.getSplatValue<float>();
  m.weightTranspose = m.conv.getWeight().getDefiningOp<tosa::TransposeOp>();
  if (!m.weightTranspose)
    return std::nullopt;
  m.weight = boundGlobal(m.weightTranspose.getInput1(), symbols);
  if (!m.weight)
    return std::nullopt;
  DenseElementsAttr zeroBias;
  if (!matchPattern(m.conv.getBias(), m_Constant(&zeroBias))) {
    m.bias = boundGlobal(m.conv.getBias(), symbols);
    if (!m.bias)
      return std::nullopt;
  } else if (!zeroBias.isSplat() || zeroBias.getSplatValue<float>() != 0.f) {
    return std::nullopt;
  }
  return m;
}

struct FoldBatchNorm : public goe::impl::FoldBatchNormBase<FoldBatchNorm> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<tosa::AddOp> adds;
    module.walk([&](tosa::AddOp add) { adds.push_back(add); });
    for (tosa::AddOp add : adds)
      if (auto m = match(add, symbols))
        fold(*m, symbols);
    // Parameters that only the folded batch-norms read are dead now.
    IRRewriter rewriter(&getContext());
    bool erased = true;
    while (erased) {
      erased = false;
      module.walk([&](Operation *op) {
        if (op->use_empty() && isMemoryEffectFree(op) &&
            !op->hasTrait<OpTrait::IsTerminator>() && op->getNumResults() > 0) {
          rewriter.eraseOp(op);
          erased = true;
        }
      });
    }
    for (auto global :
         llvm::make_early_inc_range(module.getOps<ml_program::GlobalOp>()))
      if (SymbolTable::symbolKnownUseEmpty(global, module))
        global.erase();
  }

  void fold(Match m, SymbolTable &symbols) {
    std::vector<float> weight = valuesOf(m.weight);
    std::vector<float> mean = valuesOf(m.mean), gamma = valuesOf(m.gamma);
    std::vector<float> var = valuesOf(m.var), beta = valuesOf(m.beta);
    size_t channels = mean.size();
    std::vector<float> bias =
        m.bias ? valuesOf(m.bias) : std::vector<float>(channels, 0.f);
    if (gamma.size() != channels || var.size() != channels ||
        beta.size() != channels || bias.size() != channels ||
        weight.size() % channels != 0)
      return;
    size_t perChannel = weight.size() / channels; // OIHW: O is outermost
    for (size_t o = 0; o < channels; ++o) {
      float s = gamma[o] / std::sqrt(var[o] + float(m.eps));
      for (size_t i = 0; i < perChannel; ++i)
        weight[o * perChannel + i] *= s;
      bias[o] = (bias[o] - mean[o]) * s + beta[o];
    }
    std::string base = m.weight.getSymName().str();
    base = base.substr(0, base.rfind('.'));
    auto weightType = cast<RankedTensorType>(m.weight.getType());
    auto biasType = RankedTensorType::get({(int64_t)channels},
                                          weightType.getElementType());
    OpBuilder module(m.weight);
    auto makeGlobal = [&](const std::string &name, RankedTensorType type,
                          ArrayRef<float> values) {
      auto global = module.create<ml_program::GlobalOp>(
          m.weight.getLoc(), name, type, /*is_mutable=*/false,
          DenseElementsAttr::get(type, values),
          module.getStringAttr("private"));
      symbols.insert(global);
      return global;
    };
    auto newWeight = makeGlobal(base + ".folded_weight", weightType, weight);
    auto newBias = makeGlobal(base + ".folded_bias", biasType, bias);

    OpBuilder b(m.conv);
    Location loc = m.conv.getLoc();
    Value w = b.create<ml_program::GlobalLoadConstOp>(
        loc, weightType, FlatSymbolRefAttr::get(newWeight.getSymNameAttr()));
    Value wt = b.create<tosa::TransposeOp>(loc, m.weightTranspose.getType(), w,
                                           m.weightTranspose.getPerms());
    Value bs = b.create<ml_program::GlobalLoadConstOp>(
        loc, biasType, FlatSymbolRefAttr::get(newBias.getSymNameAttr()));
    auto conv = b.create<tosa::Conv2DOp>(
        loc, m.conv.getType(), m.conv.getInput(), wt, bs, m.conv.getPadAttr(),
        m.conv.getStrideAttr(), m.conv.getDilationAttr());
    m.result.getResult().replaceAllUsesWith(conv.getResult());
  }
};

} // namespace
