//===- ShareIdenticalKernels.cpp - one body for same-shaped experts -------===//
//
// Experts that are copies of one module (MoE-YOLOv7-tiny's four heads, the
// rotated-MNIST GoE's p paths) differ only in their weights, and weights
// are function arguments by now (goe-weights-to-arguments). After
// goe-sample-loop each such kernel is a thin batch loop over a private
// per-sample body, and those bodies are identical. Tiling, vectorising and
// compiling every copy is wasted time and code size, so this pass keeps
// the first of each set of identical private functions and points the
// calls of the others at it. The public entry points stay, one per expert:
// the artifact, the profile and the runtime still see every kernel by name.
//
//===----------------------------------------------------------------------===//

#include "goe/Passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OperationSupport.h"

namespace goe {
#define GEN_PASS_DEF_SHAREIDENTICALKERNELS
#include "goe/Passes/Passes.h.inc"
} // namespace goe

using namespace mlir;

namespace {

/// Same signature, same argument and result attributes, and bodies equal op
/// for op (attributes, types and the use of every value; locations aside).
bool sameFunction(func::FuncOp a, func::FuncOp b) {
  return a.getFunctionType() == b.getFunctionType() &&
         a.getArgAttrsAttr() == b.getArgAttrsAttr() &&
         a.getResAttrsAttr() == b.getResAttrsAttr() &&
         OperationEquivalence::isRegionEquivalentTo(
             &a.getBody(), &b.getBody(),
             OperationEquivalence::IgnoreLocations);
}

struct ShareIdenticalKernels
    : public goe::impl::ShareIdenticalKernelsBase<ShareIdenticalKernels> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // The kept functions, by signature: only those can match.
    llvm::DenseMap<Type, SmallVector<func::FuncOp>> keptBySignature;
    llvm::DenseMap<StringAttr, FlatSymbolRefAttr> sharedWith;
    SmallVector<func::FuncOp> duplicates;
    for (auto fn : module.getOps<func::FuncOp>()) {
      if (!fn.isPrivate() || fn.isExternal())
        continue;
      SmallVector<func::FuncOp> &kept = keptBySignature[fn.getFunctionType()];
      auto same = llvm::find_if(
          kept, [&](func::FuncOp other) { return sameFunction(other, fn); });
      if (same == kept.end()) {
        kept.push_back(fn);
        continue;
      }
      sharedWith[fn.getSymNameAttr()] =
          FlatSymbolRefAttr::get(same->getSymNameAttr());
      duplicates.push_back(fn);
    }
    if (duplicates.empty())
      return;
    module.walk([&](func::CallOp call) {
      auto it = sharedWith.find(call.getCalleeAttr().getAttr());
      if (it != sharedWith.end())
        call.setCalleeAttr(it->second);
    });
    for (func::FuncOp fn : duplicates) {
      // Only calls can refer to a kernel body; anything else would dangle.
      if (!SymbolTable::symbolKnownUseEmpty(fn, module)) {
        fn.emitOpError("is identical to another kernel body but still "
                       "referred to other than by func.call");
        return signalPassFailure();
      }
      fn.erase();
    }
  }
};

} // namespace
