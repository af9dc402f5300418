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
// reads any more are dropped, so the artifact holds each weight once.
//
//===----------------------------------------------------------------------===//

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

/// `values` (row-major, `shape`) transposed: result dimension i is input
/// dimension perm[i].
std::vector<float> transposeValues(ArrayRef<float> values,
                                   ArrayRef<int64_t> shape,
                                   ArrayRef<int64_t> perm) {
  size_t rank = shape.size();
  SmallVector<int64_t> inStrides(rank, 1), outShape(rank);
  for (size_t d = rank; d-- > 1;)
    inStrides[d - 1] = inStrides[d] * shape[d];
  for (size_t d = 0; d < rank; ++d)
    outShape[d] = shape[perm[d]];
  std::vector<float> out(values.size());
  SmallVector<int64_t> index(rank, 0); // position in the output
  for (size_t flat = 0; flat < out.size(); ++flat) {
    int64_t source = 0;
    for (size_t d = 0; d < rank; ++d)
      source += index[d] * inStrides[perm[d]];
    out[flat] = values[source];
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < outShape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
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
  /// made once however many ops read it.
  ml_program::GlobalOp packedGlobal(ml_program::GlobalOp weight,
                                    ArrayRef<int64_t> perm, StringRef suffix,
                                    SymbolTable &symbols,
                                    llvm::StringMap<ml_program::GlobalOp> &packed) {
    std::string name = (weight.getSymName() + suffix).str();
    if (auto it = packed.find(name); it != packed.end())
      return it->second;
    auto type = cast<RankedTensorType>(weight.getType());
    auto dense = cast<DenseElementsAttr>(*weight.getValue());
    auto range = dense.getValues<float>();
    std::vector<float> values(range.begin(), range.end());
    std::vector<float> moved = transposeValues(values, type.getShape(), perm);
    SmallVector<int64_t> shape;
    for (int64_t d : perm)
      shape.push_back(type.getDimSize(d));
    auto packedType = RankedTensorType::get(shape, type.getElementType());
    OpBuilder builder(weight);
    auto global = builder.create<ml_program::GlobalOp>(
        weight.getLoc(), name, packedType, /*is_mutable=*/false,
        DenseElementsAttr::get(packedType, ArrayRef<float>(moved)),
        builder.getStringAttr("private"));
    symbols.insert(global);
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
