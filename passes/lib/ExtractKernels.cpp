//===- ExtractKernels.cpp - keep only the expert functions ----------------===//

#include "goe/Dialect/Goe/GoeOps.h"
#include "goe/Passes/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"

namespace goe {
#define GEN_PASS_DEF_EXTRACTKERNELS
#include "goe/Passes/Passes.h.inc"
} // namespace goe

using namespace mlir;

namespace {

struct ExtractKernels
    : public goe::impl::ExtractKernelsBase<ExtractKernels> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (Operation &op : llvm::make_early_inc_range(module.getOps())) {
      if (isa<goe::GraphOp, goe::RouterOp, ml_program::GlobalOp>(op))
        op.erase();
    }
    Builder builder(&getContext());
    for (auto fn : module.getOps<func::FuncOp>()) {
      WalkResult loads = fn.walk([&](ml_program::GlobalLoadConstOp load) {
        load.emitOpError("still loads a weight global; run "
                         "goe-weights-to-arguments first");
        return WalkResult::interrupt();
      });
      if (loads.wasInterrupted())
        return signalPassFailure();
      fn.setPublic();
      fn->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                  builder.getUnitAttr());
    }
  }
};

} // namespace
