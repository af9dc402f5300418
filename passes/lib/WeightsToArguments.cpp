//===- WeightsToArguments.cpp - weight loads become function arguments ----===//

#include "goe/Passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/IR/Builders.h"

namespace goe {
#define GEN_PASS_DEF_WEIGHTSTOARGUMENTS
#include "goe/Passes/Passes.h.inc"
} // namespace goe

using namespace mlir;

namespace {

struct WeightsToArguments
    : public goe::impl::WeightsToArgumentsBase<WeightsToArguments> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    Builder builder(&getContext());
    // Each function's weights, in first-use order, so callers can pass the
    // same globals along.
    llvm::DenseMap<StringAttr, SmallVector<FlatSymbolRefAttr>> weightsOf;
    for (auto fn : module.getOps<func::FuncOp>()) {
      if (fn.isExternal())
        continue;
      SmallVector<FlatSymbolRefAttr> names;
      llvm::DenseMap<Attribute, BlockArgument> argumentOf;
      Block &entry = fn.getBody().front();
      WalkResult result = fn.walk([&](ml_program::GlobalLoadConstOp load) {
        FlatSymbolRefAttr global =
            FlatSymbolRefAttr::get(load.getGlobalAttr().getRootReference());
        auto [it, inserted] = argumentOf.try_emplace(global, nullptr);
        if (inserted) {
          it->second = entry.addArgument(load.getType(), load.getLoc());
          names.push_back(global);
        }
        load.replaceAllUsesWith(it->second);
        load.erase();
        return WalkResult::advance();
      });
      if (result.wasInterrupted())
        return signalPassFailure();
      if (names.empty())
        continue;
      fn.setFunctionType(builder.getFunctionType(
          entry.getArgumentTypes(), fn.getFunctionType().getResults()));
      SmallVector<Attribute> attrs(names.begin(), names.end());
      fn->setAttr("goe.weights", builder.getArrayAttr(attrs));
      weightsOf[fn.getSymNameAttr()] = names;
    }
    // Callers load the callee's weights and pass them on.
    module.walk([&](func::CallOp call) {
      auto it = weightsOf.find(call.getCalleeAttr().getAttr());
      if (it == weightsOf.end())
        return;
      OpBuilder b(call);
      SmallVector<Value> operands(call.getOperands());
      for (FlatSymbolRefAttr global : it->second) {
        auto decl = module.lookupSymbol<ml_program::GlobalOp>(global.getAttr());
        operands.push_back(b.create<ml_program::GlobalLoadConstOp>(
            call.getLoc(), decl.getType(), global));
      }
      call->setOperands(operands);
    });
  }
};

} // namespace
