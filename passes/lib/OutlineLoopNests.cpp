//===- OutlineLoopNests.cpp - large kernels split into one function per nest -===//
//
// After bufferisation and linalg-to-loops, a kernel's per-sample body holds
// every layer's loop nest in one function: about 58,000 lines of LLVM IR for
// MoE-YOLOv7-tiny's head. LLVM's loop passes (IndVarSimplify above all) and
// its code generator take superlinear time in a function's size: opt -O2
// spent 9.5 s on that head against 2.9 s on the 35,000-line backbone. This
// pass moves each top-level loop nest of a large function into a private
// function of its own, called in its place: the same work in pieces LLVM
// handles in linear time. Memrefs and other values the nest uses from
// outside become arguments; constants are cloned in, so bounds and
// indices stay static. The new functions are `noinline` (LLVM would put a
// function called once straight back). A call per layer costs nothing next
// to a layer.
//
//===----------------------------------------------------------------------===//

#include "goe/Passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

namespace goe {
#define GEN_PASS_DEF_OUTLINELOOPNESTS
#include "goe/Passes/Passes.h.inc"
} // namespace goe

using namespace mlir;

namespace {

unsigned countOps(Operation *op) {
  unsigned count = 0;
  op->walk([&](Operation *) { ++count; });
  return count;
}

/// Moves `nest` into a new private function `name` and calls it instead.
void outline(scf::ForOp nest, StringRef name, OpBuilder &moduleBuilder) {
  // What the nest reads from outside: its bounds and the values its body
  // uses. Constants are cloned into the new function, the rest passed.
  llvm::SetVector<Value> outside;
  for (Value operand : nest->getOperands())
    outside.insert(operand);
  getUsedValuesDefinedAbove(nest->getRegions(), outside);
  SmallVector<Value> arguments;
  SmallVector<Operation *> constants;
  for (Value value : outside) {
    Operation *def = value.getDefiningOp();
    if (def && def->hasTrait<OpTrait::ConstantLike>())
      constants.push_back(def);
    else
      arguments.push_back(value);
  }

  auto fn = moduleBuilder.create<func::FuncOp>(
      nest.getLoc(), name,
      moduleBuilder.getFunctionType(ValueRange(arguments).getTypes(), {}));
  fn.setPrivate();
  // LLVM would inline a private function called once straight back.
  fn->setAttr("passthrough", moduleBuilder.getArrayAttr(
                                 {moduleBuilder.getStringAttr("noinline")}));
  Block *entry = fn.addEntryBlock();
  OpBuilder body = OpBuilder::atBlockBegin(entry);
  IRMapping mapping;
  for (auto [value, argument] : llvm::zip(arguments, entry->getArguments()))
    mapping.map(value, argument);
  for (Operation *constant : constants)
    body.clone(*constant, mapping);
  body.clone(*nest, mapping);
  body.create<func::ReturnOp>(nest.getLoc());

  OpBuilder caller(nest);
  caller.create<func::CallOp>(nest.getLoc(), fn, arguments);
  nest.erase();
}

struct OutlineLoopNests
    : public goe::impl::OutlineLoopNestsBase<OutlineLoopNests> {
  using OutlineLoopNestsBase::OutlineLoopNestsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> large;
    for (auto fn : module.getOps<func::FuncOp>())
      if (!fn.isExternal() && fn.getBody().hasOneBlock() &&
          countOps(fn) >= minFunctionOps)
        large.push_back(fn);
    for (func::FuncOp fn : large) {
      SmallVector<scf::ForOp> nests;
      for (Operation &op : fn.getBody().front())
        if (auto nest = dyn_cast<scf::ForOp>(op))
          if (nest.getNumResults() == 0 && countOps(nest) >= minNestOps)
            nests.push_back(nest);
      // Functions after `fn`, in program order: the output is stable.
      OpBuilder moduleBuilder(fn->getContext());
      moduleBuilder.setInsertionPointAfter(fn);
      for (auto [index, nest] : llvm::enumerate(nests))
        outline(nest, (fn.getSymName() + ".nest" + Twine(index)).str(),
                moduleBuilder);
    }
  }
};

} // namespace
