//===- ConvEpilogue.cpp - activations the conv microkernel applies -------===//

#include "ConvEpilogue.h"
#include "FreshBuffers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace goe {

namespace {

/// Whether `user` only writes `buffer` (the bias broadcast into it, a
/// fill): a destination-style op with it among its inits alone, a vector
/// or scalar store into it. Views, casts and calls are not: through them
/// the buffer could be read after the convolution.
bool onlyWrites(Operation *user, Value buffer) {
  if (auto write = dyn_cast<vector::TransferWriteOp>(user))
    return write.getSource() == buffer && write.getVector() != buffer;
  if (auto store = dyn_cast<memref::StoreOp>(user))
    return store.getMemRef() == buffer && store.getValue() != buffer;
  auto dps = dyn_cast<DestinationStyleOpInterface>(user);
  if (!dps || user->getNumResults() != 0)
    return false;
  for (OpOperand *input : dps.getDpsInputOperands())
    if (input->get() == buffer)
      return false;
  return true;
}

/// The ancestor of `op` in `block`, or null.
Operation *inBlock(Operation *op, Block *block) {
  return block->findAncestorOpInBlock(*op);
}

/// Every element of `type` read or written once at its own index: each map
/// result is its dimension, or 0 where that dimension has size 1 (the
/// batch of a per-sample body).
bool elementwise(AffineMap map, MemRefType type) {
  if (map.getNumResults() != type.getRank())
    return false;
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr); dim && dim.getPosition() == i)
      continue;
    auto constant = dyn_cast<AffineConstantExpr>(expr);
    if (!constant || constant.getValue() != 0 || type.getDimSize(i) != 1)
      return false;
  }
  return true;
}

/// The slope of a body computing max(in, in * slope) (or max(in * slope,
/// in), slope * in), the out argument unread; none otherwise.
std::optional<float> leakySlope(linalg::GenericOp generic) {
  Block &body = generic.getRegion().front();
  if (body.getNumArguments() != 2 || !body.getArgument(1).use_empty() ||
      body.getOperations().size() != 3)
    return std::nullopt;
  Value in = body.getArgument(0);
  auto mul = dyn_cast<arith::MulFOp>(&body.front());
  auto max = dyn_cast_or_null<arith::MaximumFOp>(mul ? mul->getNextNode()
                                                     : nullptr);
  auto yield = dyn_cast<linalg::YieldOp>(body.getTerminator());
  if (!mul || !max || !yield || yield->getOperand(0) != max.getResult())
    return std::nullopt;
  Value other = mul.getLhs() == in ? mul.getRhs() : mul.getLhs();
  if (mul.getLhs() != in && mul.getRhs() != in)
    return std::nullopt;
  FloatAttr slope;
  if (!matchPattern(other, m_Constant(&slope)))
    return std::nullopt;
  bool operands = (max.getLhs() == in && max.getRhs() == mul.getResult()) ||
                  (max.getRhs() == in && max.getLhs() == mul.getResult());
  if (!operands)
    return std::nullopt;
  return float(slope.getValueAsDouble());
}

} // namespace

std::optional<ConvActivation>
findFusableActivation(linalg::Conv2DNhwcHwcfOp conv) {
  Value buffer = conv.getDpsInits()[0];
  Operation *allocation = freshAllocation(buffer);
  Block *block = conv->getBlock();
  if (!allocation || allocation->getBlock() != block)
    return std::nullopt;
  // The one reader after the convolution: a generic in the same block.
  linalg::GenericOp generic;
  for (Operation *user : buffer.getUsers()) {
    if (user == conv.getOperation() || isa<memref::DeallocOp>(user))
      continue;
    Operation *at = inBlock(user, block);
    if (!at)
      return std::nullopt;
    if (at->isBeforeInBlock(conv)) {
      if (!onlyWrites(user, buffer))
        return std::nullopt;
      continue; // the bias written into it, before
    }
    auto candidate = dyn_cast<linalg::GenericOp>(user);
    if (!candidate || generic || candidate->getBlock() != block)
      return std::nullopt;
    generic = candidate;
  }
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1 ||
      generic.getDpsInputs()[0] != buffer ||
      generic.getNumParallelLoops() != generic.getNumLoops())
    return std::nullopt;
  Value result = generic.getDpsInits()[0];
  Operation *resultAllocation = freshAllocation(result);
  auto type = cast<MemRefType>(buffer.getType());
  if (!resultAllocation || result.getType() != buffer.getType() ||
      resultAllocation->getName() != allocation->getName() ||
      resultAllocation->getBlock() != block)
    return std::nullopt;
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  if (!elementwise(maps[0], type) || !elementwise(maps[1], type))
    return std::nullopt;
  // Nothing touches the result buffer before the generic writes it.
  for (Operation *user : result.getUsers()) {
    Operation *at = inBlock(user, block);
    if (!at || (at != generic.getOperation() && !isa<memref::DeallocOp>(user) &&
                at->isBeforeInBlock(generic)))
      return std::nullopt;
  }
  std::optional<float> slope = leakySlope(generic);
  if (!slope)
    return std::nullopt;
  return ConvActivation{generic, *slope};
}

void foldActivationIntoConv(linalg::Conv2DNhwcHwcfOp conv,
                            const ConvActivation &activation) {
  linalg::GenericOp generic = activation.generic;
  Value buffer = conv.getDpsInits()[0];
  Value result = generic.getDpsInits()[0];
  Operation *resultAllocation = result.getDefiningOp();
  // The convolution's buffer lives as long as the result did: its own
  // deallocations go, the result's now free it.
  for (Operation *user : llvm::make_early_inc_range(buffer.getUsers()))
    if (isa<memref::DeallocOp>(user))
      user->erase();
  generic->erase();
  result.replaceAllUsesWith(buffer);
  resultAllocation->erase();
}

} // namespace goe
