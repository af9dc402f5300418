//===- PrepackWeights.cpp - weights stored in the layout kernels read -----===//
//
// Weights arrive in PyTorch's layouts (OIHW convolutions, [out, in]
// linears), and the IR transposes them to what the kernels read: HWCF for
// convolutions (the output channel contiguous, as in NHWC activations),
// [in, out] for matmuls. Done at run time that is a copy of every weight on
// every call, which at batch 1 costs about as much as a small layer.
//
// Once weights are bound, this pass stores each such weight already
// transposed, in a new global named `<weight>.hwcf` or `<weight>.io`, and
// leaves in the IR the inverse of the transpose that the TOSA-to-linalg
// lowering inserts (HWCF -> OHWI before a conv2d, [in, out] -> [out, in]
// before a fully_connected); canonicalisation then cancels the pair, so
// the compiled code reads the prepacked weight directly. Globals nothing
// reads any more are dropped, so the artifact holds each weight once. The
// transpose is the runtime's (WeightTransforms.h) and the new global
// records its recipe, so that a weights file given at run time is packed
// the same way (BoundWeights.h).
//
//===----------------------------------------------------------------------===//

#include "goe/Passes/BoundWeights.h"
#include "goe/Passes/Passes.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"

namespace goe {
#define GEN_PASS_DEF_PREPACKWEIGHTS
#include "goe/Passes/Passes.h.inc"
} // namespace goe

using namespace mlir;

namespace {

/// The bound global that `load` reads, or null.
ml_program::GlobalOp boundGlobalOf(ml_program::GlobalLoadConstOp load,
                                   SymbolTable &symbols) {
  if (!load)
    return nullptr;
  auto global = symbols.lookup<ml_program::GlobalOp>(
      load.getGlobalAttr().getRootReference());
  if (!global || !isa_and_nonnull<DenseElementsAttr>(global.getValueAttr()) ||
      !cast<ShapedType>(global.getType()).getElementType().isF32())
    return nullptr;
  return global;
}

struct PrepackWeights
    : public goe::impl::PrepackWeightsBase<PrepackWeights> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    llvm::StringMap<ml_program::GlobalOp> packed;

    // conv2d(x, transpose(load W_oihw, [0, 2, 3, 1])) ->
    // conv2d(x, transpose(load W_hwcf, [3, 0, 1, 2])).
    module.walk([&](tosa::Conv2DOp conv) {
      auto toOhwi = conv.getWeight().getDefiningOp<tosa::TransposeOp>();
      SmallVector<int64_t> perms;
      if (!toOhwi || failed(toOhwi.getConstantPerms(perms)) ||
          perms != SmallVector<int64_t>{0, 2, 3, 1})
        return;
      auto load =
          toOhwi.getInput1().getDefiningOp<ml_program::GlobalLoadConstOp>();
      ml_program::GlobalOp weight = boundGlobalOf(load, symbols);
      if (!weight)
        return;
      ml_program::GlobalOp hwcf =
          packedGlobal(weight, {2, 3, 1, 0}, ".hwcf", symbols, packed);
      if (hwcf)
        replaceWeight(conv, conv.getWeightMutable(), hwcf, {3, 0, 1, 2});
    });

    // fully_connected(x, load W_oi) -> fully_connected(x, transpose(load
    // W_io, [1, 0])).
    module.walk([&](tosa::FullyConnectedOp fc) {
      auto load = fc.getWeight().getDefiningOp<ml_program::GlobalLoadConstOp>();
      ml_program::GlobalOp weight = boundGlobalOf(load, symbols);
      if (!weight)
        return;
      ml_program::GlobalOp io =
          packedGlobal(weight, {1, 0}, ".io", symbols, packed);
      if (io)
        replaceWeight(fc, fc.getWeightMutable(), io, {1, 0});
    });

    // Loads and transposes of the original layouts are dead now, and so
    // are the globals only they read.
    bool erased = true;
    while (erased) {
      erased = false;
      module.walk([&](Operation *op) {
        if (isa<ml_program::GlobalLoadConstOp, tosa::TransposeOp,
                tosa::ConstOp>(op) &&
            op->use_empty()) {
          op->erase();
          erased = true;
        }
      });
    }
    for (auto global :
         llvm::make_early_inc_range(module.getOps<ml_program::GlobalOp>()))
      if (global.getValueAttr() &&
          SymbolTable::symbolKnownUseEmpty(global, module))
        global.erase();
  }

  /// `weight` transposed by `perm` as a new global `<weight><suffix>`,
  /// made once however many ops read it (null if it cannot be made).
  ml_program::GlobalOp packedGlobal(ml_program::GlobalOp weight,
                                    ArrayRef<int64_t> perm, StringRef suffix,
                                    SymbolTable &symbols,
                                    llvm::StringMap<ml_program::GlobalOp> &packed) {
    std::string name = (weight.getSymName() + suffix).str();
    if (auto it = packed.find(name); it != packed.end())
      return it->second;
    goe::runtime::WeightTransform transpose{
        goe::runtime::WeightTransform::Kind::Transpose,
        std::vector<int64_t>(perm.begin(), perm.end()), 0.f};
    ml_program::GlobalOp global =
        goe::deriveWeight(transpose, {weight}, name, symbols);
    if (global)
      packed[name] = global;
    return global;
  }

  /// Makes `operand` of `user` read `global` through a transpose by
  /// `perm`, which must give back the operand's type.
  void replaceWeight(Operation *user, OpOperand &operand,
                     ml_program::GlobalOp global, ArrayRef<int32_t> perm) {
    OpBuilder b(user);
    Location loc = user->getLoc();
    Value load = b.create<ml_program::GlobalLoadConstOp>(
        loc, global.getType(),
        FlatSymbolRefAttr::get(global.getSymNameAttr()));
    auto permType =
        RankedTensorType::get({int64_t(perm.size())}, b.getI32Type());
    Value perms = b.create<tosa::ConstOp>(
        loc, permType, DenseIntElementsAttr::get(permType, perm));
    Value back = b.create<tosa::TransposeOp>(loc, operand.get().getType(),
                                             load, perms);
    operand.set(back);
  }
};

} // namespace
