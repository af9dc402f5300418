//===- DropBatchBroadcasts.cpp - no run-time broadcast along the batch ----===//
//
// tosa-to-linalg cannot know that two `?` batch dimensions are equal, so for
// an elementwise op on two batched tensors it emits, per operand,
// `scf.if (dim(x, 0) == 1) { broadcast x } else { x }`. The runtime calls
// every expert function on one group, so all its activations share one
// batch size and that broadcast is the identity. On the CPU the branch is
// cheap host code; on the GPU a host-side branch cannot be part of a launch
// plan, so it is removed here.
//
//===----------------------------------------------------------------------===//

#include "goe/Passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

namespace goe {
#define GEN_PASS_DEF_DROPBATCHBROADCASTS
#include "goe/Passes/Passes.h.inc"
} // namespace goe

using namespace mlir;

namespace {

/// The tensor `cond` asks about when it is `dim(x, 0) == 1`, else null.
Value batchIsOneOf(Value cond) {
  auto cmp = cond.getDefiningOp<arith::CmpIOp>();
  if (!cmp || cmp.getPredicate() != arith::CmpIPredicate::eq ||
      !matchPattern(cmp.getRhs(), m_One()))
    return nullptr;
  auto dim = cmp.getLhs().getDefiningOp<tensor::DimOp>();
  if (!dim || !matchPattern(dim.getIndex(), m_Zero()))
    return nullptr;
  return dim.getSource();
}

struct DropBatchBroadcasts
    : public goe::impl::DropBatchBroadcastsBase<DropBatchBroadcasts> {
  void runOnOperation() override {
    SmallVector<scf::IfOp> broadcasts;
    getOperation().walk([&](scf::IfOp branch) {
      Value operand = batchIsOneOf(branch.getCondition());
      if (!operand || branch.getNumResults() != 1 ||
          !branch.elseBlock())
        return;
      auto yield = cast<scf::YieldOp>(branch.elseBlock()->getTerminator());
      // The else branch must pass the operand through unchanged.
      if (branch.elseBlock()->getOperations().size() != 1 ||
          yield.getOperand(0) != operand ||
          operand.getType() != branch.getResult(0).getType())
        return;
      broadcasts.push_back(branch);
    });
    for (scf::IfOp branch : broadcasts) {
      Value operand =
          cast<scf::YieldOp>(branch.elseBlock()->getTerminator()).getOperand(0);
      branch.getResult(0).replaceAllUsesWith(operand);
      branch.erase();
    }
  }
};

} // namespace
