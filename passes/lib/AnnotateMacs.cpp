//===- AnnotateMacs.cpp - MACs per sample of every function ---------------===//
//
// The spec frontend annotates each module instance function with the MACs
// its layer ops define (LayerOp::macs); those counts are kept. Functions
// without one (graph functions, specialised paths, hand-written IR) get
// their TOSA convolutions and fully connected layers counted, plus what
// they call.
//
//===----------------------------------------------------------------------===//

#include "goe/Passes/MacCount.h"
#include "goe/Passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"

namespace goe {
#define GEN_PASS_DEF_ANNOTATEMACS
#include "goe/Passes/Passes.h.inc"
} // namespace goe

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kMacsAttr = "goe.macs";

int64_t staticElements(ShapedType type, unsigned fromDim) {
  int64_t count = 1;
  for (unsigned d = fromDim; d < type.getRank(); ++d)
    count = goe::saturatingMul(count, type.getDimSize(d));
  return count;
}

/// MACs of one sample through `op`; 0 for ops that do no multiply-adds
/// worth counting (elementwise, pooling, data movement).
int64_t macsOf(Operation *op) {
  if (auto conv = dyn_cast<tosa::Conv2DOp>(op)) {
    auto weight = cast<ShapedType>(conv.getWeight().getType()); // O,KH,KW,I
    auto out = cast<ShapedType>(conv.getType());                // N,H,W,O
    return goe::saturatingMul(staticElements(out, 1),
                              staticElements(weight, 1));
  }
  if (auto fc = dyn_cast<tosa::FullyConnectedOp>(op)) {
    auto weight = cast<ShapedType>(fc.getWeight().getType()); // O,I
    return staticElements(weight, 0);
  }
  return 0;
}

struct AnnotateMacs
    : public goe::impl::AnnotateMacsBase<AnnotateMacs> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    Builder builder(module.getContext());
    // Callees first: a function's count includes what it calls. Functions
    // are counted on demand with a memo, so declaration order is irrelevant.
    llvm::DenseMap<Operation *, int64_t> memo;
    std::function<int64_t(func::FuncOp)> count = [&](func::FuncOp fn) {
      auto it = memo.find(fn);
      if (it != memo.end())
        return it->second;
      if (auto given = fn->getAttrOfType<IntegerAttr>(kMacsAttr))
        return memo[fn] = given.getInt();
      memo[fn] = 0; // recursion guard; goe functions never recurse
      int64_t total = 0;
      fn.walk([&](Operation *op) {
        total = goe::saturatingAdd(total, macsOf(op));
        if (auto call = dyn_cast<func::CallOp>(op))
          if (auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee()))
            total = goe::saturatingAdd(total, count(callee));
      });
      memo[fn] = total;
      return total;
    };
    for (auto fn : module.getOps<func::FuncOp>())
      fn->setAttr(kMacsAttr, builder.getI64IntegerAttr(count(fn)));
  }
};

} // namespace
