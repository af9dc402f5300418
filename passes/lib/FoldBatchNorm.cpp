//===- FoldBatchNorm.cpp - batch-norm into the preceding convolution ------===//
//
// At inference a batch-norm is a per-channel affine map, so it folds into
// the convolution before it: one pass over the activations instead of four
// elementwise ones, and no batch-norm parameters in the artifact. The
// arithmetic is the runtime's (WeightTransforms.h), and the new globals
// record their recipe, so that a weights file given at run time is folded
// the same way (BoundWeights.h).
//
//===----------------------------------------------------------------------===//

#include "goe/Passes/BoundWeights.h"
#include "goe/Passes/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

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

  /// New globals for the folded weight and bias, made by the transforms
  /// the runtime applies to a weights file (BoundWeights.h), and the
  /// convolution rewired to read them. Nothing changes if they refuse the
  /// operands.
  void fold(Match m, SymbolTable &symbols) {
    using goe::runtime::WeightTransform;
    WeightTransform foldWeight{WeightTransform::Kind::FoldBatchNormWeight, {},
                               float(m.eps)};
    WeightTransform foldBias{WeightTransform::Kind::FoldBatchNormBias, {},
                             float(m.eps)};
    SmallVector<ml_program::GlobalOp> biasOperands;
    if (m.bias)
      biasOperands.push_back(m.bias);
    biasOperands.append({m.mean, m.gamma, m.var, m.beta});
    std::string base = m.weight.getSymName().str();
    base = base.substr(0, base.rfind('.'));
    ml_program::GlobalOp newWeight =
        goe::deriveWeight(foldWeight, {m.weight, m.gamma, m.var},
                          base + ".folded_weight", symbols);
    if (!newWeight)
      return;
    ml_program::GlobalOp newBias = goe::deriveWeight(
        foldBias, biasOperands, base + ".folded_bias", symbols);
    if (!newBias) {
      symbols.erase(newWeight);
      return;
    }
    auto weightType = cast<RankedTensorType>(newWeight.getType());
    auto biasType = cast<RankedTensorType>(newBias.getType());

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
